import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The CLI tests spawn the BUILT command line (`node dist/src/cli/main.js`),
 * so they need a build at least as new as the sources. `ensureBuilt()`
 * compiles with `tsc -p .` when any file under src/ or bench/ (or tsconfig.json,
 * package.json) is newer than the last build this helper made, and does
 * nothing otherwise: with several test files (or a vitest globalSetup
 * calling it first) the compiler runs once per change, not once per file.
 * A lock directory keeps parallel test workers from compiling at once.
 *
 * tsc's exit status is ignored: it still emits when some other file of the
 * tree has a type error (`npm run typecheck` is where those are caught);
 * what matters here is that main.js was written.
 */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(ROOT, 'dist/src/cli/main.js');
const STAMP = join(ROOT, 'dist/.cli-test-build');
const LOCK = join(ROOT, 'dist/.cli-test-build.lock');

function newestSource(): number {
  let newest = Math.max(statSync(join(ROOT, 'tsconfig.json')).mtimeMs, statSync(join(ROOT, 'package.json')).mtimeMs);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.c?ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(ROOT, 'src'));
  walk(join(ROOT, 'bench'));
  return newest;
}

function fresh(): boolean {
  return existsSync(CLI) && existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSource();
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function ensureBuilt(): void {
  if (fresh()) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(LOCK, { recursive: true, force: true });
      sleep(200);
      if (fresh()) return;
    }
  }
  try {
    if (fresh()) return;
    const started = Date.now();
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: ROOT, stdio: 'pipe' });
    } catch {
      // Type errors elsewhere in the tree: tsc emitted anyway (checked below).
    }
    if (!existsSync(CLI)) throw new Error(`tsc -p . did not produce ${CLI}`);
    // Stamp with the build's start time, so that an edit made during the build triggers another one.
    writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
    utimesSync(STAMP, new Date(started), new Date(started));
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** What a run of the built CLI did. */
export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Added to the environment (NO_COLOR=1 is always set). */
  env?: Record<string, string>;
  /** Called with all of stderr so far each time more arrives (e.g. to send a signal at some point). */
  onStderr?: (text: string, child: ChildProcess) => void;
}

/** Runs `node dist/src/cli/main.js <args>` and collects its exit code and output. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** For `globalSetup` in vitest.config.ts: build once before any test file. */
export default function setup(): void {
  ensureBuilt();
}
