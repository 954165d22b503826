/**
 * k6-style thresholds over the named metrics of a run:
 *
 *     thresholds:
 *       order_latency: ['p(99)<500ms', 'avg<200ms']
 *       page_error_rate: ['rate<1%']
 *       oversell: ['count==0']
 *       cdn_hit_ratio: ['value>=0.95']   # or rate>=95%
 *
 * Grammar: `<aggregation> <op> <number>[unit]`, op one of < <= > >= == !=.
 *
 * Which aggregations fit which metric kind (see METRIC_CATALOGUE):
 * - latency: `p(N)` (0 < N <= 100), `avg`, `med`, `min`, `max` with a
 *   duration limit (`500ms`, `1.5s`, `250us`, `2m`), and `count` (number of
 *   samples) with a plain number;
 * - rate: `rate`, a fraction (`0.01`) or a percentage (`1%`);
 * - count: `count`, a plain number;
 * - value: `value`; a limit in the metric's unit: a duration for µs metrics,
 *   a fraction or percentage for fraction metrics, else a plain number.
 *
 * Decisions:
 * - A latency limit must carry a unit: k6 reads a bare `p(99)<500` as
 *   milliseconds, our metrics are in µs, and guessing either way would be
 *   wrong for someone; the message says to write `500ms`.
 * - A metric with no value (no samples, or null in `result.metrics`, e.g.
 *   sell_out_time when stock remained) fails its thresholds, with `actual`
 *   null: a criterion that cannot be checked does not pass silently.
 * - `p(50)`, `p(90)`, `p(99)`, `p(99.9)` and `p(100)` come from the latency
 *   summary; other percentiles from its encoded histogram.
 */
import { FlashsimError } from '../errors.js';
import { parseDuration } from '../kernel/units.js';
import { METRIC_CATALOGUE, metricRange, type MetricName } from './catalogue.js';

/** An expression that does not parse or does not fit its metric. */
export class ThresholdError extends FlashsimError {}

/** The left-hand side of an expression (k6 names; `p` is `p(N)`). */
export type Aggregation = 'p' | 'avg' | 'med' | 'min' | 'max' | 'count' | 'rate' | 'value';
/** The operator of an expression. */
export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A parsed threshold expression. */
export interface Threshold {
  /** The catalogue metric it tests. */
  metric: MetricName;
  /** The expression as written. */
  expression: string;
  /** What of the metric is compared; must suit its kind. */
  aggregation: Aggregation;
  /** For `p(N)`: N. */
  percentile?: number;
  /** The comparison. */
  op: Comparison;
  /** The limit in the metric's internal unit (µs for times, a fraction for rates). */
  limit: number;
}

/** The one grammar of an expression: aggregation, operator, number, unit. */
const EXPRESSION =
  /^\s*(p\(\s*([0-9.]+)\s*\)|avg|min|max|med|rate|count|value)\s*(<=|>=|==|!=|<|>)\s*(-?[0-9.]+)\s*(us|µs|ms|s|m|h|%)?\s*$/;
const DURATION_UNITS = new Set(['us', 'µs', 'ms', 's', 'm', 'h']);

const FITTING: Record<string, string> = {
  latency: 'p(N), avg, med, min, max or count',
  rate: 'rate',
  count: 'count',
  value: 'value',
};

/**
 * Parses an expression for a metric and checks that it fits the metric's kind.
 * @throws {ThresholdError} with a message fit for a scenario issue.
 */
export function parseThreshold(metric: string, expression: string): Threshold {
  if (!Object.hasOwn(METRIC_CATALOGUE, metric)) throw new ThresholdError(`unknown metric "${metric}"`);
  const info = METRIC_CATALOGUE[metric as MetricName];
  const m = EXPRESSION.exec(expression);
  if (!m) throw new ThresholdError(THRESHOLD_SYNTAX);
  const aggregation = (m[2] !== undefined ? 'p' : m[1]) as Aggregation;
  const op = m[3] as Comparison;
  const number = Number(m[4]);
  const unit = m[5];
  if (!Number.isFinite(number)) throw new ThresholdError(`"${m[4]}" is not a number`);
  // A negative limit only makes sense for a metric that can be negative
  // (sell_out_time: sold out before T0); on any other it can never be met
  // or never fail.
  const negative = m[4].startsWith('-');
  if (number < 0 && metricRange(metric).min !== undefined)
    throw new ThresholdError(`${metric} is never negative: the limit must be at least 0`);
  const shownAggregation = aggregation === 'p' ? 'p(N)' : aggregation;
  const fits = info.kind === 'latency' ? !['rate', 'value'].includes(aggregation) : aggregation === (info.kind as string);
  if (!fits) {
    throw new ThresholdError(`${shownAggregation} does not apply to ${metric}, a ${info.kind} metric: use ${FITTING[info.kind]}`);
  }
  let percentile: number | undefined;
  if (aggregation === 'p') {
    percentile = Number(m[2]);
    if (!(percentile > 0 && percentile <= 100)) throw new ThresholdError(`the percentile must be above 0 and at most 100`);
  }

  const wantsDuration = (info.kind === 'latency' && aggregation !== 'count') || (info.kind === 'value' && info.unit === 'µs');
  const isFraction = info.kind === 'rate' || info.unit === 'fraction';
  let limit: number;
  if (wantsDuration) {
    if (unit === undefined || !DURATION_UNITS.has(unit)) {
      throw new ThresholdError(`the limit of ${metric} is a duration and needs a unit, e.g. ${m[4]}ms or ${m[4]}s`);
    }
    const magnitude = parseDuration(`${negative ? m[4].slice(1) : m[4]}${unit}`);
    limit = negative && magnitude > 0 ? -magnitude : magnitude;
  } else if (unit === '%') {
    if (!isFraction) throw new ThresholdError(`${metric} is not a fraction: write its limit without %`);
    limit = number / 100;
  } else if (unit !== undefined) {
    throw new ThresholdError(`${metric} is not a duration: write its limit without a unit`);
  } else {
    limit = number;
  }
  if (isFraction && limit > 1) throw new ThresholdError(`${metric} is a fraction from 0 to 1: the limit must be at most 1 (or 100%)`);
  return { metric: metric as MetricName, expression, aggregation, ...(percentile !== undefined ? { percentile } : {}), op, limit };
}

/** Why an expression is not in the grammar at all (whatever its metric). */
export const THRESHOLD_SYNTAX = 'must look like p(99)<500ms, avg<200ms, rate<0.01, count==0 or value>=0.95';

/** Whether `expression` is in the grammar (its fit to a metric is {@link parseThreshold}'s to check). */
export function isThresholdSyntax(expression: string): boolean {
  return EXPRESSION.test(expression);
}

/** An expression's two sides as written: the aggregation (`p(99)`) and the operator, for messages. */
export function expressionParts(expression: string): { aggregation: string; op: string } {
  const m = EXPRESSION.exec(expression);
  return m ? { aggregation: m[1], op: m[3] } : { aggregation: expression.trim(), op: '' };
}
