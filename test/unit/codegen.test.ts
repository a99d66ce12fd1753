import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.ts';

describe('generated resolver types', () => {
  it('are exactly what codegen makes from schema/*.graphql today (run `npm run codegen` if this fails)', async () => {
    const outputs = (await generate({ ...config, cwd: process.cwd(), silent: true }, false)) as Array<{
      filename: string;
      content: string;
    }>;
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const committed = readFileSync(output.filename, 'utf8');
      expect(committed, `${output.filename} is stale`).toBe(output.content);
    }
  });
});
