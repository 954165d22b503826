/**
 * Seed-design storm benchmark: scenarios/flash-sale.yaml's seed design at
 * 1,000,000 users, single-threaded, and the main job a user runs.
 *
 * - Events/s: the event loop's rate (model built, `sim.run()` timed, result
 *   not yet built) and the end-to-end rate including building the model and
 *   the result. Median of `min(rounds, 3)` runs, each in a fresh child process.
 * - Pending count: the event-weighted mean (and peak) of pending events
 *   during the loop, sampled every 4096 events.
 * - Memory: peak RSS of a child at 1M and at 250k users; their difference
 *   over 750k users is the cost per user, the rest is the fixed base.
 * - Main job: `sim run scenarios/flash-sale.yaml --users 1m` (every
 *   strategy, default workers, every report and table written), wall time.
 *
 * Targets: ≤ 150 bytes per user; the main job ≤ 15 s on a 2-core machine.
 * The child also runs the order-heavy case of bench/orders.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childMain, FLASH_SALE_SCENARIO, ROOT, runChild } from './child.js';
import { formatRate, median, type BenchOptions, type BenchSection } from './section.js';
import type { FlashSaleModel } from '../src/model/flash-sale-model.js';

const USERS = 1_000_000;
const SMALL_USERS = 250_000;
const TARGET_MAIN_JOB_SECONDS = 15;
const TARGET_BYTES_PER_USER = 150;
const SAMPLE_EVERY = 4096;

/** What one child run reports. */
export interface SeedRun {
  users: number;
  buildMs: number;
  loopMs: number;
  resultMs: number;
  events: number;
  meanPending: number;
  peakPending: number;
  peakRssBytes: number;
}

/** A builder of the seed design's model at `users` users (modules loaded and the scenario resolved beforehand). */
async function seedDesign(users: number, set: string[] = []): Promise<() => FlashSaleModel> {
  const { prepareRun } = await import('../src/app/prepare.js');
  const { FlashSaleModel } = await import('../src/model/flash-sale-model.js');
  const task = prepareRun(FLASH_SALE_SCENARIO, { users, strategies: ['seed-design'], set }).plan.tasks[0];
  return () => new FlashSaleModel(task.config, { strategy: task.strategy, replication: task.replication, seed: task.seed });
}

/**
 * The seed design at `users` users in a fresh child process; with `set`
 * (`--set` assignments), a variant of it (bench/orders.ts's order-heavy case).
 */
export function runSeedChild(users: number, set: string[] = []): Promise<SeedRun> {
  return runChild<SeedRun>(fileURLToPath(import.meta.url), [String(users), ...set]);
}

/** Wall time of `sim run <args>` (the built CLI) in a child process, ms. */
export function cliWallMs(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'run', ...args], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1 && run.status !== 99)
    throw new Error(`sim run ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
  return performance.now() - started;
}

async function child(argv: string[]): Promise<SeedRun> {
  const users = Number(argv[0]);
  const build = await seedDesign(users, argv.slice(1));
  const { buildResult } = await import('../src/model/build-result.js');
  const started = performance.now();
  const model = build();
  const built = performance.now();
  let samples = 0;
  let pendingSum = 0;
  let peakPending = 0;
  model.sim.run(
    {},
    {
      every: SAMPLE_EVERY,
      onProgress: (sim) => {
        const pending = sim.pending;
        samples++;
        pendingSum += pending;
        if (pending > peakPending) peakPending = pending;
      },
    },
  );
  const looped = performance.now();
  buildResult(model);
  const finished = performance.now();
  return {
    users,
    buildMs: built - started,
    loopMs: looped - built,
    resultMs: finished - looped,
    events: model.eventsProcessed,
    meanPending: samples > 0 ? pendingSum / samples : 0,
    peakPending,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)}s`;
const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

export const seedSection: BenchSection = {
  name: 'seed',
  description: 'seed design, 1M users, 1 thread: loop events/s, RSS per user; the main job (all strategies, 1M users) wall time',
  async run(options: BenchOptions) {
    const file = fileURLToPath(import.meta.url);
    const users = Math.max(4_000, Math.round(USERS * options.scale));
    const small = Math.max(1_000, Math.round(SMALL_USERS * options.scale));
    const repeats = Math.min(options.rounds, 3);
    const runs: SeedRun[] = [];
    for (let i = 0; i < repeats; i++) {
      options.log(`seed: ${users.toLocaleString('en')} users, run ${i + 1}/${repeats} …`);
      runs.push(await runChild<SeedRun>(file, [String(users)]));
    }
    options.log(`seed: ${small.toLocaleString('en')} users (memory baseline) …`);
    const smallRun = await runChild<SeedRun>(file, [String(small)]);
    const byLoop = [...runs].sort((a, b) => a.loopMs - b.loopMs);
    const typical = byLoop[(byLoop.length - 1) >> 1];
    const loopRate = typical.events / (typical.loopMs / 1000);
    const endToEnd = median(runs.map((r) => r.events / ((r.buildMs + r.loopMs + r.resultMs) / 1000)));
    const pending = Math.round(typical.meanPending);
    const out = mkdtempSync(join(tmpdir(), 'flashsim-bench-'));
    const mainUsers = Math.max(4_000, Math.round(USERS * options.scale));
    options.log(`seed: main job, sim run flash-sale.yaml --users ${mainUsers.toLocaleString('en')} (every strategy, default workers) …`);
    let mainJobMs: number;
    try {
      mainJobMs = cliWallMs([FLASH_SALE_SCENARIO, '--users', String(mainUsers), '--no-progress', '-q', '--out', out]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const peakRss = Math.max(...runs.map((r) => r.peakRssBytes));
    const bytesPerUser = (peakRss - smallRun.peakRssBytes) / (users - small);
    const baseBytes = smallRun.peakRssBytes - bytesPerUser * small;
    const json = {
      seed: {
        scenario: 'scenarios/flash-sale.yaml',
        strategy: 'seed-design',
        users,
        runs: runs.map((r) => ({ buildMs: Math.round(r.buildMs), loopMs: Math.round(r.loopMs), resultMs: Math.round(r.resultMs) })),
        events: typical.events,
        wallMs: Math.round(typical.buildMs + typical.loopMs + typical.resultMs),
        loopEventsPerSecond: Math.round(loopRate),
        endToEndEventsPerSecond: Math.round(endToEnd),
        meanPending: pending,
        peakPending: typical.peakPending,
        mainJob: { users: mainUsers, strategies: 'all', wallMs: Math.round(mainJobMs) },
        peakRssMiB: mib(peakRss),
        smallUsers: small,
        smallPeakRssMiB: mib(smallRun.peakRssBytes),
        bytesPerUser: Math.round(bytesPerUser),
        baseMiB: mib(baseBytes),
        targets: {
          mainJobSeconds: TARGET_MAIN_JOB_SECONDS,
          mainJobMet: mainJobMs <= TARGET_MAIN_JOB_SECONDS * 1000,
          bytesPerUser: TARGET_BYTES_PER_USER,
          bytesPerUserMet: bytesPerUser <= TARGET_BYTES_PER_USER,
        },
      },
    };
    const lines = [
      `seed: flash-sale.yaml seed design, ${users.toLocaleString('en')} users, 1 thread; median of ${repeats} runs, each in a fresh process`,
      `  ${typical.events.toLocaleString('en')} events; build ${secs(typical.buildMs)} + loop ${secs(typical.loopMs)} + result ${secs(typical.resultMs)} = ${secs(typical.buildMs + typical.loopMs + typical.resultMs)} wall`,
      `  loop ${formatRate(loopRate)} events/s (end to end ${formatRate(endToEnd)}/s); pending events: mean ${pending.toLocaleString('en')}, peak ${typical.peakPending.toLocaleString('en')}`,
      `  main job: sim run flash-sale.yaml --users ${mainUsers.toLocaleString('en')}, every strategy, default workers, every report: ${secs(mainJobMs)} wall (target ≤ ${TARGET_MAIN_JOB_SECONDS}s): ${mainJobMs <= TARGET_MAIN_JOB_SECONDS * 1000 ? 'met' : 'NOT met'}`,
      `  peak RSS ${mib(peakRss)} MiB (${small.toLocaleString('en')} users: ${mib(smallRun.peakRssBytes)} MiB): ${Math.round(bytesPerUser)} bytes/user above a ${mib(baseBytes)} MiB base (target ≤ ${TARGET_BYTES_PER_USER}): ${bytesPerUser <= TARGET_BYTES_PER_USER ? 'met' : 'NOT met'}`,
    ];
    return { json, lines };
  },
};

childMain(import.meta.url, child);
