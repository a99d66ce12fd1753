import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';
import { syncAll } from '../helpers/directory.ts';

/**
 * The README's "Example queries", run as a user would run them (against the sandbox organisation,
 * through the subgraph's HTTP server), each answer compared with the one the README shows: the
 * section cannot drift from what the subgraph answers.
 *
 * In that section each example is a `graphql` block, the `json` block after it is its answer, and
 * a `json variables` block before the answer holds its variables.
 */

interface ReadmeExample {
  readonly query: string;
  readonly variables: Record<string, unknown> | undefined;
  readonly answer: unknown;
  /** The line of the README the query starts on, for the test's name. */
  readonly line: number;
}

const README = new URL('../../README.md', import.meta.url);
const SECTION = '## Example queries';

function readmeExamples(): ReadmeExample[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README.md has no "${SECTION}" section`);
  const end = text.indexOf('\n## ', start + SECTION.length + 2);
  const section = text.slice(start, end < 0 ? undefined : end);
  const firstLine = text.slice(0, start).split('\n').length + 1;

  const examples: ReadmeExample[] = [];
  let query: { text: string; line: number } | undefined;
  let variables: Record<string, unknown> | undefined;
  for (const block of section.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const info = block[1]!.trim();
    const body = block[2]!;
    const line = firstLine + section.slice(0, block.index).split('\n').length - 1;
    if (info === 'graphql') query = { text: body, line };
    else if (info === 'json variables') variables = JSON.parse(body) as Record<string, unknown>;
    else if (info === 'json') {
      if (!query) throw new Error(`README.md line ${line}: an answer with no query before it`);
      examples.push({ query: query.text, variables, answer: JSON.parse(body), line: query.line });
      query = undefined;
      variables = undefined;
    }
  }
  return examples;
}

const EXAMPLES = readmeExamples();

describe(`README.md "${SECTION.slice(3)}"`, () => {
  let stack: Stack;
  beforeAll(async () => {
    // As `npm start` runs: the directory on, its first full syncs applied.
    stack = await startStack({ directory: {} });
    await syncAll(stack);
  });
  afterAll(() => stack?.close());

  it('holds the examples the tests below run', () => {
    // Five today: a change that loses one (a block not fenced as `graphql`) shows here.
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(5);
  });

  it.each(EXAMPLES.map((example) => [example.line, example] as const))(
    'the query at line %i gets the answer shown',
    async (_line, example) => {
      expect(await stack.query(example.query, example.variables)).toEqual(example.answer);
    },
  );
});
