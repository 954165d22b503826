/**
 * sweep.json's contract: the metrics a sweep can report and the shape of
 * its result. Built by src/app/sweep.ts, rendered by src/report/sweep.ts.
 */
import { UsageError } from '../errors.js';
import { METRIC_CATALOGUE, type MetricName } from '../metrics/catalogue.js';
import type { Estimate } from './aggregate.js';
import { latencyNameOf, measuredLatency, measuredMetric, type LatencyStat, type SummaryRun } from './result.js';
import type { RunOptionsRecord } from './summary.js';

/** sweep.json's format version; bumped on incompatible changes. */
export const SWEEP_SCHEMA_VERSION = 1;

/** Metrics reported when none are chosen. */
export const DEFAULT_SWEEP_METRICS = [
  'order_latency.p99',
  'page_latency.p99',
  'sell_out_time',
  'orders_created',
  'order_reject_rate',
  'origin_peak_rps',
] as const;

const LATENCY_STATS = ['p50', 'p90', 'p99', 'p999', 'mean', 'min', 'max'] as const satisfies readonly LatencyStat[];

/** A metric a sweep reports: a catalogue metric, or a latency statistic such as `order_latency.p99`. */
export interface SweepMetric {
  /** As reported: `sell_out_time` or `order_latency.p99`. */
  name: string;
  /** The catalogue entry it comes from (its unit and kind decide the formatting). */
  metric: MetricName;
  /** `µs` for latencies and times, otherwise the catalogue's unit. */
  unit: string;
  /** One line, from the catalogue. */
  description: string;
}

/** Parses a metric name; throws a UsageError listing the choices for an unknown one. */
export function parseSweepMetric(name: string): SweepMetric {
  const [base, stat, ...rest] = name.trim().split('.');
  const info = (METRIC_CATALOGUE as Record<string, { kind: string; unit: string; description: string } | undefined>)[base];
  const latencies = Object.entries(METRIC_CATALOGUE)
    .filter(([, i]) => i.kind === 'latency')
    .map(([n]) => n);
  const others = Object.entries(METRIC_CATALOGUE)
    .filter(([, i]) => i.kind !== 'latency')
    .map(([n]) => n);
  const choices = `a latency statistic (${latencies[0]}.p99; statistics ${LATENCY_STATS.join(', ')}) or one of ${others.join(', ')}`;
  if (!info || rest.length > 0) throw new UsageError(`--metric ${JSON.stringify(name)}: unknown metric; expected ${choices}`);
  if (info.kind === 'latency') {
    if (stat === undefined)
      throw new UsageError(
        `--metric ${JSON.stringify(name)}: ${base} is a latency; name a statistic, e.g. ${base}.p99 (${LATENCY_STATS.join(', ')})`,
      );
    if (!(LATENCY_STATS as readonly string[]).includes(stat)) {
      throw new UsageError(
        `--metric ${JSON.stringify(name)}: unknown latency statistic ${JSON.stringify(stat)}; expected one of ${LATENCY_STATS.join(', ')}`,
      );
    }
    return { name: `${base}.${stat}`, metric: base as MetricName, unit: 'µs', description: `${stat} of: ${info.description}` };
  }
  if (stat !== undefined) throw new UsageError(`--metric ${JSON.stringify(name)}: ${base} has no statistics; write just ${base}`);
  return { name: base, metric: base as MetricName, unit: info.unit, description: info.description };
}

/** The value of a sweep metric in one run (null when the run could not measure it). */
export function metricValue(metric: SweepMetric, run: SummaryRun): number | null {
  const [, stat] = metric.name.split('.') as [string, LatencyStat | undefined];
  return stat !== undefined ? measuredLatency(run, latencyNameOf(metric.metric)!, stat) : measuredMetric(run, metric.name);
}

/** One swept parameter and its values, in the order given. */
export interface SweepAxis {
  /** Dotted config path, e.g. `system.orderServers.slots`. */
  path: string;
  /** Values as written (units parsed when applied). */
  values: string[];
}

/** A strategy at a grid point. */
export interface SweepCell {
  /** The strategy's name. */
  strategy: string;
  /** Every invariant held in every replication. */
  invariantsPassed: boolean;
  /** Every threshold passed. */
  thresholdsPassed: boolean;
  /** The checks that failed, as `name: message` (empty when all hold). */
  failures: string[];
  /** Metric name → mean and 95% CI across replications (catalogue units: µs for times). */
  metrics: Record<string, Estimate>;
}

/** One grid point's outcome. */
export interface SweepPoint {
  /** Position in the grid, from 0. */
  index: number;
  /** Parameter path → value as written. */
  parameters: Record<string, string>;
  /** One cell per strategy, in plan order. */
  strategies: SweepCell[];
}

/** sweep.json: deterministic (no wall clock). */
export interface SweepResult {
  /** {@link SWEEP_SCHEMA_VERSION}. */
  schemaVersion: number;
  /** Tells a sweep.json from a summary.json. */
  kind: 'flashsim-sweep';
  /** The flashsim that wrote it. */
  tool: { name: 'flashsim'; version: string };
  /** The scenario swept. */
  scenario: { name: string; file: string; description: string | null };
  /** The first strategy's master seed at the first point. */
  seed: number | string;
  /** Most replications of any strategy at the first point. */
  replications: number;
  /** The command-line options. */
  options: RunOptionsRecord;
  /** The swept parameters. */
  parameters: SweepAxis[];
  /** The metrics reported. */
  metrics: SweepMetric[];
  /** Every grid point, in grid order. */
  points: SweepPoint[];
}
