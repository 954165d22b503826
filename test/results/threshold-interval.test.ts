import { describe, expect, expectTypeOf, it } from 'vitest';
import { precisionThresholds } from '../../src/app/precision.js';
import { parseThreshold } from '../../src/metrics/thresholds.js';
import type { ConstraintOutcome } from '../../src/results/plan.js';
import type { PrecisionThreshold } from '../../src/results/summary.js';
import type { ThresholdInterval } from '../../src/results/threshold-interval.js';
import { decideThreshold, type IntervalVerdict } from '../../src/verify/interval-verdict.js';

/*
 * One interval type for `sim plan` and `sim run --precision`: the type
 * checks (tsconfig.test.json) fail when one of them grows a field of its
 * own under a shared name; the runtime checks pin the JSON keys each writes.
 */

describe('ThresholdInterval', () => {
  it('is the one shape of plan.json constraints, --precision thresholds and interval verdicts', () => {
    expectTypeOf<ConstraintOutcome>().toEqualTypeOf<Omit<ThresholdInterval, 'halfWidth'>>();
    expectTypeOf<Omit<PrecisionThreshold, 'relativeHalfWidth' | 'status'>>().toEqualTypeOf<ThresholdInterval>();
    expectTypeOf<Omit<IntervalVerdict, 'reason'>>().toEqualTypeOf<ThresholdInterval>();
  });

  it('keeps the JSON keys (and their order) of summary.json’s precision thresholds', () => {
    const t = parseThreshold('order_reject_rate', 'rate<10%');
    const [judged] = precisionThresholds([t], [[0.05, 0.06, 0.07]], 0.05);
    expect(Object.keys(judged)).toEqual(['id', 'n', 'mean', 'halfWidth', 'low', 'high', 'relativeHalfWidth', 'holds', 'status']);
    const { reason: _reason, ...verdict } = decideThreshold([0.05, 0.06, 0.07], t);
    expect(Object.keys(verdict)).toEqual(['id', 'n', 'mean', 'halfWidth', 'low', 'high', 'holds']);
  });
});
