import type { ProviderListing } from '../../src/providers/types.ts';

/**
 * The `listing` of a test double that has none to give: every read throws, so a test that reaches
 * one by mistake fails rather than reading made-up records.
 */
export function unusedListing(): ProviderListing {
  const unused = (): never => {
    throw new Error('this test double has no listing: the code under test should not read it');
  };
  return {
    supportsUpdatedSince: false,
    readUsersPage: unused,
    readAllDepartments: unused,
    readAllGroups: unused,
  };
}
