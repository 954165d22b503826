import type { LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import { Outcome } from '../workload/users.js';
import type { LatencyName, LatencySummary, OutcomeCounts, RunResult } from '../results/result.js';
import { acceptanceCurve, LATENCY_NAMES } from '../results/result.js';
import { CdnObject } from '../system/cdn.js';
import { clickRankFairness } from './fairness.js';
import { inAcceptanceOrder, liveOrders, ordersBeyondStock } from '../system/ledger.js';
import type { RunOptions } from './flash-sale-model.js';
import { originPageRequests, originPageScriptErrors, originScriptRequests, type MeasuredModel, type UsersStats } from './measured-model.js';
import { computeMetrics } from './metric-compute.js';
import type { SeriesRecorder } from './series-recorder.js';

/** A finished model as the result builder reads it. */
export interface FinishedModel extends MeasuredModel {
  readonly options: RunOptions;
  /** Events handled, both clocks. */
  readonly eventsProcessed: number;
  /** Time of the last event, µs. */
  readonly endUs: number;
  readonly series: Pick<SeriesRecorder, 'toJSON' | 'latencyOverTime'>;
}

/** Where each latency distribution is recorded: one per latency metric of the catalogue, so that none is left out. */
const LATENCY_SOURCES: Record<LatencyName, (model: MeasuredModel) => LatencyHistogram> = {
  page: (m) => m.users.pageLatency,
  script: (m) => m.users.scriptLatency,
  order: (m) => m.users.orderLatency,
  decision: (m) => m.users.decisionLatency,
  main_site: (m) => m.mainSite.latency,
};

/** Reads a finished model into its serialisable {@link RunResult}. */
export function buildResult(model: FinishedModel): RunResult {
  const { config, options, users, cdn, origin, flow, mainSite } = model;
  const stock = flow.stock;
  // With buffers, units out of the store are either sold (to requests) or still in a buffer at the end.
  const sold = flow.buffers === null ? stock.sold : flow.buffers.sold;
  const ledger = flow.ledger.toArray();
  const outcomes = countOutcomes(users);
  const fairness = clickRankFairness(users);
  let botsWon = 0;
  for (const record of ledger) if (users.isBot(record.user)) botsWon++;
  // Counted as the audit counts them (acceptance order, cancelled orders holding nothing), so a metric and its invariant agree.
  // Units: the most orders standing at once beyond the stock, not the orders created beyond it. They are
  // the same without cancellations; with them, every unit that comes back and sells again while an order
  // too many stands (a non-idempotent copy, a racy take) is one more order beyond the stock, yet no more
  // units are short.
  const accepted = inAcceptanceOrder(ledger);
  const oversell = Math.max(0, sold - stock.returned - stock.initial, ordersBeyondStock(accepted, stock.initial).peak - stock.initial);
  // Units unsold are initial − standing orders (created, not cancelled for non-payment), not the counter: a racy
  // counter that lost updates still shows stock after more units than there
  // were went out, and a unit taken but held by no order (a refused order
  // not compensated, a lost message) is unsold too. A buyer turned away is a user who ended without an order (told sold out
  // or sale ended, refused, or gone): not a refused request of someone who
  // then bought (a bot's forged early shot, a rejected try before a retry).
  const turnedAway = outcomes.soldOut + outcomes.saleEnded + outcomes.blocked + outcomes.gaveUp;
  const standing = liveOrders(ledger);
  const undersell = turnedAway > 0 ? Math.max(0, stock.initial - standing) : 0;
  const payments = flow.payments;
  const unsold = Math.max(0, stock.level) + (flow.buffers?.held ?? 0);
  // Page views only: script requests through the edges are counted apart.
  const pageHits = cdn ? cdn.hitsByObject[CdnObject.Page] : 0;
  const pageMisses = cdn ? cdn.missesByObject[CdnObject.Page] : 0;
  const soldOutAtUs = flow.unitsHandedOut >= stock.initial ? flow.soldOutAtUs : null;
  const latency = {} as Record<LatencyName, LatencySummary>;
  for (const kind of LATENCY_NAMES) latency[kind] = summarize(LATENCY_SOURCES[kind](model));

  const result: Omit<RunResult, 'metrics'> = {
    strategy: options.strategy,
    replication: options.replication,
    seed: options.seed,
    config,
    simulation: { events: model.eventsProcessed, endUs: model.endUs },
    timeseries: model.series.toJSON(),
    latencyOverTime: model.series.latencyOverTime(),
    latency,
    outcomes,
    counters: {
      pageViews: users.pageViews,
      cdnHits: pageHits,
      cdnMisses: pageMisses,
      cdnScriptHits: cdn ? cdn.hitsByObject[CdnObject.Script] : 0,
      cdnScriptMisses: cdn ? cdn.missesByObject[CdnObject.Script] : 0,
      cdnStaleHits: cdn ? cdn.staleHitsByObject[CdnObject.Page] : 0,
      cdnScriptStaleHits: cdn ? cdn.staleHitsByObject[CdnObject.Script] : 0,
      cdnCoalesced: cdn?.coalesced ?? 0,
      cdnOriginFetches: cdn?.originFetches ?? 0,
      originPageRequests: originPageRequests(origin),
      originScriptRequests: originScriptRequests(origin),
      originErrors: originPageScriptErrors(origin),
      scriptRequests: users.scriptRequests,
      orderAttempts: flow.attempts,
      orderAdmitted: flow.admitted,
      orderRejected: flow.rejected,
      orderSoldOut: flow.soldOutAnswers,
      tokenRejected: { ...flow.tokenRejected },
      ordersFailed: flow.errors,
      orderMessagesLost: flow.lostMessages,
      unitsLeaked: flow.leakedUnits,
      orderMessagesDuplicated: flow.duplicatedMessages,
      orderDuplicatesDropped: flow.droppedDuplicates,
      userTimeouts: users.timeouts,
      bytesEdge: cdn ? cdn.links.reduce((sum, link) => sum + link.bytes, 0) : 0,
      bytesOriginLink: origin.link.bytes,
      stockOperations: stock.operations,
      roomEntries: flow.room?.entries ?? 0,
      roomPeak: flow.room?.peak ?? 0,
      unitsInBuffers: flow.buffers?.held ?? 0,
      soldOutStranded: flow.strandedSoldOut,
      ordersUnpaid: payments?.unpaid ?? 0,
      ordersCancelled: payments?.cancelled ?? 0,
      ordersAwaitingPayment: payments?.awaitingAtEnd ?? 0,
      unitsResold: payments === null ? 0 : Math.max(0, payments.cancelled - unsold),
    },
    stock: {
      initial: stock.initial,
      remaining: stock.level,
      sold,
      minLevel: stock.minLevel,
      soldOutAtUs,
      oversell,
      undersell,
      returned: stock.returned,
    },
    fairness,
    bots: {
      count: users.botsCount,
      won: botsWon,
      shareOfStock: ledger.length > 0 ? botsWon / ledger.length : null,
      earlyAttempts: flow.earlyAttempts,
    },
    mainSite: {
      requests: mainSite.requests,
      errors: mainSite.errors,
      errorRate: mainSite.requests > 0 ? mainSite.errors / mainSite.requests : 0,
    },
    ledger,
    wonResponses: flow.wonResponses.slice(),
    acceptance: acceptanceCurve(accepted.map((o) => o.acceptedUs)),
  };
  return { ...result, metrics: computeMetrics({ result, accepted, model }) };
}

function summarize(h: LatencyHistogram): LatencySummary {
  const empty = h.count === 0;
  const at = (p: number) => (empty ? 0 : h.percentile(p));
  return {
    count: h.count,
    mean: empty ? 0 : round(h.mean),
    min: empty ? 0 : h.min,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: empty ? 0 : h.max,
    histogram: h.encode(),
  };
}

function countOutcomes(users: UsersStats): OutcomeCounts {
  const counts = new Float64Array(6);
  for (let u = 0; u < users.count; u++) counts[users.outcomeOf(u)]++;
  return {
    won: counts[Outcome.Won],
    soldOut: counts[Outcome.SoldOut],
    saleEnded: counts[Outcome.SaleEnded],
    blocked: counts[Outcome.Blocked],
    gaveUp: counts[Outcome.GaveUp],
    pending: counts[Outcome.Pending],
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
