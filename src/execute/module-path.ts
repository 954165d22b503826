import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Worker threads load compiled JavaScript, never TypeScript: Node 20 cannot
 * run .ts files, and a worker does not inherit the test runner's loader.
 *
 * `compiledSibling('worker.js', import.meta.url)` is the compiled module
 * next to the calling one: from `dist/src/execute/pool.js` that is
 * `dist/src/execute/worker.js`; from the TypeScript source
 * (`src/execute/pool.ts`, as under vitest) it is the same file under
 * `dist/` — so tests need a build (`npx tsc -p .`) that is at least as new
 * as the worker's sources.
 *
 * @throws {Error} naming the missing file and the build command.
 */
export function compiledSibling(name: string, metaUrl: string): string {
  const here = fileURLToPath(metaUrl);
  const dir = dirname(here);
  let file: string;
  if (here.endsWith('.js')) {
    file = join(dir, name);
  } else {
    // src/execute/x.ts → <root>/dist/src/execute/<name>
    const root = resolve(dir, '../..');
    file = join(root, 'dist', relative(root, dir), name);
  }
  if (!existsSync(file)) {
    throw new Error(`worker module ${file} not found: build flashsim first (npx tsc -p .)`);
  }
  return file;
}
