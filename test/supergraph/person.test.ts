import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/sandbox/index.ts';
import { loadTypeDefs } from '../../src/schema.ts';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.ts';
import { syncAll } from '../helpers/directory.ts';

/**
 * `Person` in a supergraph: a small "mentoring" subgraph extends `Person` (by its key, `id`) with the
 * notes it keeps per person, and a real @apollo/gateway plans queries that cross both ways: from
 * `person(email:)` here to the notes there, and from the notes there to the person's accounts here.
 */

const mentoringTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Person @key(fields: "id") {
    id: ID!
    "What mentors noted about this person (none for a person this subgraph has not met)."
    mentorNotes: [String!]!
  }

  type Note {
    text: String!
    about: Person!
  }

  type Query {
    notes: [Note!]!
  }
`);

/** Notes by person id: filled once the directory has given the shared person's id. */
const notesByPerson = new Map<string, string[]>();

const mentoringResolvers = {
  Query: {
    notes: () =>
      [...notesByPerson].flatMap(([personId, texts]) =>
        texts.map((text) => ({ text, about: { __typename: 'Person', id: personId } })),
      ),
  },
  Person: {
    __resolveReference: (person: { id: string }) => person,
    mentorNotes: (person: { id: string }) => notesByPerson.get(person.id) ?? [],
  },
};

let stack: Stack;
let mentoring: ApolloServer;
let gateway: ApolloServer;
let gatewayUrl: string;
let sharedPersonId: string;

beforeAll(async () => {
  stack = await startStack({ directory: { fullSyncSeconds: 3600, pollSeconds: 3600 } });
  await syncAll(stack);
  mentoring = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: mentoringTypeDefs, resolvers: mentoringResolvers as never }),
  });
  const { url: mentoringUrl } = await startStandaloneServer(mentoring, {
    listen: { port: 0, host: '127.0.0.1' },
  });
  const composition = composeServices([
    { name: 'directory', typeDefs: loadTypeDefs(), url: stack.subgraph.url },
    { name: 'mentoring', typeDefs: mentoringTypeDefs, url: mentoringUrl },
  ]);
  if (composition.errors) throw new Error(composition.errors.map((error) => error.message).join('\n'));
  gateway = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: composition.supergraphSdl }) });
  ({ url: gatewayUrl } = await startStandaloneServer(gateway, { listen: { port: 0, host: '127.0.0.1' } }));

  const found = await stack.query(`{ person(email: "${DEMO.sharedEmail.email}") { id } }`);
  sharedPersonId = found.data!.person.id;
  notesByPerson.set(sharedPersonId, ['Ready to lead the Q3 onboarding cohort']);
});

afterAll(async () => {
  await gateway?.stop();
  await mentoring?.stop();
  await stack?.close();
});

describe('Person across a supergraph', () => {
  it('from person(email:) here to the notes another subgraph keeps on the same Person', async () => {
    const response = await postGraphQL<any>(
      gatewayUrl,
      `query ($email: String!) { person(email: $email) { id displayName accounts { id provider } mentorNotes } }`,
      { email: DEMO.sharedEmail.email.toUpperCase() },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.person).toEqual({
      id: sharedPersonId,
      displayName: expect.any(String),
      accounts: [
        { id: `thrive:${DEMO.sharedEmail.thriveId}`, provider: 'THRIVE' },
        { id: `ispring:${DEMO.sharedEmail.ispringId}`, provider: 'ISPRING' },
      ],
      mentorNotes: ['Ready to lead the Q3 onboarding cohort'],
    });
  });

  it('from the other subgraph’s notes to the person’s accounts here, and from a user to its person’s notes', async () => {
    const response = await postGraphQL<any>(
      gatewayUrl,
      `{ notes { text about { email accounts { id displayName } } } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.notes).toEqual([
      {
        text: 'Ready to lead the Q3 onboarding cohort',
        about: {
          email: DEMO.sharedEmail.email.toLowerCase(),
          accounts: [
            { id: `thrive:${DEMO.sharedEmail.thriveId}`, displayName: expect.any(String) },
            { id: `ispring:${DEMO.sharedEmail.ispringId}`, displayName: expect.any(String) },
          ],
        },
      },
    ]);

    const viaUser = await postGraphQL<any>(
      gatewayUrl,
      `{ user(id: "ispring:${DEMO.sharedEmail.ispringId}") { person { mentorNotes } } }`,
    );
    expect(viaUser.errors).toBeUndefined();
    expect(viaUser.data.user.person.mentorNotes).toEqual(['Ready to lead the Q3 onboarding cohort']);
  });
});
