import type { LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import { Outcome, type Users } from '../workload/users.js';
import type { FlashSaleModel } from './flash-sale-model.js';
import type { LatencySummary, OutcomeCounts, RunResult } from '../results/result.js';
import { OriginKind } from '../system/origin.js';
import { CdnObject } from '../system/cdn.js';
import { clickRankFairness } from './fairness.js';
import { inAcceptanceOrder, isEarlyOrder, ledgerWonMismatches, liveOrders, ordersBeyondLimit, ordersBeyondStock } from '../system/ledger.js';

/** Reads a finished model into its serialisable {@link RunResult}. */
export function buildResult(model: FlashSaleModel): RunResult {
  const { config, options, sim, users, cdn, origin, flow, mainSite } = model;
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
  const req = origin.requests;
  const originPage = req[OriginKind.PageDirect] + req[OriginKind.EdgePageShared] + req[OriginKind.EdgePageSingle];
  const originScript = req[OriginKind.ScriptDirect] + req[OriginKind.EdgeScriptShared] + req[OriginKind.EdgeScriptSingle];
  let originErrors = 0;
  for (let k = 0; k < OriginKind.MainSite; k++) originErrors += origin.errors[k];
  const series = model.series.toJSON();
  const intervalSeconds = series.intervalUs / 1e6;
  const column = (name: string) => series.columns.indexOf(name);
  const peak = (name: string, scale = 1) => series.rows.reduce((m, row) => Math.max(m, row[column(name)] * scale), 0);
  const pageViews = users.pageViews;
  // Page views only: script requests through the edges are counted apart (a
  // script that must not be cached would otherwise halve the ratio).
  const pageHits = cdn ? cdn.hitsByObject[CdnObject.Page] : 0;
  const pageMisses = cdn ? cdn.missesByObject[CdnObject.Page] : 0;
  const cdnHitRatio = pageHits + pageMisses > 0 ? pageHits / (pageHits + pageMisses) : 0;
  const requestsAll = pageViews + users.scriptRequests + flow.attempts;
  const soldOutAtUs = flow.unitsHandedOut >= stock.initial ? flow.soldOutAtUs : null;

  const result: RunResult = {
    strategy: options.strategy,
    replication: options.replication,
    seed: options.seed,
    config,
    simulation: { events: model.eventsProcessed, endUs: model.endUs },
    timeseries: series,
    latency: {
      page: summarize(users.pageLatency),
      script: summarize(users.scriptLatency),
      order: summarize(users.orderLatency),
      decision: summarize(users.decisionLatency),
      main_site: summarize(mainSite.latency),
    },
    outcomes,
    counters: {
      pageViews,
      cdnHits: pageHits,
      cdnMisses: pageMisses,
      cdnScriptHits: cdn ? cdn.hitsByObject[CdnObject.Script] : 0,
      cdnScriptMisses: cdn ? cdn.missesByObject[CdnObject.Script] : 0,
      cdnStaleHits: cdn ? cdn.staleHitsByObject[CdnObject.Page] : 0,
      cdnScriptStaleHits: cdn ? cdn.staleHitsByObject[CdnObject.Script] : 0,
      cdnCoalesced: cdn?.coalesced ?? 0,
      cdnOriginFetches: cdn?.originFetches ?? 0,
      originPageRequests: originPage,
      originScriptRequests: originScript,
      originErrors,
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
    metrics: {},
  };

  result.metrics = {
    orders_created: ledger.length,
    oversell,
    undersell,
    duplicate_orders: ordersBeyondLimit(accepted, config.sale.perUserLimit).extra.length,
    early_orders: ledger.filter((r) => isEarlyOrder(r, config.sale.start)).length,
    lost_orders: ledgerWonMismatches(ledger, result.wonResponses).reduce((sum, m) => sum + Math.abs(m.orders - m.won), 0),
    orders_cancelled: flow.ledger.cancelled,
    page_error_rate: pageViews > 0 ? (users.pageErrors + users.pageTimeouts) / (pageViews + users.scriptRequests) : 0,
    // Rates over order activity are unmeasured (null) when there was none, so
    // that a threshold on them fails, as documented, rather than passing on a
    // run in which nobody could order (they read 0%, 0% and 100%: the best figures).
    order_reject_rate: flow.attempts > 0 ? flow.rejected / flow.attempts : null,
    main_site_error_rate: result.mainSite.errorRate,
    cdn_hit_ratio: round(cdnHitRatio),
    bot_share: result.bots.shareOfStock === null ? null : round(result.bots.shareOfStock),
    answered_within_2s: users.orderAnswers > 0 ? round(users.ordersAnsweredWithin2s / users.orderAnswers) : null,
    decided_within_2s: users.clickers > 0 ? round(users.decidedWithin2s / users.clickers) : null,
    sell_out_time: soldOutAtUs === null ? null : soldOutAtUs - config.sale.start,
    origin_peak_rps: round(
      series.rows.reduce(
        (m, row) => Math.max(m, (row[column('origin_page_requests')] + row[column('origin_script_requests')]) / intervalSeconds),
        0,
      ),
    ),
    origin_utilisation: peak('origin_busy'),
    link_utilisation: peak('link_busy'),
    stock_peak_ops: round(peak('stock_ops') / intervalSeconds),
    // Only a serial store has a ceiling (1 / service): a parallel one's "utilisation" is not defined.
    stock_utilisation: stock.serial ? peak('stock_busy') : null,
    attempts_per_order: ledger.length > 0 ? round(flow.attempts / ledger.length) : null,
    amplification: round(requestsAll / users.count),
    fairness_click_order: fairness.clickOrder,
  };
  return result;
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

function countOutcomes(users: Users): OutcomeCounts {
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
