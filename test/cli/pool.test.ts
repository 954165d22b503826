import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, type CliOutcome } from './build.js';

/**
 * `sim run` on the worker pool, through the built CLI: byte-identical
 * summary.json for 1, 2 and 4 workers (and the pool really used), and a
 * task that throws or whose worker thread dies (injected with
 * FLASHSIM_TEST_FAULT) gives exit 70, a message naming the task, and no
 * output directory.
 */

type Outcome = CliOutcome;

const sim = (args: string[], env: Record<string, string> = {}): Promise<Outcome> => runCli(args, { env });

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-pool-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Timing {
  workers: number;
  tasks: Array<{ strategy: string; replication: number; worker?: { threadId: number; peakBytes: number } }>;
}

describe('sim run on the pool', () => {
  it('same scenario and seed: byte-identical summary.json with --workers 1, 2 and 4', async () => {
    const outcomes = new Map<number, Outcome>();
    for (const workers of [1, 2, 4]) {
      const out = join(work, `w${workers}`);
      outcomes.set(
        workers,
        await sim([
          'run',
          'scenarios/smoke.yaml',
          '--replications',
          '3',
          '--workers',
          String(workers),
          '--out',
          out,
          '--quiet',
          '--no-progress',
        ]),
      );
    }
    const summary = (w: number) => readFileSync(join(work, `w${w}`, 'summary.json'), 'utf8');
    const timing = (w: number) => JSON.parse(readFileSync(join(work, `w${w}`, 'timing.json'), 'utf8')) as Timing;
    for (const [w, r] of outcomes) {
      expect(r.stderr, `--workers ${w}`).toBe('');
      expect(r.code, `--workers ${w}`).toBe(0); // smoke's naive strategy breaks what it declares: caught
    }
    expect(summary(2)).toBe(summary(1));
    expect(summary(4)).toBe(summary(1));
    // 2 strategies × 3 replications = 6 tasks: in-process with 1 worker, in worker threads otherwise.
    expect(timing(1).tasks.every((t) => t.worker === undefined)).toBe(true);
    for (const w of [2, 4]) {
      const t = timing(w);
      expect(t.workers).toBe(w);
      expect(t.tasks.map((x) => `${x.strategy}/${x.replication}`)).toEqual(timing(1).tasks.map((x) => `${x.strategy}/${x.replication}`));
      const threads = new Set(t.tasks.map((x) => x.worker?.threadId));
      expect(threads.has(undefined)).toBe(false);
      expect(threads.size).toBeGreaterThanOrEqual(2);
      expect(threads.size).toBeLessThanOrEqual(w);
    }
  });

  it.each([
    ['throw@1', 'failed in a worker thread: injected fault (FLASHSIM_TEST_FAULT=throw@1)'],
    ['exit@1', 'failed in a worker thread: the worker thread died (exit code 3)'],
  ])('a fault in a worker (%s): exit 70, the task named, nothing written', async (fault, reason) => {
    const out = join(work, `fault-${fault}`);
    const started = performance.now();
    const r = await sim(['run', 'test/cli/fixtures/pass.yaml', '--workers', '2', '--out', out, '--no-progress'], {
      FLASHSIM_TEST_FAULT: fault,
    });
    expect(r.code).toBe(70);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `flashsim: internal error: task 1 (strategy more-servers, replication 0) ${reason} (a bug in flashsim; --verbose shows the stack trace)\n`,
    );
    expect(existsSync(out)).toBe(false);
    expect(performance.now() - started).toBeLessThan(60_000);
  });
});
