import { METRIC_CATALOGUE, METRIC_NAMES, type LatencyMetricName, type ValueMetricName } from '../metrics/catalogue.js';
import type { ResolvedConfig } from '../scenario/schema.js';
import type { LedgerRecord } from '../system/ledger.js';

/**
 * The serialisable result of one run: one strategy, one replication.
 * Plain JSON data (no Infinity, no typed arrays, no class instances), so it
 * crosses worker threads and is stored as is in summary.json. Everything
 * here is a function of (config, seed, replication): wall-clock figures are
 * kept apart in {@link RunTiming} so that summaries stay byte-identical.
 */
export interface RunResult {
  /** Strategy name (the overlay's, or the base's). */
  strategy: string;
  /** Replication number, from 0. */
  replication: number;
  /** The master seed the streams were derived from. */
  seed: number | string;
  /** The configuration this run used (base + overlay, parsed). */
  config: ResolvedConfig;
  /** Events handled (both clocks) and the time of the last one, µs (after `duration`: in-flight requests drain). */
  simulation: { events: number; endUs: number };
  /** Per-interval series (the columns are listed in src/model/series-columns.ts). */
  timeseries: TimeSeriesData;
  /** Latency distributions, µs. */
  latency: Record<LatencyName, LatencySummary>;
  /** Order and page latency percentiles per interval (absent from summaries written before they were kept). */
  latencyOverTime?: LatencyOverTime;
  /** Final outcome of every user (each user counted once). */
  outcomes: OutcomeCounts;
  /** Totals over the whole run, drain included. */
  counters: Counters;
  /** The stock counter's end state and the oversell/undersell checks. */
  stock: StockSummary;
  /** How far click order decided who won (humans only). */
  fairness: FairnessSummary;
  /** Bots drawn, ledger orders they got, their share of the orders (fraction 0–1; null when nothing sold), and order attempts before T0 (all users). */
  bots: { count: number; won: number; shareOfStock: number | null; earlyAttempts: number };
  /** Main-site requests, those refused by a full queue, and errors / requests (fraction 0–1). */
  mainSite: { requests: number; errors: number; errorRate: number };
  /**
   * Every order the order subsystem created: the audit's source of truth. In memory only: summary.json
   * leaves it out (see {@link SummaryRun}) and `sim run` writes it to ledger.parquet.
   */
  ledger: LedgerRecord[];
  /** Users who were told "won" (order confirmed), in response order. In memory only, like `ledger` (users.parquet). */
  wonResponses: number[];
  /** When orders were accepted, thinned to a bounded list: what the stock chart draws (see {@link AcceptanceCurve}). */
  acceptance: AcceptanceCurve;
  /** Every non-latency catalogue metric (src/metrics/catalogue.ts), catalogue order; null when unmeasured. Latency metrics live in `latency`. */
  metrics: Record<ValueMetricName, number | null>;
}

/**
 * A run as summary.json keeps it: the {@link RunResult} without its
 * per-record data (the ledger and the "won" answers), so that the file's
 * size does not grow with the stock. The records go to ledger.parquet and
 * users.parquet beside it.
 */
export type SummaryRun = Omit<RunResult, 'ledger' | 'wonResponses'>;

/** The fields of a {@link RunResult} that summary.json leaves out. */
export const PER_RECORD_FIELDS = ['ledger', 'wonResponses'] as const;

/** A run without its per-record fields (a new object; the run is not changed). */
export function toSummaryRun(run: RunResult): SummaryRun {
  const { ledger: _ledger, wonResponses: _won, ...rest } = run;
  return rest;
}

/** Most acceptance times an {@link AcceptanceCurve} keeps. */
export const ACCEPTANCE_POINTS = 1000;

/**
 * Order acceptance times of a run, bounded: with `count` ≤
 * {@link ACCEPTANCE_POINTS} orders, every acceptance time (ascending);
 * beyond, the times of the orders of rank ⌊i·(count−1)/(points−1)⌋ in
 * acceptance order, so the first and last are exact and a count of orders
 * accepted by a time is off by less than count/points.
 */
export interface AcceptanceCurve {
  /** Orders in the ledger. */
  count: number;
  /** Acceptance times, µs, ascending. */
  timesUs: number[];
}

/** The 0-based rank in acceptance order of the order whose time is `timesUs[i]`. */
export function acceptanceRank(curve: AcceptanceCurve, i: number): number {
  const m = curve.timesUs.length;
  return m === curve.count || m < 2 ? i : Math.floor((i * (curve.count - 1)) / (m - 1));
}

/** Builds the {@link AcceptanceCurve} of acceptance times sorted ascending, µs. */
export function acceptanceCurve(sortedTimesUs: readonly number[], points = ACCEPTANCE_POINTS): AcceptanceCurve {
  const count = sortedTimesUs.length;
  if (count <= points) return { count, timesUs: sortedTimesUs.slice() };
  const timesUs: number[] = [];
  for (let i = 0; i < points; i++) timesUs.push(sortedTimesUs[Math.floor((i * (count - 1)) / (points - 1))]);
  return { count, timesUs };
}

const LATENCY_SUFFIX = '_latency';

/** The latency distributions a run measures: one per latency metric of the catalogue (page_latency → page). */
export type LatencyName = LatencyMetricName extends `${infer N}${typeof LATENCY_SUFFIX}` ? N : never;

/** Every {@link LatencyName}, in report order (the catalogue's order of the `<name>_latency` metrics). */
export const LATENCY_NAMES: readonly LatencyName[] = METRIC_NAMES.filter((name) => METRIC_CATALOGUE[name].kind === 'latency').map(
  (name) => name.slice(0, -LATENCY_SUFFIX.length) as LatencyName,
);

/** The metric name of a latency distribution (`order` → `order_latency`), the inverse of {@link latencyNameOf}. */
export function latencyMetricOf(stage: LatencyName): LatencyMetricName {
  return `${stage}${LATENCY_SUFFIX}` as LatencyMetricName;
}

/** The latency distribution a latency metric measures (page_latency → page); undefined for any other metric. */
export function latencyNameOf(metric: string): LatencyName | undefined {
  if (!metric.endsWith(LATENCY_SUFFIX)) return undefined;
  const name = metric.slice(0, -LATENCY_SUFFIX.length);
  return (LATENCY_NAMES as readonly string[]).includes(name) ? (name as LatencyName) : undefined;
}

/** A statistic of a {@link LatencySummary} that is a time (µs). */
export type LatencyStat = Exclude<keyof LatencySummary, 'count' | 'histogram'>;

/**
 * Statistic `stat` of a run's latency distribution `kind`, µs; null when the
 * run has no sample of it (or, read from a summary written before `kind`
 * existed, no distribution at all).
 */
export function measuredLatency(run: Pick<RunResult, 'latency'>, kind: LatencyName, stat: LatencyStat): number | null {
  const summary = run.latency[kind] as LatencySummary | undefined;
  return summary && summary.count > 0 ? summary[stat] : null;
}

/**
 * A run's value of a non-latency metric; null when the run could not measure
 * it (null, absent from a summary written before the metric existed, or not finite).
 */
export function measuredMetric(run: Pick<RunResult, 'metrics'>, metric: string): number | null {
  const value = (run.metrics as Partial<Record<string, number | null>>)[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Latency percentiles in µs, plus the encoded HDR histogram for merging
 * replications. With no samples every figure is 0 (not NaN), so that the
 * JSON stays numeric; check `count`.
 */
export interface LatencySummary {
  /** Samples recorded. */
  count: number;
  /** Exact mean, µs. */
  mean: number;
  /** Exact smallest sample, µs. */
  min: number;
  /** Median, µs (HDR: within 0.1%). */
  p50: number;
  /** 90th percentile, µs. */
  p90: number;
  /** 99th percentile, µs. */
  p99: number;
  /** 99.9th percentile, µs. */
  p999: number;
  /** Exact largest sample, µs. */
  max: number;
  /** Base64 HDR histogram (hdr-histogram-js encoding), µs values. */
  histogram: string;
}

/** Per-interval series of a run (src/model/series-columns.ts says what each column holds). */
export interface TimeSeriesData {
  /** Interval width, µs (the last row may cover less, up to `duration`). */
  intervalUs: number;
  /** Column names (a run's are those of src/model/series-columns.ts). */
  columns: string[];
  /** rows[i][j]: column j in interval i (interval i covers [i·interval, (i+1)·interval)). */
  rows: number[][];
}

/**
 * Latency percentiles per time-series interval, for the intervals that had
 * samples (a sample counts in the interval it was recorded in: when the
 * answer came). Percentiles come from a coarse histogram (within 1.6%, or
 * 16 µs below 2 ms; a bucket's top, as HDR reports).
 */
export interface LatencyOverTime {
  /** Interval width, µs (the time series'). */
  intervalUs: number;
  /** Row layout: `interval` (row index of the time series), `count` (samples), `p50`, `p90`, `p99` (µs). */
  columns: string[];
  /** Order latency rows (click to answer). */
  order?: number[][];
  /** Page latency rows (intended send to page). */
  page?: number[][];
}

/** Users by final outcome; the fields sum to the population. */
export interface OutcomeCounts {
  /** Got an order. */
  won: number;
  /** Told "sold out". */
  soldOut: number;
  /** Told "sale ended" (server full) and did not retry to success. */
  saleEnded: number;
  /** Refused by the token gate (forged, foreign, early or missing token; an expired one sends the user back to the page instead). */
  blocked: number;
  /** Left without a definite answer: patience and retries exhausted, or never saw an enabled button. */
  gaveUp: number;
  /** Still waiting or never arrived when the simulation ended. */
  pending: number;
}

/** Request and traffic totals of a run (counts unless a unit is given). */
export interface Counters {
  /** Page requests users sent (arrivals, refreshes, retries). */
  pageViews: number;
  /** Page views served from an edge cache (with a CDN, cdnHits + cdnMisses = pageViews). */
  cdnHits: number;
  /** Page views that found no fresh copy at their edge. */
  cdnMisses: number;
  /** Button-script requests served from an edge cache (servedBy: cdn). */
  cdnScriptHits: number;
  /** Button-script requests through the edges that found no fresh copy. */
  cdnScriptMisses: number;
  /** Of cdnHits, page views served an expired copy while the edge refreshed it (cdn.staleWhileRevalidate). */
  cdnStaleHits: number;
  /** Of cdnScriptHits, script requests served an expired copy (a script that may still say "not started" after T0). */
  cdnScriptStaleHits: number;
  /** Misses that waited for another request's origin fetch (coalescing). */
  cdnCoalesced: number;
  /** Origin fetches made by edges (misses, refreshes after TTL or purge). */
  cdnOriginFetches: number;
  /** Page requests reaching the origin: direct, and edge fetches. */
  originPageRequests: number;
  /** Script requests reaching the origin: direct, and edge fetches. */
  originScriptRequests: number;
  /** Page and script requests the origin refused (queue full); main-site ones excluded. */
  originErrors: number;
  /** Button-script requests users sent. */
  scriptRequests: number;
  /** Order requests that reached the order servers (bots' early shots included). */
  orderAttempts: number;
  /** Order requests given a slot, on arrival or from a line. */
  orderAdmitted: number;
  /** "Sale ended" answers: server full or maxWait passed. */
  orderRejected: number;
  /** "Sold out" answers. */
  orderSoldOut: number;
  /** Token refusals by verdict. */
  tokenRejected: { forged: number; expired: number; foreign: number; early: number; missing: number };
  /** Orders refused by a full order queue (their units given back unless orders.compensate is false). */
  ordersFailed: number;
  /** Async order messages lost after the buyer was told "won" (orders.lossRate). */
  orderMessagesLost: number;
  /** Units taken from the stock that no order holds and nobody gave back (refused without compensation, or lost). */
  unitsLeaked: number;
  /** Async order messages the broker delivered a second time (orders.duplicateRate). */
  orderMessagesDuplicated: number;
  /** Second deliveries idempotent consumers dropped (orders.idempotent); the rest created a second order for one unit. */
  orderDuplicatesDropped: number;
  /** Page, script and order requests users gave up on for lack of patience. */
  userTimeouts: number;
  /** Bytes sent by all edges. */
  bytesEdge: number;
  /** Bytes sent over the origin link (main-site responses included when shared). */
  bytesOriginLink: number;
  /** Stock takes begun. */
  stockOperations: number;
  /** Order requests that reached the waiting room, those that took over their user's place included (0 without a room). */
  roomEntries: number;
  /** Most places taken in the waiting room's line at once, the random mode's lottery pool included (0 without a room). */
  roomPeak: number;
  /**
   * Units left in the order servers' stock buffers at the end (system.stock.buffer; 0 without): taken from the
   * store, never sold, so counted by undersell, and by the conservation invariant as out of the store.
   */
  unitsInBuffers: number;
  /** "Sold out" answers given while another order server's buffer still held units (stranded units; 0 without buffers). */
  soldOutStranded: number;
  /** Orders drawn never to be paid (orders.unpaid): cancelled at their deadline, or awaiting payment at the end. */
  ordersUnpaid: number;
  /** Unpaid orders cancelled at their payment deadline; each returned its unit to the stock (in `stock.returned`). */
  ordersCancelled: number;
  /** Unpaid orders whose deadline (created + orders.paymentTimeout) falls at or after `duration`: never cancelled in the run, their units held. */
  ordersAwaitingPayment: number;
  /**
   * Units returned by cancelled orders that were sold again: ordersCancelled less the units unsold at the end
   * (left in the store or in buffers), counting every unsold unit as a returned one (at least 0).
   */
  unitsResold: number;
}

/** The stock at the end of a run. */
export interface StockSummary {
  /** Units for sale. */
  initial: number;
  /** The counter's final value (a racy primitive's may show stock it no longer has). */
  remaining: number;
  /** Successful takes, gross of `returned` (may exceed `initial` with a racy primitive); with buffers, units sold from them (not those left in them: counters.unitsInBuffers). */
  sold: number;
  /** Lowest level the stock counter ever held (negative = oversold counter). */
  minLevel: number;
  /** Simulated time the last unit went, µs from the start of the run (not from T0); null if stock remained. */
  soldOutAtUs: number | null;
  /** Units beyond the stock: by the counter's takes or by ledger orders (the most standing at once beyond the stock), whichever is larger. */
  oversell: number;
  /** Units held by no standing order (ledger orders not cancelled for non-payment) while some user ended without an order (0 otherwise). */
  undersell: number;
  /** Units returned by failed order steps (compensation) and by orders cancelled for non-payment. */
  returned: number;
}

/** Output of clickRankFairness (fairness.ts). */
export interface FairnessSummary {
  /** Win rate of human clickers by click-rank decile (decile 0 = earliest clickers). */
  winRateByDecile: number[];
  /**
   * Probability that a human winner clicked before a human non-winner (1:
   * first come, first served; 0.5: a lottery); null without both.
   */
  clickOrder: number | null;
}

export type { LedgerRecord } from '../system/ledger.js';

/** Wall-clock figures of a run: kept out of RunResult so results stay deterministic. */
export interface RunTiming {
  /** Wall time of the run, ms. */
  wallMs: number;
  /** Events handled. */
  events: number;
  /** Events per second of wall time. */
  eventsPerSecond: number;
  /** Peak resident set of the whole process so far (not just this run), bytes. */
  peakRssBytes: number;
}
