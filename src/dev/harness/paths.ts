import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where the built scripts are, for the bench and the soak, which run the product as a user does
 * (`node dist/main.js`) and their helpers as child processes. Resolved from this file, which
 * builds into `dist/dev/harness/`.
 */
const HARNESS_DIR = path.dirname(fileURLToPath(import.meta.url));

/** `dist/`. */
export const DIST_DIR = path.resolve(HARNESS_DIR, '..', '..');

/** `dist/main.js`: the subgraph as `npm start` runs it. */
export const MAIN_SCRIPT = path.join(DIST_DIR, 'main.js');

/** A script of the shared harness (`dist/dev/harness/<name>`). */
export function harnessScript(name: string): string {
  return path.join(HARNESS_DIR, name);
}

/** `--import` arguments that make a child process exit when its parent dies (`orphan-guard.ts`). */
export function orphanGuardImport(): string[] {
  return ['--import', pathToFileURL(harnessScript('orphan-guard.js')).href];
}
