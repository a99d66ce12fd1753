/**
 * The operations GraphiQL opens with, one tab each, first tab first. They ask for the sandbox
 * organisation (`npm start` with no credentials), whose ids are the same on every machine (see
 * `src/sandbox/seed/`, `DEMO`, and the README's "Example queries"). Against a real tenant the
 * ids find no one, which GraphiQL shows as `null`: the tabs are still a place to start from.
 *
 * test/browser/graphiql.test.ts POSTs every one of them to the subgraph over the sandbox and
 * requires data without errors, so an id that leaves the seed fails a test instead of a reader.
 */

export interface GraphiQLExample {
  /** A named operation (GraphiQL titles the tab with its name), with comments saying what it shows. */
  readonly query: string;
  /** The operation's variables, if it has any; shown in GraphiQL's variables editor. */
  readonly variables?: Readonly<Record<string, unknown>>;
}

export const SANDBOX_EXAMPLES: readonly GraphiQLExample[] = [
  {
    query: `# Examples for the sandbox organisation, one per tab.
# Run one with Ctrl-Enter or the ▶ button.
#
# An iSpring user and everything around them. Their
# department says "inherit", and so does its parent: the
# manager is found by walking up to Platform, whose
# supervisor is the first of the management chain.
query UserProfile {
  user(id: "ispring:458a8bf0-e69c-11e9-80ca-7eb342989ad7") {
    id
    displayName
    jobTitle
    email
    status
    # iSpring users hold exactly one position.
    positions {
      title
      isPrimary
      department {
        name
      }
      manager {
        displayName
      }
    }
    manager {
      displayName
    }
    # Nearest first, up to the chief executive.
    managementChain {
      displayName
      jobTitle
    }
    # Ancestors: parent first, root last.
    department {
      name
      ancestors {
        name
      }
    }
    groups {
      name
      isSmart
    }
  }
}
`,
  },
  {
    query: `# A Thrive user with several positions. The primary
# position is the first active one; \`managers\` are the
# distinct managers of the active positions, the primary
# one first.
query ThriveUserPositions {
  user(id: "thrive:63845fbca40433e278480fd8") {
    displayName
    positions {
      isPrimary
      isActive
      startDate
      department {
        name
        ancestors {
          name
        }
      }
      manager {
        displayName
      }
    }
    managers {
      displayName
    }
  }
}
`,
  },
  {
    query: `# Several users at once, from both platforms, in the order
# asked for (null where no one has an id). The first two
# are the same person, held by both platforms: two users
# with the same email.
query UsersAcrossProviders {
  users(
    ids: [
      "thrive:6343e77abfc2987635b6c5e2"
      "ispring:90127642-3739-11eb-873c-e6afd19c778d"
      "thrive:630957a0c9efd8d7a23bfd3b"
      "ispring:8203bb00-b5ab-11eb-bdfe-dc8f9170a1af"
    ]
  ) {
    id
    provider
    email
    displayName
    jobTitle
  }
}
`,
  },
  {
    query: `# A department five levels below the root, with its
# ancestors (parent first, root last) and its supervisor;
# and an iSpring smart group.
query DepartmentAndGroup {
  department(id: "ispring:21fc933a-71c5-11ec-a9ed-f950f9d8f398") {
    name
    code
    parent {
      name
    }
    ancestors {
      name
      code
    }
    supervisor {
      displayName
      jobTitle
    }
  }
  group(id: "ispring:fa891607-9422-11ec-a3c5-0e7550010c19") {
    name
    isSmart
  }
}
`,
  },
  {
    query: `# The directory: find people, walk down, page through.
# Answered from the directory index (no upstream request)
# once each provider's first full sync has finished;
# before that, DIRECTORY_NOT_READY. Case and accents are
# ignored: "jose yil" finds José Yilmaz.
query FindAndWalkDown {
  searchUsers(query: "jose yil", first: 5) {
    totalCount
    nodes {
      id
      displayName
      department {
        name
      }
      # Pass pageInfo.endCursor as \`after\` for the next page.
      directReports(first: 3) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          displayName
          jobTitle
          directReports(first: 3) {
            totalCount
            nodes {
              displayName
            }
          }
        }
      }
    }
  }
  # Filters: provider, status, department (with its
  # sub-departments), group, manager.
  activeInFinOps: searchUsers(
    filter: {
      departmentId: "ispring:21fc933a-71c5-11ec-a9ed-f950f9d8f398"
      includeSubdepartments: true
      status: [ACTIVE]
    }
    first: 3
  ) {
    totalCount
    nodes {
      displayName
    }
  }
  departments(provider: ISPRING, first: 3) {
    totalCount
    nodes {
      name
      children {
        name
      }
      members(first: 2, includeSubdepartments: true) {
        totalCount
        nodes {
          displayName
        }
      }
    }
  }
}
`,
  },
  {
    query: `# One person across both platforms: every account, of
# Thrive and of iSpring, with the same work email. Emails
# are compared trimmed, Unicode NFC and lower case, and
# nothing else (ana+hr@ is not ana@). From a user of either
# side, User.person leads to the same person. Answered from
# the directory index, as the directory's tab.
query PersonAcrossPlatforms {
  person(email: "Arthur.Wood@northwind.example") {
    # Opaque, the same across restarts and replicas.
    id
    email
    displayName
    # Thrive first, then iSpring.
    accounts {
      id
      provider
      displayName
      jobTitle
      department {
        name
      }
      manager {
        displayName
      }
    }
  }
  user(id: "ispring:90127642-3739-11eb-873c-e6afd19c778d") {
    displayName
    person {
      accounts {
        id
        provider
      }
    }
  }
}
`,
  },
  {
    query: `# What a router asks: representations of any entity type
# and provider, answered in order. A router sends them as
# a variable of type [_Any!]!; here they are written in
# the query, because GraphiQL checks a variable of a
# custom scalar such as _Any as if it were a string or a
# number, and would mark each representation as an error.
query EntityRepresentations {
  _entities(
    representations: [
      { __typename: "User", id: "ispring:458a8bf0-e69c-11e9-80ca-7eb342989ad7" }
      { __typename: "User", id: "thrive:63845fbca40433e278480fd8" }
      { __typename: "Department", id: "ispring:21fc933a-71c5-11ec-a9ed-f950f9d8f398" }
      { __typename: "Group", id: "thrive:650866cfae0aa569f5e93969" }
    ]
  ) {
    __typename
    ... on User {
      id
      displayName
    }
    ... on Department {
      id
      name
    }
    ... on Group {
      id
      name
    }
  }
}
`,
  },
  {
    query: `# The subgraph's schema as the router composes it
# (Federation 2 SDL). Always answered, even when
# INTROSPECTION is off.
#
# The answer is the SDL as one JSON string, its line
# breaks written \\n. To read it as a schema, print it in
# a terminal (the default port; change it if yours is
# another):
#
#   curl -s http://localhost:4001/graphql \\
#     -H 'content-type: application/json' \\
#     -d '{"query":"{ _service { sdl } }"}' |
#     node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).data._service.sdl'
#
# The same types, one by one, are in the Documentation
# Explorer (the book icon, top left).
query SubgraphSdl {
  _service {
    sdl
  }
}
`,
  },
];
