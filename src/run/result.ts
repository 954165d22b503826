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
  strategy: string;
  replication: number;
  seed: number | string;
  /** The configuration this run used (base + overlay, parsed). */
  config: ResolvedConfig;
  /** Events handled and the simulated span (µs). */
  simulation: { events: number; endUs: number };
  /** Per-interval series; see {@link TIMESERIES_COLUMNS}. */
  timeseries: TimeSeriesData;
  latency: Record<LatencyName, LatencySummary>;
  /** Final outcome of every user (each user counted once). */
  outcomes: OutcomeCounts;
  counters: Counters;
  stock: StockSummary;
  fairness: FairnessSummary;
  bots: { count: number; won: number; shareOfStock: number; earlyAttempts: number };
  mainSite: { requests: number; errors: number; errorRate: number };
  /** Every order the order subsystem created: the audit's source of truth. */
  ledger: LedgerRecord[];
  /** Users who were told "won" (order confirmed), in response order. */
  wonResponses: number[];
  /** Named metrics (see metric-catalogue.ts) as plain numbers; latency metrics live in `latency`. */
  metrics: Record<string, number | null>;
}

export type LatencyName = 'page' | 'script' | 'order' | 'main_site';

/** Latency percentiles in µs, plus the encoded HDR histogram for merging replications. */
export interface LatencySummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Base64 HDR histogram (hdr-histogram-js encoding), µs values. */
  histogram: string;
}

export interface TimeSeriesData {
  intervalUs: number;
  columns: string[];
  /** rows[i][j]: column j in interval i (interval i covers [i·interval, (i+1)·interval)). */
  rows: number[][];
}

export interface OutcomeCounts {
  /** Got an order. */
  won: number;
  /** Told "sold out". */
  soldOut: number;
  /** Told "sale ended" (server full) and did not retry to success. */
  saleEnded: number;
  /** Refused by the token gate (forged/expired/early/foreign token). */
  blocked: number;
  /** Left without a definite answer: patience and retries exhausted, or never saw an enabled button. */
  gaveUp: number;
  /** Still waiting or never arrived when the simulation ended. */
  pending: number;
}

export interface Counters {
  pageViews: number;
  /** Page views served from an edge cache (with a CDN, cdnHits + cdnMisses = pageViews). */
  cdnHits: number;
  /** Page views that found no fresh copy at their edge. */
  cdnMisses: number;
  /** Button-script requests served from an edge cache (servedBy: cdn). */
  cdnScriptHits: number;
  /** Button-script requests through the edges that found no fresh copy. */
  cdnScriptMisses: number;
  /** Misses that waited for another request's origin fetch (coalescing). */
  cdnCoalesced: number;
  /** Origin fetches made by edges (misses, refreshes after TTL or purge). */
  cdnOriginFetches: number;
  originPageRequests: number;
  originScriptRequests: number;
  originErrors: number;
  scriptRequests: number;
  orderAttempts: number;
  orderAdmitted: number;
  orderRejected: number;
  orderSoldOut: number;
  tokenRejected: { forged: number; expired: number; foreign: number; early: number; missing: number };
  ordersFailed: number;
  userTimeouts: number;
  bytesEdge: number;
  bytesOriginLink: number;
  stockOperations: number;
}

export interface StockSummary {
  initial: number;
  remaining: number;
  /** Units decremented from the stock (may exceed `initial` with a racy primitive). */
  sold: number;
  /** Lowest level the stock counter ever held (negative = oversold counter). */
  minLevel: number;
  /** Simulated time the last unit went, µs; null if stock remained. */
  soldOutAtUs: number | null;
  oversell: number;
  undersell: number;
  /** Units returned by failed order steps (compensation). */
  returned: number;
}

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
  wallMs: number;
  events: number;
  eventsPerSecond: number;
  peakRssBytes: number;
}

/** Column names of `timeseries`, in order. */
export const TIMESERIES_COLUMNS = [
  'page_views',
  'cdn_hits',
  'cdn_misses',
  'origin_page_requests',
  'origin_script_requests',
  'origin_errors',
  'origin_busy',
  'link_busy',
  'script_requests',
  'order_attempts',
  'order_admitted',
  'order_rejected',
  'orders_created',
  'stock',
  'main_site_requests',
  'main_site_errors',
  'user_timeouts',
  'bytes_origin_link',
] as const;
export type TimeSeriesColumn = (typeof TIMESERIES_COLUMNS)[number];
