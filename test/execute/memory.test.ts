import { describe, expect, it } from 'vitest';
import { estimateRunBytes, fitWorkers, PROCESS_BASE_BYTES, RUN_BASE_BYTES, RUN_BYTES_PER_USER } from '../../src/execute/memory.js';
import type { RunPlan } from '../../src/execute/plan.js';

/** A plan whose tasks have these populations (only users.count matters to the estimate). */
function planOf(...users: number[]): RunPlan {
  const tasks = users.map((count, index) => ({ index, strategy: `s${index}`, replication: 0, seed: 1, config: { users: { count } } }));
  return { scenario: { name: 'x', file: 'x.yaml' }, strategies: [], tasks } as unknown as RunPlan;
}

const MiB = 2 ** 20;

describe('memory estimate', () => {
  it('a base per run plus a fixed amount per user', () => {
    expect(estimateRunBytes(0)).toBe(RUN_BASE_BYTES);
    expect(estimateRunBytes(1_000_000)).toBe(RUN_BASE_BYTES + 1_000_000 * RUN_BYTES_PER_USER);
  });

  it('keeps the workers asked for when every run that goes at once fits', () => {
    const run = estimateRunBytes(1_000_000);
    expect(fitWorkers([planOf(1e6, 1e6)], 2, PROCESS_BASE_BYTES + 2 * run)).toEqual({
      workers: 2,
      limited: false,
      atOnce: 2,
      largestUsers: 1e6,
      largestRunBytes: run,
    });
    // One task never runs more than one at a time: 8 workers asked, room for 1, nothing to limit.
    expect(fitWorkers([planOf(1e6)], 8, PROCESS_BASE_BYTES + run)).toMatchObject({ workers: 8, limited: false });
  });

  it('runs fewer at once when memory says so, sized by the largest run of every plan', () => {
    const large = estimateRunBytes(10_000_000);
    expect(fitWorkers([planOf(1e6, 1e6, 1e6), planOf(1e7)], 4, PROCESS_BASE_BYTES + 2 * large + MiB)).toMatchObject({
      workers: 2,
      limited: true,
      largestUsers: 1e7,
    });
  });

  it('0 when not even one run fits', () => {
    expect(fitWorkers([planOf(1e8)], 2, 8 * 1024 * MiB)).toMatchObject({ workers: 0, limited: true });
    expect(fitWorkers([planOf(10)], 1, PROCESS_BASE_BYTES)).toMatchObject({ workers: 0, limited: true });
  });
});
