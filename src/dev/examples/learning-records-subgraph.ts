import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { parse, Source, type DocumentNode } from 'graphql';
import { DEMO } from '../../sandbox/seed/index.js';
import { graphqlUrl, listen } from '../../listen.js';

/**
 * "learning-records": an example second subgraph, to see this one in a supergraph. It adds course
 * enrolments to the `User` entity (by its key, `id`) and answers from memory for users of the
 * sandbox's demo organisation. Any other id, a real tenant's included, has no enrolments (an empty
 * list, not an error), as a records service that has not met a user yet would answer.
 * `npm run example:learning-records` serves it on http://localhost:4002/graphql.
 */

/**
 * Its SDL: in a subfolder of `schema/`, which the server and codegen do not read (they take
 * `schema/*.graphql` only). Resolved from this file, so that it is found from `src/` and `dist/`.
 */
export const LEARNING_RECORDS_SCHEMA_FILE = fileURLToPath(
  new URL('../../../schema/examples/learning-records.graphql', import.meta.url),
);

export function loadLearningRecordsTypeDefs(): DocumentNode {
  return parse(new Source(readFileSync(LEARNING_RECORDS_SCHEMA_FILE, 'utf8'), LEARNING_RECORDS_SCHEMA_FILE));
}

export type EnrolmentStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'COMPLETED' | 'OVERDUE';

export interface CourseRecord {
  readonly id: string;
  readonly title: string;
  readonly durationMinutes: number | null;
  readonly mandatory: boolean;
}

export interface EnrolmentRecord {
  readonly id: string;
  /** A learning-directory global id (`thrive:…`, `ispring:…`). */
  readonly userId: string;
  readonly courseId: string;
  readonly status: EnrolmentStatus;
  readonly progressPercent: number;
  readonly enrolledAt: string;
  readonly dueAt: string | null;
  readonly completedAt: string | null;
  readonly score: number | null;
  /** A learning-directory global id, resolved by that subgraph; null when self-enrolled. */
  readonly assignedById: string | null;
}

const COURSES: readonly CourseRecord[] = [
  { id: 'course:data-protection', title: 'Data Protection Essentials', durationMinutes: 45, mandatory: true },
  {
    id: 'course:security-awareness',
    title: 'Information Security Awareness',
    durationMinutes: 30,
    mandatory: true,
  },
  { id: 'course:feedback', title: 'Giving and Receiving Feedback', durationMinutes: 60, mandatory: false },
  { id: 'course:sql-for-analysts', title: 'SQL for Analysts', durationMinutes: 240, mandatory: false },
  {
    id: 'course:leading-remote-teams',
    title: 'Leading Remote Teams',
    durationMinutes: 180,
    mandatory: false,
  },
];

// Users of the demo organisation (src/sandbox/seed/), so that a query through a supergraph over the
// sandbox finds both sides of the same person. The assigners are these users' managers there.
const ispringMember = `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}`;
const ispringMemberManager = `ispring:${DEMO.ispring.departmentHead}`;
const ispringCeo = `ispring:${DEMO.ispring.ceo}`;
const thriveMultiPosition = `thrive:${DEMO.thrive.multiPosition}`;
const thriveCeo = `thrive:${DEMO.thrive.ceo}`;

const ENROLMENTS: readonly EnrolmentRecord[] = [
  {
    id: 'enrolment:1001',
    userId: ispringMember,
    courseId: 'course:data-protection',
    status: 'COMPLETED',
    progressPercent: 100,
    enrolledAt: '2025-01-13T09:00:00.000Z',
    dueAt: '2025-02-14T23:59:59.000Z',
    completedAt: '2025-01-20T15:42:00.000Z',
    score: 92,
    assignedById: ispringMemberManager,
  },
  {
    id: 'enrolment:1002',
    userId: ispringMember,
    courseId: 'course:security-awareness',
    status: 'OVERDUE',
    progressPercent: 35,
    enrolledAt: '2025-03-03T09:00:00.000Z',
    dueAt: '2025-03-31T23:59:59.000Z',
    completedAt: null,
    score: null,
    assignedById: ispringMemberManager,
  },
  {
    id: 'enrolment:1003',
    userId: ispringMember,
    courseId: 'course:sql-for-analysts',
    status: 'IN_PROGRESS',
    progressPercent: 60,
    enrolledAt: '2025-04-22T11:30:00.000Z',
    dueAt: null,
    completedAt: null,
    score: null,
    assignedById: null,
  },
  {
    id: 'enrolment:2001',
    userId: thriveMultiPosition,
    courseId: 'course:security-awareness',
    status: 'COMPLETED',
    progressPercent: 100,
    enrolledAt: '2025-02-03T08:15:00.000Z',
    dueAt: '2025-02-28T23:59:59.000Z',
    completedAt: '2025-02-05T10:05:00.000Z',
    score: 88,
    assignedById: thriveCeo,
  },
  {
    id: 'enrolment:2002',
    userId: thriveMultiPosition,
    courseId: 'course:feedback',
    status: 'NOT_STARTED',
    progressPercent: 0,
    enrolledAt: '2025-05-12T08:15:00.000Z',
    dueAt: null,
    completedAt: null,
    score: null,
    assignedById: null,
  },
  {
    id: 'enrolment:3001',
    userId: ispringCeo,
    courseId: 'course:leading-remote-teams',
    status: 'COMPLETED',
    progressPercent: 100,
    enrolledAt: '2024-11-04T07:00:00.000Z',
    dueAt: null,
    completedAt: '2024-12-01T17:20:00.000Z',
    score: null,
    assignedById: null,
  },
  {
    id: 'enrolment:3002',
    userId: thriveCeo,
    courseId: 'course:data-protection',
    status: 'COMPLETED',
    progressPercent: 100,
    enrolledAt: '2025-01-06T07:00:00.000Z',
    dueAt: '2025-02-14T23:59:59.000Z',
    completedAt: '2025-01-07T12:00:00.000Z',
    score: 97,
    assignedById: null,
  },
];

/** The example's data, for tests and for anyone adapting it. */
export const LEARNING_RECORDS_DEMO = Object.freeze({ courses: COURSES, enrolments: ENROLMENTS });

/** A user's enrolments, most recent first; only those in `status` when it is given. */
export function enrolmentsOf(userId: string, status?: EnrolmentStatus | null): EnrolmentRecord[] {
  return ENROLMENTS.filter((enrolment) => enrolment.userId === userId)
    .filter((enrolment) => !status || enrolment.status === status)
    .sort((a, b) => b.enrolledAt.localeCompare(a.enrolledAt));
}

const coursesById = new Map(COURSES.map((course) => [course.id, course]));

/** What this subgraph knows of a user: the key the router sends in `_entities`. */
interface UserReference {
  readonly id: string;
}

const resolvers = {
  Query: {
    course: (_: unknown, { id }: { id: string }) => coursesById.get(id) ?? null,
    courses: () => COURSES,
  },
  User: {
    // Every id is a user here: one this service has no records for simply has none.
    __resolveReference: (reference: UserReference): UserReference => ({ id: reference.id }),
    enrolments: (user: UserReference, { status }: { status?: EnrolmentStatus | null }) =>
      enrolmentsOf(user.id, status),
    completedCourseCount: (user: UserReference) => enrolmentsOf(user.id, 'COMPLETED').length,
  },
  Course: {
    __resolveReference: (reference: { id: string }) => coursesById.get(reference.id) ?? null,
  },
  Enrolment: {
    course: (enrolment: EnrolmentRecord) => coursesById.get(enrolment.courseId),
    // A reference only: the router asks the learning-directory subgraph for the rest.
    assignedBy: (enrolment: EnrolmentRecord): UserReference | null =>
      enrolment.assignedById ? { id: enrolment.assignedById } : null,
  },
};

export interface LearningRecordsSubgraphOptions {
  /** 0 for an ephemeral port. */
  readonly port: number;
  readonly host: string;
}

export interface RunningLearningRecordsSubgraph {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4002/graphql. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the example subgraph over HTTP at `/graphql`, as src/server.ts serves ours. */
export async function startLearningRecordsSubgraph(
  options: LearningRecordsSubgraphOptions,
): Promise<RunningLearningRecordsSubgraph> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: loadLearningRecordsTypeDefs(), resolvers }),
    // The CLI owns SIGINT/SIGTERM; tests stop the server with close().
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  app.use('/graphql', express.json(), expressMiddleware(apollo));

  const port = await listen(httpServer, options.port, options.host);
  return {
    url: graphqlUrl(options.host, port),
    close: async () => {
      await apollo.stop();
      httpServer.closeAllConnections();
    },
  };
}
