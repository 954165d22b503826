import { describe, expect, it } from 'vitest';
import { sweepChart } from '../../../src/report/charts/specs.js';

describe('sweepChart: coinciding lines', () => {
  it('labels a series that lies on an earlier one and draws it dashed with larger markers', () => {
    const points = [
      { x: 1, y: 10 },
      { x: 2, y: 20 },
    ];
    const chart = sweepChart(
      {
        param: 'p',
        values: [1, 2],
        series: [
          { label: 'a', points },
          { label: 'b', points },
          {
            label: 'c',
            points: [
              { x: 1, y: 5 },
              { x: 2, y: 1 },
            ],
          },
        ],
      },
      { metric: 'm' },
    );
    const [a, b, c] = chart.config.data.datasets;
    expect([a.label, b.label, c.label]).toEqual(['a', 'b (≈ a)', 'c']);
    expect(b.borderDash).toEqual([6, 4]);
    expect(b.pointRadius).toBeGreaterThan(a.pointRadius as number);
    expect(a.borderDash).toBeUndefined();
  });
});
