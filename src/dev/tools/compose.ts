import { realpathSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import { parse, Source, type DocumentNode } from 'graphql';
import { loadLearningRecordsTypeDefs } from '../examples/learning-records-subgraph.js';
import { loadTypeDefs } from '../../schema.js';

/**
 * `npm run compose`: the supergraph SDL of this subgraph and the example "learning-records" subgraph,
 * composed by `@apollo/composition` (the version supergraph.yaml asks rover for), printed on stdout.
 * The router or `@apollo/gateway` can serve it as it is. Our schema is read from the same
 * `schema/*.graphql` files the server loads, so what is composed is what is served.
 *
 *   npm run --silent compose > supergraph.graphql
 *   npm run compose -- --out supergraph.graphql
 *   npm run compose -- --subgraph reviews=../reviews/schema.graphql@http://localhost:4003/graphql
 *
 * Environment: SUBGRAPH_URL (our routing URL), EXAMPLE_SUBGRAPH_URL (the example's).
 * Exit codes: 0 composed, 1 composition failed (each error on stderr), 2 bad usage.
 */

export const LEARNING_DIRECTORY_SUBGRAPH = 'learning-directory';
export const LEARNING_RECORDS_SUBGRAPH = 'learning-records';
export const DEFAULT_SUBGRAPH_URL = 'http://localhost:4001/graphql';
export const DEFAULT_EXAMPLE_SUBGRAPH_URL = 'http://localhost:4002/graphql';

/** What `composeServices` needs of one subgraph. */
export interface SubgraphDefinition {
  readonly name: string;
  /** The routing URL the supergraph records for it (`join__graph`). */
  readonly url: string;
  readonly typeDefs: DocumentNode;
}

export function learningDirectorySubgraph(url: string = DEFAULT_SUBGRAPH_URL): SubgraphDefinition {
  return { name: LEARNING_DIRECTORY_SUBGRAPH, url, typeDefs: loadTypeDefs() };
}

/** The example subgraph, from `schema/examples/learning-records.graphql` (what its server serves). */
export function learningRecordsSubgraph(url: string = DEFAULT_EXAMPLE_SUBGRAPH_URL): SubgraphDefinition {
  return { name: LEARNING_RECORDS_SUBGRAPH, url, typeDefs: loadLearningRecordsTypeDefs() };
}

/** A subgraph from one SDL file; a syntax error is thrown with the file's name and the line. */
export function readSubgraphFile(name: string, file: string, url: string): SubgraphDefinition {
  return { name, url, typeDefs: parse(new Source(readFileSync(file, 'utf8'), file)) };
}

export interface ComposeSupergraphOptions {
  /** Our routing URL; `DEFAULT_SUBGRAPH_URL` when left out. */
  readonly subgraphUrl?: string;
  /** The example subgraph's routing URL; `DEFAULT_EXAMPLE_SUBGRAPH_URL` when left out. */
  readonly exampleSubgraphUrl?: string;
  /** More subgraphs to compose with; one named like a default subgraph replaces it. */
  readonly subgraphs?: readonly SubgraphDefinition[];
}

/** A composition error or hint, as rover shows them: the message and a stable code. */
export interface CompositionMessage {
  readonly message: string;
  readonly code: string;
}

export type SupergraphComposition =
  | { readonly ok: true; readonly supergraphSdl: string; readonly hints: readonly CompositionMessage[] }
  | { readonly ok: false; readonly errors: readonly CompositionMessage[] };

/**
 * Composes this subgraph, the example learning-records subgraph and any others given. Composition
 * errors (a field two subgraphs define differently, say) are returned, not thrown: they are the
 * answer the caller asked for.
 */
export function composeSupergraph(options: ComposeSupergraphOptions = {}): SupergraphComposition {
  const extra = options.subgraphs ?? [];
  const replaced = new Set(extra.map((subgraph) => subgraph.name));
  const defaults = [
    learningDirectorySubgraph(options.subgraphUrl),
    learningRecordsSubgraph(options.exampleSubgraphUrl),
  ].filter((subgraph) => !replaced.has(subgraph.name));
  const result = composeServices([...defaults, ...extra]);
  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((error) => ({
        message: error.message,
        code: String(error.extensions['code'] ?? 'COMPOSITION_ERROR'),
      })),
    };
  }
  return {
    ok: true,
    supergraphSdl: result.supergraphSdl,
    hints: result.hints.map((hint) => ({ message: hint.message, code: hint.definition.code })),
  };
}

// ---------------------------------------------------------------------------------------------
// Command line

class UsageError extends Error {}

const USAGE = [
  'Usage: npm run compose -- [--out <file>] [--subgraph <name>=<file.graphql>@<routing url>]...',
  '  --out <file>       write the supergraph SDL to <file> instead of stdout',
  '  --subgraph ...     compose with one more subgraph (repeatable); a name already composed',
  `                     (${LEARNING_DIRECTORY_SUBGRAPH}, ${LEARNING_RECORDS_SUBGRAPH}) replaces that subgraph`,
  'Environment: SUBGRAPH_URL, EXAMPLE_SUBGRAPH_URL (routing URLs of the two default subgraphs).',
].join('\n');

/** One `--subgraph` option: where its SDL is and the routing URL to record for it. */
interface SubgraphOption {
  readonly name: string;
  readonly file: string;
  readonly url: string;
}

/**
 * `name=path@url`. The URL is what follows the last `@`, so a path may hold an `@`
 * (`node_modules/@scope/…`) but the URL may not.
 */
function parseSubgraphOption(value: string): SubgraphOption {
  const equals = value.indexOf('=');
  const at = value.lastIndexOf('@');
  const name = value.slice(0, Math.max(equals, 0));
  const file = equals >= 0 && at > equals ? value.slice(equals + 1, at) : '';
  const url = at > equals ? value.slice(at + 1) : '';
  if (!/^[A-Za-z][\w-]*$/.test(name) || file === '' || !isHttpUrl(url)) {
    throw new UsageError(
      `--subgraph must look like name=path/to/schema.graphql@http://host:port/graphql; got ${JSON.stringify(value)}.`,
    );
  }
  return { name, file, url };
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function routingUrlFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name]?.trim();
  if (!value) return fallback;
  if (!isHttpUrl(value))
    throw new UsageError(`${name} must be an http(s) URL; got ${JSON.stringify(value)}.`);
  return value;
}

/** Runs the command; returns the exit code. */
function runComposeCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
): number {
  let options: ComposeSupergraphOptions;
  let subgraphOptions: SubgraphOption[];
  let out: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        out: { type: 'string' },
        subgraph: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    out = values.out;
    subgraphOptions = (values.subgraph ?? []).map(parseSubgraphOption);
    const names = subgraphOptions.map((subgraph) => subgraph.name);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    if (repeated) throw new UsageError(`--subgraph names must differ; "${repeated}" is given twice.`);
    options = {
      subgraphUrl: routingUrlFromEnv(env, 'SUBGRAPH_URL', DEFAULT_SUBGRAPH_URL),
      exampleSubgraphUrl: routingUrlFromEnv(env, 'EXAMPLE_SUBGRAPH_URL', DEFAULT_EXAMPLE_SUBGRAPH_URL),
    };
  } catch (error) {
    // parseArgs throws TypeErrors with a readable message for unknown or incomplete options.
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    io.stderr(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }

  // npm runs scripts from the package root; paths are meant from where the user typed the command.
  const fromUserDirectory = (file: string) => path.resolve(env['INIT_CWD'] ?? process.cwd(), file);

  // A file that cannot be read or parsed is a broken subgraph, like one that does not compose.
  const subgraphs: SubgraphDefinition[] = [];
  for (const { name, file, url } of subgraphOptions) {
    try {
      subgraphs.push(readSubgraphFile(name, fromUserDirectory(file), url));
    } catch (error) {
      io.stderr(`Cannot read subgraph "${name}" from ${file}: ${(error as Error).message}\n`);
      return 1;
    }
  }

  const composition = composeSupergraph({ ...options, subgraphs });
  if (!composition.ok) {
    io.stderr(`Composition failed with ${composition.errors.length} error(s):\n`);
    for (const error of composition.errors) io.stderr(`error[${error.code}]: ${error.message}\n`);
    return 1;
  }
  // Hints (rover prints them as warnings) never fail the command, and stay off stdout.
  for (const hint of composition.hints) io.stderr(`hint[${hint.code}]: ${hint.message}\n`);
  const sdl = composition.supergraphSdl.endsWith('\n')
    ? composition.supergraphSdl
    : `${composition.supergraphSdl}\n`;
  if (out === undefined) io.stdout(sdl);
  else {
    writeFileSync(fromUserDirectory(out), sdl);
    io.stderr(`Supergraph SDL written to ${out}\n`);
  }
  return 0;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = runComposeCommand(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
