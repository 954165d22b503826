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
  it('lists its sections, storm and large-stock opt-in', () => {
    const list = bench(['--list']);
    for (const name of ['kernel', 'peer', 'seed', 'orders', 'storm', 'large-stock']) expect(list).toMatch(new RegExp(`^${name} `, 'm'));
  });

  it('runs the kernel, peer, seed and orders sections and reports their figures as JSON', () => {
    const args = ['--json', '--only', 'kernel,peer,seed,orders', '--scale', '0.004', '--rounds', '1'];
    const doc = JSON.parse(bench(args)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the bench's JSON document, probed key by key
    expect(doc.ratios['1000000']).toBeGreaterThan(0);
    const seed = doc.seed;
    expect(seed.users).toBe(4000);
    expect(seed.events).toBeGreaterThan(1_000_000);
    expect(seed.loopEventsPerSecond).toBeGreaterThan(0);
    expect(seed.endToEndEventsPerSecond).toBeLessThanOrEqual(seed.loopEventsPerSecond);
    expect(seed.meanPending).toBeGreaterThan(0);
    expect(seed.peakPending).toBeGreaterThanOrEqual(seed.meanPending);
    expect(seed.mainJob.wallMs).toBeGreaterThan(0);
    expect(seed).not.toHaveProperty('budget');
    expect(Number.isFinite(seed.bytesPerUser)).toBe(true);
    expect(seed.targets).toMatchObject({ mainJobSeconds: 15, bytesPerUser: 150 });
    // The loss model on the kernel: its blocking within its interval of Erlang B's at this size.
    const peer = doc.peer;
    expect(peer.customers).toBe(20_000);
    expect(peer.erlangB).toBeCloseTo(0.1217, 4);
    expect(Math.abs(peer.kernel.blocking - peer.erlangB)).toBeLessThan(0.03);
    expect(peer.kernel.eventsPerSecond).toBeGreaterThan(0);
    expect(peer.simpy.skipped ?? peer.simpy.eventsPerSecond).toBeTruthy();
    const orders = doc.orders;
    expect(orders.loopEventsPerSecond).toBeGreaterThan(0);
    expect(orders.ratio).toBeCloseTo(orders.loopEventsPerSecond / orders.storm.loopEventsPerSecond, 2);
    expect(orders.target).toMatchObject({ ratio: 0.5 });
    expect(doc.node).toBe(process.version);
  });
});
