import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/sandbox/index.ts';
import { loadTypeDefs } from '../../src/schema.ts';
import {
  departmentSupervisor,
  ispringAncestorNames,
  ispringDepartment,
  ispringFullName,
  ispringProfile,
  thriveAncestorNames,
  thriveAudience,
  thriveFullName,
  thrivePrimaryManagerId,
  thrivePrimaryPosition,
  thriveRecord,
} from '../helpers/demo.ts';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.ts';

/**
 * A supergraph of this subgraph and a small "reviews" subgraph that knows users only by id, composed
 * with @apollo/composition and served by a real @apollo/gateway over HTTP.
 */
const thriveUserId = `thrive:${DEMO.thrive.multiPosition}`;
/** The subgraph runs with ROUTER_SECRET, as in production behind a router. */
const routerSecret = 'gateway-test-router-secret';
const ispringUserId = `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}`;

const reviews = [
  { id: 'r1', body: 'Great onboarding course', authorId: thriveUserId },
  { id: 'r2', body: 'Clear and short', authorId: ispringUserId },
];

const reviewsTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Review {
    id: ID!
    body: String!
    author: User!
  }

  type User @key(fields: "id") {
    id: ID!
    reviews: [Review!]!
  }

  type Query {
    reviews: [Review!]!
  }
`);

const reviewsResolvers = {
  Query: { reviews: () => reviews },
  Review: { author: (review: { authorId: string }) => ({ __typename: 'User', id: review.authorId }) },
  User: {
    __resolveReference: (user: { id: string }) => user,
    reviews: (user: { id: string }) => reviews.filter((review) => review.authorId === user.id),
  },
};

let stack: Stack;
let reviewsServer: ApolloServer;
let gatewayServer: ApolloServer;
let gatewayUrl: string;
/** The same supergraph through a gateway that does not send the router's secret. */
let gatewayWithoutSecret: ApolloServer;
let gatewayWithoutSecretUrl: string;

beforeAll(async () => {
  stack = await startStack({ routerSecret });
  reviewsServer = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: reviewsTypeDefs, resolvers: reviewsResolvers as never }),
  });
  const { url: reviewsUrl } = await startStandaloneServer(reviewsServer, {
    listen: { port: 0, host: '127.0.0.1' },
  });

  const composition = composeServices([
    { name: 'directory', typeDefs: loadTypeDefs(), url: stack.subgraph.url },
    { name: 'reviews', typeDefs: reviewsTypeDefs, url: reviewsUrl },
  ]);
  if (composition.errors) throw new Error(composition.errors.map((error) => error.message).join('\n'));

  // Every subgraph gets the header, as a router configured with `headers: insert` does.
  gatewayServer = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: composition.supergraphSdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource({
          url,
          willSendRequest: ({ request }) => {
            request.http?.headers.set('router-authorization', routerSecret);
          },
        }),
    }),
  });
  ({ url: gatewayUrl } = await startStandaloneServer(gatewayServer, {
    listen: { port: 0, host: '127.0.0.1' },
  }));
  gatewayWithoutSecret = new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl: composition.supergraphSdl }),
  });
  ({ url: gatewayWithoutSecretUrl } = await startStandaloneServer(gatewayWithoutSecret, {
    listen: { port: 0, host: '127.0.0.1' },
  }));
});

afterAll(async () => {
  await gatewayWithoutSecret?.stop();
  await gatewayServer?.stop();
  await reviewsServer?.stop();
  await stack?.close();
});

describe('supergraph through @apollo/gateway', () => {
  it('composes this subgraph with another that references User by id', () => {
    const composition = composeServices([
      { name: 'directory', typeDefs: loadTypeDefs(), url: 'http://directory' },
      { name: 'reviews', typeDefs: reviewsTypeDefs, url: 'http://reviews' },
    ]);
    expect(composition.errors).toBeUndefined();
    expect(composition.supergraphSdl).toContain('type User');
  });

  it('joins reviews to users of both providers, their managers and departments', async () => {
    const response = await postGraphQL<{ reviews: any[] }>(
      gatewayUrl,
      `{ reviews { body author { id provider displayName manager { id displayName } department { name ancestors { name } } } } }`,
    );
    expect(response.errors).toBeUndefined();
    const [first, second] = response.data!.reviews;
    const org = stack.sandbox.organisation;

    // The Thrive author: their primary position's manager and unit, the unit's parents by name.
    const thrive = thriveRecord(org, DEMO.thrive.multiPosition);
    const thriveManagerId = thrivePrimaryManagerId(thrive)!;
    const unitId = thrivePrimaryPosition(thrive)!.ouId!;
    expect(first.author).toEqual({
      id: thriveUserId,
      provider: 'THRIVE',
      displayName: thriveFullName(thrive),
      manager: {
        id: `thrive:${thriveManagerId}`,
        displayName: thriveFullName(thriveRecord(org, thriveManagerId)),
      },
      department: {
        name: thriveAudience(org, unitId).name,
        ancestors: thriveAncestorNames(org, unitId).map((name) => ({ name })),
      },
    });

    // The iSpring author inherits their supervisor through two departments: the department head
    // the third one names is resolved here, and their department's parents up to the root.
    const learner = ispringProfile(org, DEMO.ispring.inheritsThroughTwoDepartments);
    const supervisorId = departmentSupervisor(org, learner.departmentId, learner.userId);
    expect(supervisorId).toBe(DEMO.ispring.departmentHead);
    const ancestors = ispringAncestorNames(org, learner.departmentId!);
    expect(ancestors.length).toBeGreaterThanOrEqual(2);
    expect(second.author).toEqual({
      id: ispringUserId,
      provider: 'ISPRING',
      displayName: ispringFullName(learner),
      manager: {
        id: `ispring:${DEMO.ispring.departmentHead}`,
        displayName: ispringFullName(ispringProfile(org, DEMO.ispring.departmentHead)),
      },
      department: {
        name: ispringDepartment(org, learner.departmentId!).name,
        ancestors: ancestors.map((name) => ({ name })),
      },
    });
  });

  it('starts from this subgraph and fetches the other subgraph fields of the same user', async () => {
    const response = await postGraphQL<{ user: any }>(
      gatewayUrl,
      `query ($id: ID!) { user(id: $id) { displayName reviews { body } } }`,
      { id: ispringUserId },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.user.reviews).toEqual([{ body: 'Clear and short' }]);
  });

  it('is refused by the subgraph when the gateway does not send the router secret', async () => {
    stack.resetCounts();
    const response = await postGraphQL<{ user: any }>(
      gatewayWithoutSecretUrl,
      `query ($id: ID!) { user(id: $id) { displayName reviews { body } } }`,
      { id: ispringUserId },
    );
    expect(response.data?.user ?? null).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(response)).not.toContain(routerSecret);
    expect(stack.sandbox.thrive.count() + stack.sandbox.ispring.count()).toBe(0);
  });

  it('the gateway that sends the secret reaches the subgraph through _entities as well', async () => {
    const response = await postGraphQL<{ reviews: any[] }>(
      gatewayUrl,
      `{ reviews { author { displayName } } }`,
    );
    expect(response.errors).toBeUndefined();
    const org = stack.sandbox.organisation;
    expect(response.data!.reviews.map((review) => review.author.displayName)).toEqual([
      thriveFullName(thriveRecord(org, DEMO.thrive.multiPosition)),
      ispringFullName(ispringProfile(org, DEMO.ispring.inheritsThroughTwoDepartments)),
    ]);
    const refused = await postGraphQL<{ reviews: any[] }>(
      gatewayWithoutSecretUrl,
      `{ reviews { author { displayName } } }`,
    );
    expect(refused.errors?.map((error) => error.extensions?.code)).toContain('UNAUTHENTICATED');
  });
});
