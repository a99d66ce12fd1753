/**
 * iSpring's side of the demo organisation, as data: the department tree (who heads each
 * department, how its supervisor and functional manager are set), the groups, and the orders and
 * values of profile fields.
 */

type Supervision = 'head' | 'inherit' | 'none';

export interface DepartmentSpec {
  readonly key: string;
  readonly name: string;
  readonly code: string;
  readonly parent: string | null;
  /** `head`: the department names its head (`manual`); `inherit`; `none` (`no_supervisor`). */
  readonly supervisor: Supervision;
  /** coSubordination: `inherit`, `none`, or `manual` naming the head of another department. */
  readonly functional: 'inherit' | 'none' | { readonly headOf: string };
  /** People besides the head. */
  readonly members: number;
  readonly headTitle: string;
  readonly memberTitles: readonly string[];
}

/** The iSpring tree. Columns: key, name, code, parent, supervisor, functional manager, members, head's title, members' titles. */
// prettier-ignore
export const DEPARTMENT_SPECS: readonly DepartmentSpec[] = [
  // Level 0: the company.
  dept('root', 'Northwind Learning Group', '1000', null, 'head', 'none', 2, 'Chief Executive Officer', ['Executive Assistant', 'General Counsel']),
  // Level 1: divisions.
  dept('sales', 'Sales', '1100', 'root', 'head', 'inherit', 1, 'Chief Revenue Officer', ['Sales Operations Lead']),
  dept('eng', 'Engineering', '1200', 'root', 'head', 'inherit', 1, 'Chief Technology Officer', ['Staff Engineer']),
  dept('ops', 'Operations', '1300', 'root', 'head', 'inherit', 1, 'Chief Operating Officer', ['Operations Analyst']),
  // Level 2: departments.
  dept('entSales', 'Enterprise Sales', '1110', 'sales', 'head', 'inherit', 2, 'VP Enterprise Sales', ['Deal Desk Analyst']),
  dept('smbSales', 'SMB Sales', '1120', 'sales', 'inherit', 'inherit', 3, '', ['Sales Enablement Specialist']),
  dept('platform', 'Platform', '1210', 'eng', 'head', 'inherit', 2, 'Head of Platform', ['Principal Engineer']),
  dept('product', 'Product Engineering', '1220', 'eng', 'head', 'inherit', 2, 'Head of Product Engineering', ['Product Manager']),
  dept('quality', 'Quality', '1230', 'eng', 'head', { headOf: 'people' }, 3, 'Head of Quality', ['QA Analyst']),
  dept('people', 'People', '1310', 'ops', 'head', 'inherit', 2, 'Head of People', ['HR Business Partner']),
  dept('finance', 'Finance', '1320', 'ops', 'head', 'inherit', 2, 'Finance Director', ['Financial Analyst']),
  // Level 3: teams.
  dept('emea', 'EMEA Accounts', '1111', 'entSales', 'head', 'inherit', 4, 'EMEA Sales Manager', ['Account Executive']),
  dept('americas', 'Americas Accounts', '1112', 'entSales', 'head', 'inherit', 7, 'Americas Sales Manager', ['Account Executive', 'Solutions Consultant']),
  dept('inside', 'Inside Sales', '1121', 'smbSales', 'head', 'inherit', 8, 'Inside Sales Manager', ['Sales Development Representative']),
  dept('infra', 'Infrastructure', '1211', 'platform', 'head', 'inherit', 3, 'Infrastructure Manager', ['Site Reliability Engineer']),
  dept('data', 'Data', '1212', 'platform', 'inherit', 'inherit', 3, '', ['Data Engineer', 'Analytics Engineer']),
  dept('web', 'Web', '1221', 'product', 'head', { headOf: 'automation' }, 3, 'Web Engineering Manager', ['Frontend Engineer']),
  dept('mobile', 'Mobile', '1222', 'product', 'head', 'inherit', 3, 'Mobile Engineering Manager', ['Mobile Engineer']),
  dept('automation', 'Test Automation', '1231', 'quality', 'head', 'inherit', 6, 'Test & Automation Lead <QA>', ['Test Engineer', 'R&D Engineer']),
  dept('recruiting', 'Recruiting', '1311', 'people', 'head', 'inherit', 4, 'Talent Acquisition Manager', ['Recruiter']),
  dept('lnd', 'Learning & Development', '1312', 'people', 'none', 'inherit', 4, '', ['Learning Designer', 'Course Author']),
  dept('accounting', 'Accounting', '1321', 'finance', 'head', 'inherit', 7, 'Financial Controller', ['Accountant']),
  // Level 4: squads.
  dept('cloud', 'Cloud Squad', '1211-1', 'infra', 'head', 'inherit', 7, 'Cloud Squad Lead', ['Cloud Engineer']),
  dept('network', 'Network Squad', '1211-2', 'infra', 'inherit', 'inherit', 7, '', ['Network Engineer']),
  dept('pipelines', 'Pipelines Squad', '1212-1', 'data', 'inherit', 'inherit', 8, '', ['Data Engineer']),
  dept('checkout', 'Checkout Squad', '1221-1', 'web', 'head', 'inherit', 9, 'Checkout Squad Lead', ['Software Engineer']),
  dept('search', 'Search Squad', '1221-2', 'web', 'head', 'inherit', 8, 'Search Squad Lead', ['Software Engineer']),
  dept('ios', 'iOS Squad', '1222-1', 'mobile', 'head', 'inherit', 8, 'iOS Squad Lead', ['iOS Engineer']),
  dept('dach', 'DACH Squad', '1111-1', 'emea', 'head', 'inherit', 7, 'DACH Squad Lead', ['Account Executive']),
  dept('nordics', 'Nordics Squad', '1111-2', 'emea', 'head', 'inherit', 7, 'Nordics Squad Lead', ['Account Executive']),
  dept('techHiring', 'Tech Hiring Squad', '1311-1', 'recruiting', 'head', 'inherit', 6, 'Tech Hiring Lead', ['Technical Recruiter']),
  // Level 5.
  dept('finops', 'FinOps Guild', '1211-1-1', 'cloud', 'head', 'inherit', 4, 'FinOps Guild Lead', ['FinOps Analyst']),
];

function dept(
  key: string,
  name: string,
  code: string,
  parent: string | null,
  supervisor: Supervision,
  functional: DepartmentSpec['functional'],
  members: number,
  headTitle: string,
  memberTitles: readonly string[],
): DepartmentSpec {
  return { key, name, code, parent, supervisor, functional, members, headTitle, memberTitles };
}

export const GROUP_SPECS: ReadonlyArray<{ key: string; name: string; isSmart: boolean }> = [
  { key: 'newStarters', name: 'New Starters', isSmart: true },
  { key: 'managers', name: 'People Managers', isSmart: true },
  { key: 'compliance', name: 'Compliance 2024', isSmart: false },
  { key: 'fireWardens', name: 'Fire Wardens', isSmart: false },
  { key: 'firstAiders', name: 'First Aiders', isSmart: false },
  { key: 'mentors', name: 'Mentors', isSmart: false },
  { key: 'salesAcademy', name: 'Sales Academy', isSmart: false },
  { key: 'leadership', name: 'Leadership Programme', isSmart: false },
  { key: 'remote', name: 'Remote Workers', isSmart: true },
  { key: 'graduates', name: 'Graduate Scheme', isSmart: false },
  { key: 'security', name: 'Security Champions', isSmart: false },
  { key: 'bookClub', name: 'Book Club', isSmart: false },
];

/** Profile fields in the documented sample's order, and in the public JSON fixture's. */
// prettier-ignore
export const DOCUMENTED_FIELD_ORDER = ['LOGIN', 'EMAIL', 'FIRST_NAME', 'LAST_NAME', 'JOB_TITLE', 'PHONE', 'COUNTRY', 'USER_DEFINED_FIELD1', 'USER_DEFINED_FIELD2', 'USER_DEFINED_FIELD3'] as const;
// prettier-ignore
export const FIXTURE_FIELD_ORDER = ['USER_DEFINED_FIELD1', 'FIRST_NAME', 'LAST_NAME', 'LOGIN', 'EMAIL', 'JOB_TITLE', 'PHONE', 'USER_DEFINED_FIELD2', 'USER_DEFINED_FIELD3', 'COUNTRY'] as const;

/** Numeric country ids as iSpring stores them ("224" in a public fixture). */
export const COUNTRIES = ['826', '840', '276', '250', '752', '724', '224', '380'] as const;
