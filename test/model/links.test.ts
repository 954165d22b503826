import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/model/run-once.js';
import type { RunResult } from '../../src/results/result.js';
import { configOf, merge, SMALL } from '../helpers/flash-config.js';

function run(over: Record<string, unknown>): RunResult {
  return runOnce(configOf(merge(SMALL, over)), { strategy: 's', replication: 0, seed: 1 }).result;
}

describe('link disciplines and edge-to-origin RTT in a run', () => {
  // No CDN and a thin origin link: pages and scripts compete for it.
  const thin = { system: { cdn: { edges: 0 }, originLink: { bandwidth: '50Mbps' } } };

  it('fair links keep the audit clean and make small scripts faster than FIFO on a saturated link', () => {
    const fifo = run(thin);
    const fair = run(merge(thin, { system: { originLink: { discipline: 'fair' }, cdn: { edgeDiscipline: 'fair' } } }));
    for (const r of [fifo, fair]) {
      expect(r.metrics.oversell).toBe(0);
      expect(r.metrics.link_utilisation).toBeGreaterThan(0.9);
    }
    expect(fair.latency.script.p99).toBeLessThan(fifo.latency.script.p99);
  });

  it('an edge-to-origin RTT delays what misses wait for, not what hits do', () => {
    const base = run({});
    const far = run({ system: { cdn: { originRtt: '200ms' } } });
    expect(far.metrics.oversell).toBe(0);
    expect(far.latency.page.p99).toBeGreaterThan(base.latency.page.p99);
  });
});
