import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSchema, parse, type GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  enrolmentsOf,
  startLearningRecordsSubgraph,
  type RunningLearningRecordsSubgraph,
} from '../../src/dev/examples/learning-records-subgraph.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { loadTypeDefs } from '../../src/schema.ts';
import {
  composeSupergraph,
  DEFAULT_EXAMPLE_SUBGRAPH_URL,
  DEFAULT_SUBGRAPH_URL,
  LEARNING_DIRECTORY_SUBGRAPH,
  LEARNING_RECORDS_SUBGRAPH,
  type SupergraphComposition,
} from '../../src/dev/tools/compose.ts';
import { ispringFullName, ispringProfile, thriveFullName, thriveRecord } from '../helpers/demo.ts';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.ts';

/**
 * The supergraph tooling: `composeSupergraph()` and `npm run compose` over this subgraph and the
 * example learning-records subgraph, `supergraph.yaml` for rover, and the composed supergraph served
 * by a real @apollo/gateway over both subgraphs running on loopback.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A second subgraph that claims a field we own, with another type and without @shareable. */
const BROKEN_SUBGRAPH_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

type User @key(fields: "id") {
  id: ID!
  displayName: Int
}

type Query {
  me: User
}
`;

function composed(composition: SupergraphComposition): string {
  if (!composition.ok) throw new Error(composition.errors.map((error) => error.message).join('\n'));
  return composition.supergraphSdl;
}

/** The env of `npm run compose` without the routing URL overrides this shell may have. */
function envWithoutRoutingUrls(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('SUBGRAPH_URL' in extra)) delete env['SUBGRAPH_URL'];
  if (!('EXAMPLE_SUBGRAPH_URL' in extra)) delete env['EXAMPLE_SUBGRAPH_URL'];
  return env;
}

function runCompose(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'compose', '--', ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let scratch: string;
let brokenSubgraphFile: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'compose-test-'));
  brokenSubgraphFile = path.join(scratch, 'broken-profiles.graphql');
  writeFileSync(brokenSubgraphFile, BROKEN_SUBGRAPH_SDL);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('composeSupergraph()', () => {
  it('composes this subgraph and the example subgraph without errors or hints', () => {
    const composition = composeSupergraph();
    expect(composition.ok).toBe(true);
    if (!composition.ok) return;
    expect(composition.hints).toEqual([]);
    const sdl = composition.supergraphSdl;
    expect(sdl).toContain(
      `LEARNING_DIRECTORY @join__graph(name: "${LEARNING_DIRECTORY_SUBGRAPH}", url: "${DEFAULT_SUBGRAPH_URL}")`,
    );
    expect(sdl).toContain(
      `LEARNING_RECORDS @join__graph(name: "${LEARNING_RECORDS_SUBGRAPH}", url: "${DEFAULT_EXAMPLE_SUBGRAPH_URL}")`,
    );

    // User is one entity with a key in both graphs and fields from each.
    const user = buildSchema(sdl).getType('User') as GraphQLObjectType;
    const joinTypes = user.astNode?.directives
      ?.filter((directive) => directive.name.value === 'join__type')
      .map((directive) =>
        directive.arguments?.map((argument) => (argument.value as { value: string }).value),
      );
    expect(joinTypes).toEqual([
      ['LEARNING_DIRECTORY', 'id'],
      ['LEARNING_RECORDS', 'id'],
    ]);
    const graphOf = (field: string) =>
      (
        user
          .getFields()
          [field]?.astNode?.directives?.find((directive) => directive.name.value === 'join__field')
          ?.arguments?.[0]?.value as { value: string } | undefined
      )?.value;
    expect(graphOf('displayName')).toBe('LEARNING_DIRECTORY');
    expect(graphOf('manager')).toBe('LEARNING_DIRECTORY');
    expect(graphOf('enrolments')).toBe('LEARNING_RECORDS');
    expect(graphOf('completedCourseCount')).toBe('LEARNING_RECORDS');
  });

  it('records the routing URLs it is given', () => {
    const sdl = composed(
      composeSupergraph({
        subgraphUrl: 'https://directory.internal/graphql',
        exampleSubgraphUrl: 'https://records.internal/graphql',
      }),
    );
    expect(sdl).toContain(
      `name: "${LEARNING_DIRECTORY_SUBGRAPH}", url: "https://directory.internal/graphql"`,
    );
    expect(sdl).toContain(`name: "${LEARNING_RECORDS_SUBGRAPH}", url: "https://records.internal/graphql"`);
    expect(sdl).not.toContain(DEFAULT_SUBGRAPH_URL);
  });

  it('reports the errors of a subgraph that redefines User.displayName as Int without @shareable', () => {
    const composition = composeSupergraph({
      subgraphs: [
        { name: 'profiles', url: 'http://localhost:4003/graphql', typeDefs: parse(BROKEN_SUBGRAPH_SDL) },
      ],
    });
    expect(composition.ok).toBe(false);
    if (composition.ok) return;
    expect(composition.errors.map((error) => error.code).sort()).toEqual([
      'FIELD_TYPE_MISMATCH',
      'INVALID_FIELD_SHARING',
    ]);
    for (const error of composition.errors) expect(error.message).toContain('"User.displayName"');
  });
});

describe('npm run compose', () => {
  it('prints the supergraph SDL composeSupergraph() makes, and exits 0', async () => {
    const { code, stdout, stderr } = await runCompose([], envWithoutRoutingUrls());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(() => parse(stdout)).not.toThrow();
    expect(buildSchema(stdout).getType('User')).toBeDefined();
    expect(stdout.trimEnd()).toBe(composed(composeSupergraph()).trimEnd());
  });

  it('takes the routing URLs from SUBGRAPH_URL and EXAMPLE_SUBGRAPH_URL and writes to --out', async () => {
    const urls = {
      SUBGRAPH_URL: 'https://directory.internal/graphql',
      EXAMPLE_SUBGRAPH_URL: 'https://records.internal/graphql',
    };
    const out = path.join(scratch, 'supergraph.graphql');
    const { code, stdout } = await runCompose(['--out', out], envWithoutRoutingUrls(urls));
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(readFileSync(out, 'utf8').trimEnd()).toBe(
      composed(
        composeSupergraph({ subgraphUrl: urls.SUBGRAPH_URL, exampleSubgraphUrl: urls.EXAMPLE_SUBGRAPH_URL }),
      ).trimEnd(),
    );
  });

  it('exits 1 with each composition error on stderr when given a broken --subgraph', async () => {
    const { code, stdout, stderr } = await runCompose(
      ['--subgraph', `profiles=${brokenSubgraphFile}@http://localhost:4003/graphql`],
      envWithoutRoutingUrls(),
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('FIELD_TYPE_MISMATCH');
    expect(stderr).toContain('INVALID_FIELD_SHARING');
    expect(stderr).toContain('"User.displayName"');
  });
});

describe('supergraph.yaml', () => {
  interface RoverSubgraph {
    routing_url?: unknown;
    schema?: Record<string, unknown>;
  }
  const configFile = path.join(ROOT, 'supergraph.yaml');
  const config = parseYaml(readFileSync(configFile, 'utf8')) as {
    federation_version?: unknown;
    subgraphs?: Record<string, RoverSubgraph>;
  };
  const subgraphs = Object.entries(config.subgraphs ?? {});

  it('asks rover for the composition version of the installed @apollo/composition', () => {
    const installed = createRequire(import.meta.url)('@apollo/composition/package.json') as {
      version: string;
    };
    expect(config.federation_version).toEqual(expect.stringMatching(/^=?2\.\d+(\.\d+)?$/));
    const [major, minor] = String(config.federation_version).replace('=', '').split('.');
    expect(`${major}.${minor}`).toBe(installed.version.split('.').slice(0, 2).join('.'));
  });

  it('gives each subgraph an http routing URL and exactly one schema source', () => {
    expect(subgraphs.map(([name]) => name).sort()).toEqual([
      LEARNING_DIRECTORY_SUBGRAPH,
      LEARNING_RECORDS_SUBGRAPH,
    ]);
    for (const [name, subgraph] of subgraphs) {
      expect(new URL(String(subgraph.routing_url)).protocol, name).toBe('http:');
      const sources = ['file', 'subgraph_url', 'graphref'].filter(
        (key) => subgraph.schema?.[key] !== undefined,
      );
      expect(sources, name).toHaveLength(1);
    }
  });

  it('names schema files that exist and that compose, as npm run compose does', () => {
    const services = subgraphs.map(([name, subgraph]) => {
      const schema = subgraph.schema ?? {};
      if (typeof schema['file'] === 'string') {
        // rover reads a file relative to the configuration file.
        const file = path.resolve(path.dirname(configFile), schema['file']);
        expect(existsSync(file), file).toBe(true);
        return { name, url: String(subgraph.routing_url), typeDefs: parse(readFileSync(file, 'utf8')) };
      }
      // Only our own subgraph is introspected (it has no single schema file); it serves `schema/*.graphql`.
      expect(name).toBe(LEARNING_DIRECTORY_SUBGRAPH);
      expect(schema['subgraph_url']).toBe(subgraph.routing_url);
      return { name, url: String(subgraph.routing_url), typeDefs: loadTypeDefs() };
    });
    // The same subgraphs and URLs as npm run compose by default, so both give the same supergraph.
    expect(composed(composeSupergraph({ subgraphs: services }))).toBe(composed(composeSupergraph()));
  });
});

describe('a supergraph of both subgraphs served by @apollo/gateway', () => {
  /** The subgraph runs with ROUTER_SECRET, as in production; the gateway sends it. */
  const routerSecret = 'compose-test-router-secret';
  const learnerId = `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}`;
  let stack: Stack;
  let records: RunningLearningRecordsSubgraph;
  let gatewayServer: ApolloServer;
  let gatewayUrl: string;

  beforeAll(async () => {
    stack = await startStack({ routerSecret });
    records = await startLearningRecordsSubgraph({ port: 0, host: '127.0.0.1' });
    const supergraphSdl = composed(
      composeSupergraph({ subgraphUrl: stack.subgraph.url, exampleSubgraphUrl: records.url }),
    );
    gatewayServer = new ApolloServer({
      gateway: new ApolloGateway({
        supergraphSdl,
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
  });

  afterAll(async () => {
    await gatewayServer?.stop();
    await records?.close();
    await stack?.close();
  });

  it('serves the same SDL in _service as the schema files npm run compose reads', async () => {
    // What rover composes from `subgraph_url` in supergraph.yaml.
    const response = await stack.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(response.errors).toBeUndefined();
    const introspected = composeSupergraph({
      subgraphs: [
        {
          name: LEARNING_DIRECTORY_SUBGRAPH,
          url: DEFAULT_SUBGRAPH_URL,
          typeDefs: parse(response.data!._service.sdl),
        },
      ],
    });
    expect(composed(introspected)).toBe(composed(composeSupergraph()));
  });

  it('answers one query with a user, their manager and their enrolments from both subgraphs', async () => {
    const response = await postGraphQL<{ user: any }>(
      gatewayUrl,
      `query ($id: ID!) {
        user(id: $id) {
          displayName
          manager { id displayName }
          completedCourseCount
          enrolments { status progressPercent course { title mandatory } assignedBy { id displayName } }
        }
      }`,
      { id: learnerId },
    );
    expect(response.errors).toBeUndefined();
    const user = response.data!.user;

    // The directory's side, as the subgraph alone answers it.
    const direct = await stack.query<{ user: any }>(
      'query ($id: ID!) { user(id: $id) { displayName manager { id displayName } } }',
      { id: learnerId },
    );
    expect(direct.errors).toBeUndefined();
    const org = stack.sandbox.organisation;
    expect(user.displayName).toBe(
      ispringFullName(ispringProfile(org, DEMO.ispring.inheritsThroughTwoDepartments)),
    );
    expect(user.displayName).toBe(direct.data!.user.displayName);
    // They inherit their supervisor through two departments, up to the department head.
    expect(user.manager).toEqual({
      id: `ispring:${DEMO.ispring.departmentHead}`,
      displayName: ispringFullName(ispringProfile(org, DEMO.ispring.departmentHead)),
    });
    expect(user.manager).toEqual(direct.data!.user.manager);

    // The records side: this learner's demo enrolments, most recent first.
    expect(user.completedCourseCount).toBe(1);
    expect(user.enrolments.map((enrolment: any) => [enrolment.status, enrolment.course.title])).toEqual([
      ['IN_PROGRESS', 'SQL for Analysts'],
      ['OVERDUE', 'Information Security Awareness'],
      ['COMPLETED', 'Data Protection Essentials'],
    ]);
    expect(user.enrolments.map((enrolment: any) => enrolment.progressPercent)).toEqual(
      enrolmentsOf(learnerId).map((enrolment) => enrolment.progressPercent),
    );

    // Who assigned the courses: an id from the records subgraph, a name from the directory. The demo
    // data names the learner's manager.
    expect(user.enrolments.map((enrolment: any) => enrolment.assignedBy)).toEqual([
      null,
      user.manager,
      user.manager,
    ]);
  });

  it('gives a user the records subgraph has no data for no enrolments', async () => {
    const id = `thrive:${DEMO.thrive.deepUser}`;
    const response = await postGraphQL<{ user: any }>(
      gatewayUrl,
      'query ($id: ID!) { user(id: $id) { id displayName enrolments { status } completedCourseCount } }',
      { id },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.user).toEqual({
      id,
      displayName: thriveFullName(thriveRecord(stack.sandbox.organisation, DEMO.thrive.deepUser)),
      enrolments: [],
      completedCourseCount: 0,
    });
  });

  it('serves the example subgraph with the SDL of schema/examples/learning-records.graphql', async () => {
    const response = await postGraphQL<{ _service: { sdl: string } }>(records.url, '{ _service { sdl } }');
    expect(response.errors).toBeUndefined();
    const served = composeSupergraph({
      subgraphs: [
        {
          name: LEARNING_RECORDS_SUBGRAPH,
          url: DEFAULT_EXAMPLE_SUBGRAPH_URL,
          typeDefs: parse(response.data!._service.sdl),
        },
      ],
    });
    expect(composed(served)).toBe(composed(composeSupergraph()));
  });
});
