/** Well-known records of the demo organisation (the providers' own ids), for tests and the README. */
export interface DemoAnchors {
  readonly ispring: {
    /** The CEO: `no_supervisor`, in the root department, which names them as its supervisor. */
    readonly ceo: string;
    /** The root department: no parent, supervisor the CEO, functional manager `no_supervisor`. */
    readonly rootDepartment: string;
    /** Head of the Engineering division, named by their own division: their manager is the CEO. */
    readonly divisionHead: string;
    /** Head of Platform, named as supervisor by their own department (user `inherit`): manager `divisionHead`. */
    readonly departmentHead: string;
    /** A Pipelines Squad member (`inherit`); Pipelines and Data say `inherit`; Platform names `departmentHead`. */
    readonly inheritsThroughTwoDepartments: string;
    /** Pipelines Squad: `inherit`, below Data (`inherit`), below Platform (`manual`, `departmentHead`). */
    readonly twoLevelInheritDepartment: string;
    /** A user with no `subordination` element at all (inherit), in a department with a supervisor. */
    readonly noSubordination: string;
    /** A user other than the CEO whose subordination is `no_supervisor`. */
    readonly noSupervisor: string;
    /** A user with a `manual` supervisor other than whom `inherit` would give (their boss's boss). */
    readonly manualSupervisor: string;
    /** A user whose coSubordination is `manual`, naming a functional manager other than their supervisor. */
    readonly functionalManagerUser: string;
    /** The functional manager `functionalManagerUser` names. */
    readonly functionalManager: string;
    /** A Quality member with coSubordination `inherit`: the Quality department names the functional manager. */
    readonly inheritedFunctionalManagerUser: string;
    /** The functional manager the Quality department names (head of People). */
    readonly qualityFunctionalManager: string;
    /** Three users whose `manual` supervisors form a loop: [0] → [1] → [2] → [0]. */
    readonly cycle: readonly string[];
    /** The deepest department: FinOps Guild, five levels below the root. */
    readonly deepDepartment: string;
    /** A FinOps Guild member, `inherit`: six managers above them, the last the CEO. */
    readonly deepUser: string;
    /** Learning & Development: its subordination is `no_supervisor`. */
    readonly noSupervisorDepartment: string;
    /** A Learning & Development member with `inherit`: no supervisor at all. */
    readonly noSupervisorDepartmentMember: string;
    /** Status 5 (employment ended) on the v2 endpoints; the v1 endpoints report 3. */
    readonly employmentEnded: string;
    /** Status 3 (inactive). */
    readonly inactive: string;
    /** Legacy status 2 (deleted). */
    readonly legacyDeleted: string;
    /** Legacy status 4 (unconfirmed); never logged in. */
    readonly legacyUnconfirmed: string;
    /** Status 7, a value no source documents. */
    readonly unknownStatus: string;
    /** A department administrator: `userRoles` and `manageableDepartmentIds` name their division. */
    readonly departmentAdministrator: string;
    /** A user without `lastLoginDate` (never logged in). */
    readonly neverLoggedIn: string;
    /** A user whose `addedDate` is a date-time (`2021-09-14T08:30:00+00:00`), not a date. */
    readonly dateTimeAddedDate: string;
    /** A user with empty FIRST_NAME, LAST_NAME and EMAIL: only LOGIN names them. */
    readonly loginOnly: string;
    /** Siobhán O'Brien, "Test & Automation Lead <QA>": fields with XML-special and non-ASCII characters. */
    readonly specialCharacters: string;
    /** A user on leave (`workLeaveStatus`). */
    readonly onLeave: string;
    /** A smart group. */
    readonly smartGroup: string;
    /** A group nobody is in. */
    readonly emptyGroup: string;
  };
  readonly thrive: {
    /** The CEO: one position, manager null, in the Head Office structure. */
    readonly ceo: string;
    /** Three positions: two active under different managers and units, then an inactive one. */
    readonly multiPosition: string;
    /** First position inactive (with endDate), second active: the primary is the second. */
    readonly inactiveFirstPosition: string;
    /** Two contractors whose primary managers are each other. */
    readonly cycle: readonly string[];
    /** `deleted: true` while `status` still says `active`. */
    readonly deleted: string;
    /** Audiences as plain id strings (documented variant), `rank.currentRank`. */
    readonly stringAudiences: string;
    /** Audiences as `{ id }` objects (observed variant), `rank.currentLevel`, position titles. */
    readonly objectAudiences: string;
    /** A position whose `ouId` is null. */
    readonly nullOu: string;
    /** A position without an `ouId` key. */
    readonly absentOu: string;
    /** A position whose `ouId` matches no audience. */
    readonly unknownOu: string;
    /** That `ouId`. */
    readonly unknownOuId: string;
    /** A user whose primary manager id matches no user. */
    readonly danglingManager: string;
    /** That manager id. */
    readonly missingManagerId: string;
    /** A manager given as `{ id, name, ref }`. */
    readonly managerWithName: string;
    /** Status `new`: never logged in, no audiences yet. */
    readonly newUser: string;
    /** Status `inactive`. */
    readonly inactive: string;
    /** Status `expired`, every position inactive. */
    readonly expired: string;
    /** Four levels of managers above them (team lead, manager, director, CEO). */
    readonly deepUser: string;
    /** A user with `ref: null`. */
    readonly noRef: string;
    /** A user with `email: null` (logs in by ref). */
    readonly noEmail: string;
    /** A user with `additionalFields: null` and `audiences: null`. */
    readonly nullAdditionalFields: string;
    /** The `ref` of `deepUser`, for `GET /users/ref/{ref}`. */
    readonly userRef: string;
    /** The Technology structure (category `structure`, no parent). */
    readonly structure: string;
    /** Engineering, a child audience of Technology (category `audience`, with `parent`). */
    readonly childAudience: string;
    /** The `reference` of `childAudience`, which `GET /audiences/{id}` also accepts. */
    readonly childAudienceReference: string;
    /** A smart audience. */
    readonly smartAudience: string;
    /** An audience with no managers. */
    readonly unmanagedAudience: string;
  };
  /** One person present in both providers under the same email. */
  readonly sharedEmail: { readonly email: string; readonly thriveId: string; readonly ispringId: string };
}
