/**
 * Measurements that need a process of their own (peak RSS, no garbage or JIT
 * state from an earlier measurement): a section re-runs one of the built
 * bench files with `--child <mode> …`, and the child prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file is dist/bench/child.js once built). */
export const ROOT = resolve(HERE, HERE.includes(`${join('dist', 'bench')}`) ? '../..' : '..');
/** The scenario the storm benchmarks run. */
export const FLASH_SALE_SCENARIO = join(ROOT, 'scenarios/flash-sale.yaml');

/**
 * Runs `node --max-old-space-size=8192 <file> --child <args…>` from the
 * repository root and resolves with the last line it printed, parsed as JSON.
 * Rejects, with the child's stderr, when it exits non-zero.
 */
export function runChild<T>(file: string, args: string[]): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(process.execPath, ['--max-old-space-size=8192', file, '--child', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench child ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
      try {
        resolvePromise(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
      } catch (error) {
        reject(new Error(`bench child ${args.join(' ')} printed no report: ${(error as Error).message}\n${stderr}`));
      }
    });
  });
}

/**
 * When `file` (a module's `import.meta.url`) was started as a child, runs
 * `body` with the arguments after `--child`, printing its result as one JSON
 * line; failures go to stderr with exit code 70.
 */
export function childMain(moduleUrl: string, body: (args: string[]) => Promise<unknown>): void {
  let entry: boolean;
  try {
    entry = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    entry = false;
  }
  if (!entry || process.argv[2] !== '--child') return;
  body(process.argv.slice(3)).then(
    (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
