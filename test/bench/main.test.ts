import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../cli/build.js';

/**
 * `npm run bench` is the product's speed report: these runs at a tiny scale
 * check that its default sections still run end to end (children spawned,
 * figures computed, JSON shaped as documented), not how fast anything is.
 */
const BENCH = join(ROOT, 'dist/bench/main.js');

function bench(args: string[]): string {
  return execFileSync(process.execPath, [BENCH, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  ensureBuilt();
});

describe('npm run bench', () => {
  it('lists its sections, storm opt-in', () => {
    const list = bench(['--list']);
    expect(list).toMatch(/^kernel /m);
    expect(list).toMatch(/^seed /m);
    expect(list).toMatch(/^storm /m);
  });

  it('runs the kernel and seed sections and reports their figures as JSON', () => {
    const doc = JSON.parse(bench(['--json', '--only', 'kernel,seed', '--scale', '0.004', '--rounds', '1'])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the bench's JSON document, probed key by key
    expect(doc.ratios['1000000']).toBeGreaterThan(0);
    const seed = doc.seed;
    expect(seed.users).toBe(4000);
    expect(seed.events).toBeGreaterThan(1_000_000);
    expect(seed.loopEventsPerSecond).toBeGreaterThan(0);
    expect(seed.endToEndEventsPerSecond).toBeLessThanOrEqual(seed.loopEventsPerSecond);
    expect(seed.meanPending).toBeGreaterThan(0);
    expect(seed.peakPending).toBeGreaterThanOrEqual(seed.meanPending);
    expect(seed.kernelHold.eventsPerSecond).toBeGreaterThan(0);
    expect(seed.ratio).toBeCloseTo(seed.loopEventsPerSecond / seed.kernelHold.eventsPerSecond, 2);
    // The queue-only replay: the sale's own pops (fewer than all events: the
    // isolated main site runs on its own simulation), at some positive rate.
    expect(seed.queueOnly.pops).toBeGreaterThan(4000);
    expect(seed.queueOnly.pops).toBeLessThan(seed.events);
    expect(seed.queueOnly.eventsPerSecond).toBeGreaterThan(0);
    expect(seed.queueOnly.ratioToHold).toBeCloseTo(seed.queueOnly.eventsPerSecond / seed.kernelHold.eventsPerSecond, 2);
    // The target's budget: the loop it allows, less the queue's share, against what the rest takes.
    const { budget } = seed;
    expect(budget.targetLoopMs).toBeCloseTo((seed.events / (0.5 * seed.kernelHold.eventsPerSecond)) * 1000, -1);
    expect(budget.queueMs).toBeCloseTo((seed.queueOnly.pops / seed.queueOnly.eventsPerSecond) * 1000, -1);
    expect(budget.restBudgetMs).toBeCloseTo(budget.targetLoopMs - budget.queueMs, -1);
    expect(budget.restMs + budget.queueMs).toBeCloseTo(seed.runs[0].loopMs, -1);
    expect(budget.restNsPerEvent).toBeCloseTo((budget.restMs * 1e6) / seed.events, -1);
    expect(Number.isFinite(seed.bytesPerUser)).toBe(true);
    expect(seed.targets).toMatchObject({ ratio: 0.5, bytesPerUser: 150 });
    expect(doc.node).toBe(process.version);
  });
});
