import { describe, expect, it } from 'vitest';
import { mdCell, renderSummaryMarkdown, reproduceCommand } from '../../src/report/summary-md.js';
import { twoStrategies } from '../helpers/summary.js';

describe('summary.md', () => {
  it('has the headline, every catalogue metric, invariants, thresholds and a reproduce command', () => {
    const md = renderSummaryMarkdown(twoStrategies());
    expect(md).toContain('# hand-made');
    expect(md).toContain('| orders_created |');
    expect(md).toContain('| order_latency p99 |');
    expect(md).toContain('| naive | no-oversell | **FAIL** |');
    // Every raw counter, e.g. the ones a scenario's comment points at.
    expect(md).toContain('## Counters');
    expect(md).toMatch(/\| unitsLeaked \| 0 \| 0 \|/);
    expect(md).toMatch(/\| tokenRejected\.forged \|/);
    expect(md).toContain('flashsim run scenarios/hand-made.yaml --seed 42 --replications 2 --set sale.stock=10');
    // Every table row of a table has the same number of cells.
    for (const table of md.split('\n\n').filter((b) => b.startsWith('|'))) {
      const counts = table.split('\n').map((l) => l.replace(/\\\|/g, '').split('|').length);
      expect(new Set(counts).size).toBe(1);
    }
  });

  it('escapes cells and quotes shell arguments', () => {
    expect(mdCell('a|b\nc')).toBe('a\\|b c');
    const s = twoStrategies();
    s.options.set = ["users.count=it's 5"];
    expect(reproduceCommand(s)).toContain(`--set 'users.count=it'\\''s 5'`);
  });
});
