import { describe, expect, it } from 'vitest';
import { FlashSaleModel } from '../../src/model/flash-sale-model.js';
import { runOnce } from '../../src/model/run-once.js';
import type { RunResult } from '../../src/results/result.js';
import { TIMESERIES_COLUMNS } from '../../src/model/series-columns.js';
import { tokenSecretSeed } from '../../src/system/token-gate.js';
import { tokenVerifier } from '../../src/verify/tokens.js';
import { inAcceptanceOrder, ordersBeyondStock } from '../../src/system/ledger.js';
import { audit } from '../../src/verify/audit.js';
import { OrderAnswer } from '../../src/system/order-flow.js';
import { columnIndex, configOf, merge, NAIVE, SMALL } from '../helpers/flash-config.js';

const T0 = 60_000_000;
const SECOND = 1_000_000;

function run(over: Record<string, unknown> = {}, seed: number | string = 1, replication = 0, strategy = 's'): RunResult {
  return runOnce(configOf(merge(SMALL, over)), { strategy, replication, seed }).result;
}

function column(r: RunResult, name: string): number[] {
  const j = columnIndex(r.timeseries.columns, name);
  return r.timeseries.rows.map((row) => row[j]);
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('runOnce: the seed design', () => {
  for (const seed of [1, 2]) {
    it(`sells exactly the stock, to distinct users, with valid tokens, nothing before T0 (seed ${seed})`, () => {
      const r = run({}, seed);
      const stock = r.config.sale.stock;
      expect(r.ledger).toHaveLength(stock);
      expect(r.stock.sold - r.stock.returned).toBe(stock);
      expect(r.stock.remaining).toBe(0);
      expect(r.stock.minLevel).toBe(0);
      expect(r.stock.oversell).toBe(0);
      expect(r.metrics.oversell).toBe(0);
      expect(new Set(r.ledger.map((o) => o.user)).size).toBe(stock);
      expect(sorted(r.wonResponses)).toEqual(sorted(r.ledger.map((o) => o.user)));
      expect(r.metrics.lost_orders).toBe(0);
      for (const order of r.ledger) {
        expect(tokenVerifier(r.config, tokenSecretSeed(seed, 0))(order)).toBeNull();
        expect(order.acceptedUs).toBeGreaterThanOrEqual(T0);
        expect(order.timeUs).toBeGreaterThanOrEqual(order.acceptedUs);
        expect(order.strategy).toBe('s');
      }
      expect(r.ledger.map((o) => o.orderId)).toEqual(r.ledger.map((_, i) => i));
      expect(r.metrics.early_orders).toBe(0);
      expect(r.outcomes.won).toBe(stock);
      expect(r.stock.soldOutAtUs).not.toBeNull();
      expect(r.metrics.sell_out_time).toBe(r.stock.soldOutAtUs! - T0);
      // The CDN absorbs page views.
      expect(r.metrics.cdn_hit_ratio).toBeGreaterThan(0.9);
      // First come, first served: the earliest clickers win.
      expect(r.fairness.winRateByDecile).toHaveLength(10);
      expect(r.fairness.winRateByDecile[0]).toBeGreaterThan(r.fairness.winRateByDecile[9]);
      expect(r.fairness.clickOrder).toBeGreaterThan(0.5);
    });
  }

  it("the ledger tokens do not verify under another seed (the secret is the run's)", () => {
    const r = run({}, 1);
    const otherSeed = tokenVerifier(r.config, tokenSecretSeed(2, 0));
    expect(r.ledger.every((o) => otherSeed(o) === 'forged')).toBe(true);
  });

  it('the result is plain JSON (no Infinity, NaN or typed arrays)', () => {
    const r = run({ users: { bots: { share: '2%' } } });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('the time series has one row per interval, all columns, and adds up to the counters', () => {
    const r = run();
    expect(r.timeseries.columns).toEqual([...TIMESERIES_COLUMNS]);
    expect(r.timeseries.intervalUs).toBe(SECOND);
    expect(r.timeseries.rows).toHaveLength(180);
    const sum = (name: string) => column(r, name).reduce((a, b) => a + b, 0);
    expect(sum('page_views')).toBe(r.counters.pageViews);
    expect(sum('script_requests')).toBe(r.counters.scriptRequests);
    expect(sum('origin_page_requests')).toBe(r.counters.originPageRequests);
    expect(sum('order_attempts')).toBe(r.counters.orderAttempts);
    expect(sum('orders_created')).toBe(r.ledger.length);
    const stock = column(r, 'stock');
    expect(stock[0]).toBe(r.config.sale.stock);
    expect(stock[stock.length - 1]).toBe(r.stock.remaining);
    for (const name of ['origin_busy', 'link_busy']) {
      for (const x of column(r, name)) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
      }
    }
  });

  // An event at exactly an interval boundary (e.g. every user's refresh at T0
  // with perfect clocks) belongs to the interval that starts there, as
  // result.ts says ("interval i covers [i·interval, (i+1)·interval)"): the
  // recorder's ticks are scheduled before any other event, so they run first
  // at that µs. Once, the herd at T0 showed up in the second before the sale.
  it('an event at exactly T0 is counted in the interval that starts at T0', () => {
    const r = run({
      users: { count: 100, arrival: { kind: 'burst', at: '0s', spread: '0s' }, refresh: '10s', clockSkew: '0s' },
      sale: { stock: 1000 },
    });
    const pv = column(r, 'page_views');
    expect(pv[T0 / SECOND - 1]).toBe(0);
    expect(pv[T0 / SECOND]).toBe(100);
  });

  it("reports progress, ending at the duration with the run's event count", () => {
    const seen: number[] = [];
    let last = { simulatedUs: 0, durationUs: 0, events: 0 };
    const { timing } = runOnce(configOf(SMALL), {
      strategy: 's',
      replication: 0,
      seed: 1,
      progressEvery: 10_000,
      onProgress: (p) => {
        seen.push(p.simulatedUs);
        last = p;
      },
    });
    // One call every 10 000 events of the sale's simulation (an isolated
    // main site's events run on their own) and one at the end.
    expect(seen.length).toBeLessThanOrEqual(Math.floor(timing.events / 10_000) + 1);
    expect(seen.length).toBeGreaterThan(3);
    expect(sorted(seen)).toEqual(seen);
    expect(last.simulatedUs).toBeGreaterThanOrEqual(180 * SECOND);
    expect(last.durationUs).toBe(180 * SECOND);
    expect(last.events).toBe(timing.events);
  });
});

describe('runOnce: undersell', () => {
  it('stock left while buyers were turned away is undersell', () => {
    const r = run({
      sale: { stock: 1500 },
      system: { orderServers: { servers: 1, slots: 1 } },
      users: { retry: { policy: 'none' } },
    });
    expect(r.outcomes.saleEnded).toBeGreaterThan(0);
    expect(r.stock.remaining).toBeGreaterThan(0);
    expect(r.stock.undersell).toBe(r.stock.remaining);
    expect(r.metrics.undersell).toBe(r.stock.remaining);
    expect(r.ledger.length + r.stock.remaining).toBe(1500);
  });

  it('refused forgeries are not buyers turned away: stock left when every user bought is not undersell', () => {
    // Bots fire forged order URLs before T0 (refused); then every user buys.
    const r = run({ sale: { stock: 5000 }, users: { bots: { share: '1%' } }, system: { orderServers: { slots: 1000 } } });
    expect(r.counters.tokenRejected.forged).toBeGreaterThan(0);
    expect(r.outcomes.won).toBe(2000);
    expect(r.stock.remaining).toBe(3000);
    expect(r.stock.undersell).toBe(0);
  });

  it('an oversold racy counter that still shows stock is not undersell: no unit is left', () => {
    // 200 bots fire the static URL at the same moments before T0: they read
    // the same level, so the counter ends well above 0 after more units than
    // the stock were handed out; the slow servers turn some away.
    const r = run({
      sale: { stock: 50 },
      users: {
        count: 200,
        arrival: { kind: 'burst', at: '0s', spread: '0s' },
        retry: { policy: 'none' },
        bots: { share: '100%', earlyAttempts: 1 },
      },
      system: {
        tokenGate: { mode: 'static' },
        orderServers: { servers: 1, slots: 150, service: '500ms', soldOutFlag: false },
        stock: { primitive: 'check-then-decrement', service: '2ms' },
      },
    });
    expect(r.outcomes.saleEnded).toBeGreaterThan(0);
    expect(r.stock.oversell).toBeGreaterThan(0);
    expect(r.stock.remaining).toBeGreaterThan(0);
    expect(r.stock.undersell).toBe(0);
    expect(r.metrics.undersell).toBe(0);
  });

  it('a refused order without compensation leaks its unit: undersold, though the counter is consistent', () => {
    // One slow consumer and a queue of 5: at T0 most orders are refused.
    const orders = { consumers: 1, service: '50ms', queue: 5 };
    const compensated = run({ system: { orders } });
    const leaky = run({ system: { orders: { ...orders, compensate: false } } });
    expect(compensated.counters.ordersFailed).toBeGreaterThan(0);
    expect(compensated.counters.unitsLeaked).toBe(0);
    expect(compensated.stock.undersell).toBe(0);
    expect(leaky.counters.ordersFailed).toBeGreaterThan(0);
    expect(leaky.counters.unitsLeaked).toBe(leaky.counters.ordersFailed);
    // Every unit went out, yet only some are held by orders: the rest are unsold.
    expect(leaky.stock.remaining).toBe(0);
    expect(leaky.stock.undersell).toBe(100 - leaky.ledger.length);
    expect(leaky.stock.undersell).toBe(leaky.counters.unitsLeaked);
    expect(leaky.metrics.undersell).toBe(leaky.stock.undersell);
    expect(leaky.stock.initial - leaky.stock.sold + leaky.stock.returned).toBe(0);
  });

  it('stock buffers: fewer store operations; units left in buffers at the end are unsold, and the audit holds', () => {
    // 300 users for 100 units; batches of 40 go to the first three of ten servers, which about 30 buyers each reach.
    const users = { count: 300 };
    const plain = run({ users, system: { stock: { primitive: 'row-lock', service: '1ms' } } });
    const buffered = run({ users, system: { stock: { primitive: 'row-lock', service: '1ms', buffer: 40 } } });
    expect(buffered.counters.stockOperations).toBeLessThan(plain.counters.stockOperations);
    expect(buffered.counters.unitsInBuffers).toBeGreaterThan(0);
    expect(buffered.counters.soldOutStranded).toBeGreaterThan(0);
    expect(buffered.stock.undersell).toBe(buffered.config.sale.stock - buffered.ledger.length);
    expect(buffered.stock.undersell).toBeGreaterThanOrEqual(buffered.counters.unitsInBuffers);
    expect(buffered.metrics.sell_out_time).toBeNull();
    expect(plain.counters.unitsInBuffers).toBe(0);
    expect(plain.counters.soldOutStranded).toBe(0);
    expect(audit(buffered).passed).toBe(true);
  });

  it('stock buffers with the racy check-then-decrement primitive oversell by batches, and the audit catches it', () => {
    const r = run({
      system: { orderServers: { onFull: 'unbounded' }, stock: { primitive: 'check-then-decrement', service: '2ms', buffer: 10 } },
    });
    expect(r.stock.oversell).toBeGreaterThan(0);
    const report = audit(r);
    expect(report.invariants.filter((c) => !c.passed).map((c) => c.name)).toEqual(expect.arrayContaining(['no-oversell', 'conservation']));
  });

  it('lost order messages: "won" answers without orders, and their units unsold', () => {
    const r = run({ system: { orders: { lossRate: '10%' } } });
    expect(r.counters.orderMessagesLost).toBeGreaterThan(0);
    expect(r.counters.unitsLeaked).toBe(r.counters.orderMessagesLost);
    expect(r.wonResponses.length - r.ledger.length).toBe(r.counters.orderMessagesLost);
    expect(r.metrics.lost_orders).toBe(r.counters.orderMessagesLost);
    expect(r.stock.undersell).toBe(r.counters.orderMessagesLost);
    // The auditor catches them: "won" answers the ledger does not hold; the stock counter itself is consistent.
    const report = audit(r, ['ledger-matches-responses', 'conservation', 'no-oversell']);
    expect(report.invariants.map((check) => [check.name, check.passed])).toEqual([
      ['ledger-matches-responses', false],
      ['conservation', true],
      ['no-oversell', true],
    ]);
  });

  it('duplicated order messages: a consumer that is not idempotent makes second orders the audit catches; an idempotent one drops them', () => {
    const dupes = run({ system: { orders: { duplicateRate: '10%', idempotent: false } } });
    const idem = run({ system: { orders: { duplicateRate: '10%', idempotent: true } } });
    const n = dupes.counters.orderMessagesDuplicated;
    expect(n).toBeGreaterThan(0);
    expect(dupes.counters.orderDuplicatesDropped).toBe(0);
    expect(dupes.ledger.length - dupes.wonResponses.length).toBe(n);
    expect(dupes.metrics.duplicate_orders).toBe(n);
    // Two orders for one unit: the stock counter is consistent, the ledger is not.
    const report = audit(dupes);
    expect(report.invariants.filter((c) => !c.passed).map((c) => c.name)).toEqual([
      'no-oversell',
      'one-per-user',
      'ledger-matches-responses',
    ]);
    expect(report.invariants.find((c) => c.name === 'one-per-user')!.message).toContain('an order message delivered twice');
    // The same buyers' messages are duplicated either way (common random numbers): the idempotent consumers drop them all.
    expect(idem.counters.orderMessagesDuplicated).toBe(n);
    expect(idem.counters.orderDuplicatesDropped).toBe(n);
    expect(idem.ledger.map((o) => [o.user, o.timeUs])).toEqual(
      dupes.ledger.filter((o, i) => dupes.ledger.findIndex((p) => p.user === o.user) === i).map((o) => [o.user, o.timeUs]),
    );
    expect(audit(idem).passed).toBe(true);
  });

  it('copies of unpaid orders: oversell counts the units short at once, not every resale made while short', () => {
    // A copy holds no unit: while it stands, every unit that comes back and sells again is sold while
    // one order too many stands, so more orders are created beyond the stock than units are ever short.
    const r = run({
      system: {
        orderServers: { reopenOnReturn: true },
        orders: { duplicateRate: '10%', idempotent: false, unpaid: '50%', paymentTimeout: '1s' },
      },
    });
    const { beyond, peak } = ordersBeyondStock(inAcceptanceOrder(r.ledger), r.stock.initial);
    expect(r.counters.ordersCancelled).toBeGreaterThan(0);
    expect(peak).toBeGreaterThan(r.stock.initial);
    expect(beyond.length).toBeGreaterThan(peak - r.stock.initial);
    expect(r.stock.oversell).toBe(peak - r.stock.initial);
    expect(r.metrics.oversell).toBe(peak - r.stock.initial);
    const check = audit(r).invariants.find((c) => c.name === 'no-oversell')!;
    expect(check.passed).toBe(false);
    expect(check.offendingCount).toBe(beyond.length);
    expect(check.message).toContain(`${peak} orders standing at once`);
    expect(check.message).toContain(
      `(${peak - r.stock.initial} oversold at most at once, ${beyond.length} orders created beyond the stock)`,
    );
  });

  it('duplicateRate 0% (the default) changes nothing, idempotent consumers or not', () => {
    const plain = run();
    const flagged = run({ system: { orders: { idempotent: false } } });
    const { config: _a, ...a } = plain;
    const { config: _b, ...b } = flagged;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(plain.counters.orderMessagesDuplicated).toBe(0);
  });

  it('stock left because there were fewer buyers than units is not undersell', () => {
    const r = run({ sale: { stock: 5000 }, system: { orderServers: { slots: 1000 } } });
    expect(r.counters.orderRejected).toBe(0);
    expect(r.stock.remaining).toBeGreaterThan(0);
    expect(r.stock.undersell).toBe(0);
  });
});

describe('runOnce: the naive design oversells', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`no CDN, static URL, unbounded servers, check-then-decrement (2 ms): more orders than stock (seed ${seed})`, () => {
      const r = run(NAIVE, seed);
      const stock = r.config.sale.stock;
      expect(r.ledger.length).toBeGreaterThan(stock);
      expect(r.stock.oversell).toBe(r.ledger.length - stock);
      expect(r.metrics.oversell).toBeGreaterThan(0);
      expect(r.stock.sold).toBeGreaterThan(stock);
      // The dedupe still holds: oversold to distinct users.
      expect(r.metrics.duplicate_orders).toBe(0);
    });
  }

  it('the same configuration with an atomic stock sells exactly the stock', () => {
    const r = run(merge(NAIVE, { system: { stock: { primitive: 'atomic' } } }), 1);
    expect(r.ledger).toHaveLength(r.config.sale.stock);
    expect(r.stock.oversell).toBe(0);
  });
});

describe('runOnce: users who would arrive after the end', () => {
  it('take no part and cost nothing: the run ends at its duration, not at their arrival', () => {
    // A ramp to 100,000 h in a 2 s run: almost every user would come years later.
    const config = configOf({
      duration: '2s',
      sale: { start: '1s', stock: 10 },
      users: { count: 1000, arrival: { kind: 'ramp', from: '0s', to: '100000h', shape: 'uniform' } },
      system: { mainSite: { rps: '10/s' } },
    });
    const { result } = runOnce(config, { strategy: 's', replication: 0, seed: 1 });
    expect(result.simulation.endUs).toBeLessThan(3 * SECOND);
    expect(result.simulation.events).toBeLessThan(100);
    expect(result.outcomes.pending).toBe(1000);
  });
});

describe('runOnce: CDN stampede', () => {
  /** Everybody refreshes at T0 exactly (perfect clocks) when every edge is purged. */
  const STAMPEDE = { users: { clockSkew: '0s' }, system: { cdn: { edges: 4, purgeAt: '1m' } } };

  it('without coalescing a purge at T0 sends every waiting request to the origin; with it, one per edge', () => {
    const on = run(merge(STAMPEDE, { system: { cdn: { coalesce: true } } }));
    const off = run(merge(STAMPEDE, { system: { cdn: { coalesce: false } } }));
    const around = (r: RunResult) => {
      const c = column(r, 'origin_page_requests');
      return Math.max(c[T0 / SECOND - 1], c[T0 / SECOND]);
    };
    expect(around(on)).toBeLessThanOrEqual(on.config.system.cdn.edges * 2);
    expect(around(off)).toBeGreaterThan(500);
    expect(around(off)).toBeGreaterThan(20 * around(on));
    expect(off.counters.cdnOriginFetches).toBeGreaterThan(on.counters.cdnOriginFetches + 500);
    expect(on.counters.cdnCoalesced).toBeGreaterThan(500);
    expect(off.counters.cdnCoalesced).toBe(0);
    // Both still sell exactly the stock.
    expect(on.ledger).toHaveLength(100);
    expect(off.ledger).toHaveLength(100);
  });

  it('a short TTL gives origin fetches every TTL per edge with coalescing, and more without', () => {
    const on = run({ system: { cdn: { ttl: '2s', coalesce: true } } });
    const off = run({ system: { cdn: { ttl: '2s', coalesce: false } } });
    const edges = on.config.system.cdn.edges;
    // At most one fetch per edge per TTL (plus one), over the 3 minutes.
    expect(on.counters.cdnOriginFetches).toBeLessThanOrEqual(edges * (180 / 2 + 1));
    expect(off.counters.cdnOriginFetches).toBeGreaterThan(on.counters.cdnOriginFetches);
    expect(Math.max(...column(off, 'origin_page_requests'))).toBeGreaterThan(Math.max(...column(on, 'origin_page_requests')));
  });

  it('stale-while-revalidate without coalescing: TTL boundaries cost one fetch per edge again, and what would have missed is a stale hit', () => {
    const off = run({ system: { cdn: { ttl: '2s', coalesce: false } } });
    const swr = run({ system: { cdn: { ttl: '2s', coalesce: false, staleWhileRevalidate: '10s' } } });
    const edges = swr.config.system.cdn.edges;
    expect(swr.counters.cdnOriginFetches).toBeLessThanOrEqual(edges * (180 / 2 + 1));
    expect(off.counters.cdnOriginFetches).toBeGreaterThan(swr.counters.cdnOriginFetches);
    expect(swr.counters.cdnStaleHits).toBeGreaterThan(0);
    expect(swr.counters.cdnStaleHits).toBeLessThanOrEqual(swr.counters.cdnHits);
    // A copy kept fresh by the traffic: after each edge's first request, what expired is served stale.
    expect(swr.counters.cdnMisses).toBeLessThan(off.counters.cdnMisses / 10);
    expect(swr.counters.cdnHits + swr.counters.cdnMisses).toBe(swr.counters.pageViews);
    expect(off.counters.cdnStaleHits).toBe(0);
    expect(swr.ledger).toHaveLength(100);
  });

  it('an uncoalesced script fetch is as old as the origin made it: one made before T0 says "not started", however late it reaches the edge', () => {
    // 100 users polling a never-cached script through one edge, each fetch
    // 0.1 s on a 1 MB/s origin link: the link's backlog is ~10 s at T0.
    const config = configOf({
      duration: '40s',
      sale: { start: '20s', stock: 1000 },
      users: {
        count: 100,
        arrival: { kind: 'burst', at: '15s', spread: '1s' },
        refresh: '500ms',
        patience: '60s',
        reaction: '10ms',
        clockSkew: '0s',
        bots: { share: 0 },
      },
      system: {
        cdn: { edges: 1, coalesce: false, ttl: '60s' },
        buttonScript: { servedBy: 'cdn', cdnTtl: '0s', bytes: '100kB' },
        tokenGate: { bindToUser: false },
        originLink: { bandwidth: '8Mbps' },
        mainSite: { rps: '0/s' },
      },
    });
    const model = new FlashSaleModel(config, { strategy: 's', replication: 0, seed: 1 });
    model.sim.run({});
    const firstClicks = Array.from({ length: 100 }, (_, u) => model.users.firstClickAt(u));
    expect(firstClicks.every((t) => t < Infinity)).toBe(true);
    // Scripts made before T0 crossed the backlog and arrived after T0, still
    // disabled; the first enabled one was made at T0 and waited it out too.
    // (Taking the content as made on arrival had the first click 0.16 s after T0.)
    expect(Math.min(...firstClicks) - 20 * SECOND).toBeGreaterThan(5 * SECOND);
  });
});

describe('runOnce: bots', () => {
  const BOTS = { users: { bots: { share: '5%' } } };

  for (const seed of [1, 2]) {
    it(`with a static URL and no start-time check bots take a large share of the stock, ordering before T0 (seed ${seed})`, () => {
      const r = run(merge(BOTS, { system: { tokenGate: { mode: 'static' } } }), seed);
      expect(r.bots.count).toBeGreaterThan(50);
      expect(r.bots.shareOfStock).toBeGreaterThan(0.3); // bots are 5% of users
      expect(r.metrics.early_orders).toBeGreaterThan(0.3 * r.config.sale.stock);
      const early = r.ledger.filter((o) => o.acceptedUs < T0);
      expect(early.length).toBe(r.metrics.early_orders);
      expect(r.bots.earlyAttempts).toBeGreaterThan(0);
      expect(r.ledger).toHaveLength(100);
    });
  }

  it('with dynamic tokens no order is before T0 and the early attempts are refused as forged', () => {
    const r = run(BOTS, 1);
    expect(r.metrics.early_orders).toBe(0);
    expect(r.ledger.every((o) => o.acceptedUs >= T0)).toBe(true);
    expect(r.bots.earlyAttempts).toBeGreaterThan(0);
    expect(r.counters.tokenRejected.forged).toBeGreaterThan(0);
    expect(r.counters.tokenRejected.forged).toBeLessThanOrEqual(r.bots.earlyAttempts);
    const verify = tokenVerifier(r.config, tokenSecretSeed(1, 0));
    for (const order of r.ledger) expect(verify(order)).toBeNull();
  });

  it('a start-time check on the static URL refuses the early attempts as early', () => {
    const r = run(merge(BOTS, { system: { tokenGate: { mode: 'static', checkStartTime: true } } }), 1);
    expect(r.metrics.early_orders).toBe(0);
    expect(r.counters.tokenRejected.early).toBeGreaterThan(0);
  });
});

describe('runOnce: the stock store against its ceiling', () => {
  // 100 ms rows, a burst at T0 of 2,000 buyers for 100 units, 20 servers x 10 slots.
  const herd = (primitive: string, service: string) =>
    run({
      interval: '100ms',
      users: { arrival: { kind: 'burst', at: '1m', spread: '0s' } },
      system: { orderServers: { servers: 20, slots: 10 }, stock: { primitive, service } },
    });

  it('a hot row holding its lock 2 ms is asked for more than its ceiling of 500 operations/s: utilisation 1 in the busiest interval', () => {
    const r = herd('row-lock', '2ms');
    expect(r.metrics.stock_utilisation).toBeGreaterThan(0.99);
    expect(r.metrics.stock_utilisation).toBeLessThanOrEqual(1);
    // Offered load above the ceiling: the excess waits for the lock.
    expect(r.metrics.stock_peak_ops!).toBeGreaterThan(500);
    const busy = column(r, 'stock_busy');
    expect(Math.max(...busy)).toBe(r.metrics.stock_utilisation);
    // The stock column falls at the row's pace, not the buyers': at most
    // 100 ms / 2 ms = 50 units a row (+1 for an operation straddling a row's
    // start), and it reaches 0 in the row where the sale sells out.
    const stock = column(r, 'stock');
    const drops = stock.map((level, i) => (i === 0 ? 0 : stock[i - 1] - level));
    expect(Math.max(...drops)).toBeGreaterThan(40);
    expect(Math.max(...drops)).toBeLessThanOrEqual(51);
    const firstEmpty = stock.indexOf(0);
    expect(firstEmpty).toBe(Math.floor(r.stock.soldOutAtUs! / r.timeseries.intervalUs));
  });

  it('a fast single-threaded store under the same herd is far from its ceiling; every take is counted once', () => {
    const r = herd('single-thread-server', '10us');
    expect(r.metrics.stock_utilisation!).toBeLessThan(0.5);
    expect(r.metrics.stock_utilisation!).toBeGreaterThan(0);
    expect(column(r, 'stock_ops').reduce((a, b) => a + b, 0)).toBe(r.counters.stockOperations);
    // Busy time = operations x service, all inside the rows.
    const busyUs = column(r, 'stock_busy').reduce((a, b) => a + b, 0) * r.timeseries.intervalUs;
    expect(busyUs).toBeCloseTo(r.counters.stockOperations * 10, -1);
  });

  it('parallel primitives have no modelled ceiling: utilisation is unmeasured (null), its column 0', () => {
    for (const primitive of ['atomic', 'check-then-decrement']) {
      const r = herd(primitive, '200us');
      expect(r.metrics.stock_utilisation).toBeNull();
      expect(column(r, 'stock_busy').every((x) => x === 0)).toBe(true);
      expect(r.metrics.stock_peak_ops!).toBeGreaterThan(0);
      expect(r.metrics.stock_peak_ops).toBe(Math.max(...column(r, 'stock_ops')) * 10);
    }
  });
});

describe('runOnce: waiting room', () => {
  const BOTS = { users: { bots: { share: '5%' } } };
  const room = (mode: string, rate = '500/s', extra: Record<string, unknown> = {}) =>
    merge(BOTS, { system: { waitingRoom: { mode, rate, ...extra } } });

  for (const seed of [1, 2]) {
    it(`random: bots' 5 ms reaction buys them no place, their share of the stock falls to about their share of users (seed ${seed})`, () => {
      const off = run(BOTS, seed);
      const lottery = run(room('random'), seed);
      expect(off.bots.shareOfStock!).toBeGreaterThan(0.3); // bots are 5% of users
      expect(lottery.bots.shareOfStock!).toBeLessThan(0.12);
      for (const r of [off, lottery]) {
        expect(r.ledger).toHaveLength(100);
        expect(
          audit(r)
            .invariants.filter((i) => !i.passed)
            .map((i) => i.message),
        ).toEqual([]);
      }
      // Nobody is let through before the lottery is drawn (T0 + window, 3s).
      expect(lottery.ledger.every((o) => o.acceptedUs >= T0 + 3 * SECOND)).toBe(true);
    });
  }

  it('fifo: first come, first served, so bots still come first; and the order servers see at most the rate', () => {
    // 100 ms rows, so that the rows between T0 and the sell-out can be looked at one by one.
    const fine = { interval: '100ms' };
    const fifo = run(merge(room('fifo', '200/s'), fine), 1);
    const off = run(merge(BOTS, fine), 1);
    expect(fifo.bots.shareOfStock!).toBeGreaterThan(0.3);
    const attempts = (r: RunResult) => column(r, 'order_attempts');
    // Rows from T0 up to the one before the sell-out (the sold-out flush lets the rest through at once).
    const rush = (r: RunResult) => attempts(r).slice(T0 / 100_000, Math.floor((T0 + r.metrics.sell_out_time!) / 100_000));
    // Without a room the herd reaches the servers far faster than 20 per 100 ms.
    expect(Math.max(...attempts(off))).toBeGreaterThan(100);
    // Behind a 200/s room: at most 20 (+1 at a row's edge) per 100 ms, and about that while the line lasts.
    expect(rush(fifo).length).toBeGreaterThan(2);
    for (const n of rush(fifo)) expect(n).toBeLessThanOrEqual(21);
    expect(Math.max(...rush(fifo))).toBeGreaterThanOrEqual(19);
  });

  it('people in line do not give up, however long it is: no order timeouts, and every buyer gets an answer', () => {
    // 5 requests/s: the 100 units take 20 s or more to go, the line waits far beyond patience (3s).
    const slow = run(room('fifo', '5/s', {}), 1);
    expect(slow.counters.userTimeouts).toBe(0);
    expect(slow.outcomes.pending).toBe(0);
    expect(slow.outcomes.gaveUp).toBe(0);
    expect(slow.latency.decision.max).toBeGreaterThan(10 * SECOND);
    expect(slow.counters.roomPeak).toBeGreaterThan(100);
    expect(
      audit(slow)
        .invariants.filter((i) => !i.passed)
        .map((i) => i.message),
    ).toEqual([]);
  });

  it('a user let through waits for the servers with fresh patience: a slow server after the line still times out', () => {
    const r = run(room('fifo', '1000/s', {}), 1);
    const slowServers = run(
      merge(room('fifo', '1000/s'), {
        system: { orderServers: { servers: 1, slots: 1000, onFull: 'queue', maxWait: '60s', service: '5s' } },
      }),
      1,
    );
    expect(r.counters.userTimeouts).toBe(0);
    expect(slowServers.counters.userTimeouts).toBeGreaterThan(0);
    expect(
      audit(slowServers)
        .invariants.filter((i) => !i.passed)
        .map((i) => i.message),
    ).toEqual([]);
  });

  it('the room closes with the run: nobody is let through after duration, and those still in line end pending', () => {
    // 1/s from T0 (1 min) to the end (3 min): 120 let through, with stock for everyone; ~1,900 still in line.
    // (No bots: their forged early shots would take the first places of the fifo line.)
    const r = run({ sale: { stock: 5000 }, system: { waitingRoom: { mode: 'fifo', rate: '1/s' } } }, 1);
    const end = r.config.duration;
    expect(r.ledger.length).toBeGreaterThan(100);
    expect(r.ledger.length).toBeLessThanOrEqual(121);
    expect(r.ledger.every((o) => o.acceptedUs < end)).toBe(true);
    expect(r.counters.orderAttempts).toBe(r.ledger.length);
    expect(r.simulation.endUs).toBeLessThan(end + 10 * SECOND);
    // Everyone clicked; those who never left the line had no answer: pending, with no decision.
    expect(r.outcomes.won).toBe(r.ledger.length);
    expect(r.outcomes.pending).toBe(2000 - r.outcomes.won);
    expect(r.latency.decision.count).toBe(r.outcomes.won);
    // Their requests were never answered: each counts its wait until the end as order latency
    // (coordinated omission: a room that serves nobody must not show a fast p99).
    expect(r.latency.order.count).toBe(2000);
    expect(r.latency.order.p99).toBeGreaterThan(end - T0 - 10 * SECOND);
    expect(r.latency.order.max).toBeLessThanOrEqual(end - T0);
    expect(
      audit(r)
        .invariants.filter((i) => !i.passed)
        .map((i) => i.message),
    ).toEqual([]);
  });

  it('a room slower than one request per run neither runs on for hours nor schedules beyond the clock', () => {
    const hourly = run({ system: { waitingRoom: { mode: 'fifo', rate: '1/h' } } }, 1);
    expect(hourly.ledger).toHaveLength(1);
    expect(hourly.simulation.endUs).toBeLessThan(hourly.config.duration + 10 * SECOND);
    // One per 10^10 s: the second place would be at 2^53 µs and more.
    expect(() => run(room('fifo', '0.0000000001/s'), 1)).not.toThrow();
  });

  it('a slow room lets its line through to hear "sold out" when the servers learn it, not at its next place', () => {
    // One place per 10 s for a stock of 2: sold out just after T0 + 10 s, known 100 ms later (soldOutFlagDelay).
    const r = run({ sale: { stock: 2 }, system: { waitingRoom: { mode: 'fifo', rate: '0.1/s' } } }, 1);
    expect(r.ledger).toHaveLength(2);
    expect(r.metrics.sell_out_time!).toBeGreaterThanOrEqual(10 * SECOND);
    expect(r.metrics.sell_out_time!).toBeLessThan(10.5 * SECOND);
    expect(r.outcomes.soldOut).toBe(2000 - 2);
    // The first clickers, in line since about T0, know at T0 + 10.1 s (not at the next place, T0 + 20 s); later ones at once.
    expect(r.latency.decision.max).toBeLessThan(11 * SECOND);
  });

  it("a static URL behind a room: bots' shots before T0 wait for T0 in line, and their orders are early orders all the same", () => {
    const staticUrl = (checkStartTime: boolean) => merge(room('fifo'), { system: { tokenGate: { mode: 'static', checkStartTime } } });
    const open = run(staticUrl(false), 1);
    // The line holds the shots until T0, so no order is accepted before it; but they were presented before T0,
    // as the start-time check (which judges them at the door) would say.
    expect(open.ledger.every((o) => o.acceptedUs >= T0)).toBe(true);
    const presentedEarly = open.ledger.filter((o) => o.presentedUs! < T0);
    expect(presentedEarly.length).toBeGreaterThan(0.3 * open.config.sale.stock);
    expect(open.metrics.early_orders).toBe(presentedEarly.length);
    const noEarly = audit(open).invariants.find((i) => i.name === 'no-early-orders')!;
    expect(noEarly.passed).toBe(false);
    expect(noEarly.offendingCount).toBe(presentedEarly.length);
    // The shots reached the system before T0: early attempts, as without a room.
    expect(open.bots.earlyAttempts).toBeGreaterThan(0);

    const checked = run(staticUrl(true), 1);
    expect(checked.metrics.early_orders).toBe(0);
    expect(checked.counters.tokenRejected.early).toBeGreaterThan(0);
    expect(checked.counters.tokenRejected.early).toBeLessThanOrEqual(checked.bots.earlyAttempts);
    expect(
      audit(checked)
        .invariants.filter((i) => !i.passed)
        .map((i) => i.message),
    ).toEqual([]);
  });

  for (const balancer of ['least-loaded', 'round-robin']) {
    it(`the ${balancer} balancer behind a room balances the requests let through, not the clicks that queued`, () => {
      // During the lottery's window nothing reaches the servers: a least-loaded pick at the click found them all idle.
      const config = configOf(
        merge(SMALL, {
          system: {
            waitingRoom: { mode: 'random', rate: '600/s' },
            orderServers: { servers: 4, slots: 4, onFull: 'reject', service: '20ms', balancer },
          },
        }),
      );
      const model = new FlashSaleModel(config, { strategy: 's', replication: 0, seed: 1 });
      model.sim.run({});
      const admitted = [...model.flow.servers.admitted];
      const total = admitted.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(100);
      for (const n of admitted) expect(n).toBeGreaterThan(total / 8);
      // 600/s at 20 ms is 12 busy slots of 16: no server is full.
      expect(model.flow.rejected).toBe(0);
    });
  }

  it('off is the seed design: identical results with and without the (unused) room settings', () => {
    const { config: withSettings, ...off } = run(room('off'), 1);
    const { config: without, ...plain } = run(BOTS, 1);
    expect(withSettings.system.waitingRoom.rate).not.toBe(without.system.waitingRoom.rate);
    expect(off).toEqual(plain);
    expect(off.counters.roomEntries).toBe(0);
  });
});

describe('runOnce: the admission quota (orderServers.quota)', () => {
  const S = 4;
  const N = 10;
  for (const onFull of ['reject', 'unbounded'] as const) {
    it(`servers ${S} × quota ${N} (onFull: ${onFull}): S·N orders reach the stock and order steps, no more; every later request hears "sale ended"`, () => {
      const config = configOf(merge(SMALL, { system: { orderServers: { servers: S, slots: 5, onFull, quota: N } } }));
      const model = new FlashSaleModel(config, { strategy: 's', replication: 0, seed: 1 });
      // The users hear every refusal as "sale ended".
      let saleEnded = 0;
      const answer = model.users.orderListener.onOrderAnswer;
      model.users.orderListener.onOrderAnswer = (user, gen, outcome, clickedAtUs) => {
        if (outcome === OrderAnswer.SaleEnded) saleEnded++;
        answer.call(model.users.orderListener, user, gen, outcome, clickedAtUs);
      };
      model.sim.run({});
      const flow = model.flow;
      // The storm spends every server's quota: the bound is reached, not just respected.
      expect(Array.from(flow.servers.passedOn)).toEqual(Array<number>(S).fill(N));
      expect(flow.stock.operations).toBe(S * N);
      // What reached the order subsystem: orders created, refused by its queue, or lost by its broker.
      const reachedOrders = flow.ledger.size + flow.errors + flow.lostMessages;
      expect(reachedOrders).toBe(S * N);
      // Stock is left (100 units for 40 orders), so no "sold out" flag stands in for the quota.
      expect(flow.stock.level).toBe(config.sale.stock - S * N);
      expect(flow.soldOutAnswers).toBe(0);
      // Everyone else heard "sale ended": almost all on arrival, without a slot.
      expect(flow.servers.quotaRefusals).toBeGreaterThan(100);
      expect(flow.attempts - flow.admitted).toBeGreaterThan(100);
      if (onFull === 'unbounded') expect(flow.servers.quotaRefusals).toBe(flow.rejected);
      expect(saleEnded).toBe(flow.rejected);
    });
  }

  it('absent, the results are those of the same run without the key (null means no quota too)', () => {
    const { config: a, ...plain } = run({ system: { orderServers: { servers: S } } });
    const { config: b, ...withNull } = run({ system: { orderServers: { servers: S, quota: null } } });
    expect(b.system.orderServers.quota).toBeUndefined();
    expect(withNull).toEqual(plain);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('runOnce: determinism and common random numbers', () => {
  it('same config and seed give identical results; another seed or replication does not', () => {
    const a = JSON.stringify(run({ users: { bots: { share: '2%' } } }, 7));
    const b = JSON.stringify(run({ users: { bots: { share: '2%' } } }, 7));
    expect(a).toBe(b);
    const c = run({ users: { bots: { share: '2%' } } }, 8);
    expect(JSON.stringify(c)).not.toBe(a);
    const parsed = JSON.parse(a) as RunResult;
    expect(c.ledger.map((o) => o.user)).not.toEqual(parsed.ledger.map((o) => o.user));
    const d = run({ users: { bots: { share: '2%' } } }, 7, 1);
    expect(d.ledger.map((o) => o.user)).not.toEqual(parsed.ledger.map((o) => o.user));
  });

  it('strategies differing only in the order servers see identical traffic until the first click', () => {
    const a = run({}, 5, 0, 'a');
    const b = run({ system: { orderServers: { servers: 2, slots: 3, onFull: 'queue', balancer: 'least-loaded' } } }, 5, 0, 'b');
    const beforeT0 = T0 / SECOND - 1;
    expect(b.timeseries.rows.slice(0, beforeT0)).toEqual(a.timeseries.rows.slice(0, beforeT0));
    expect(a.timeseries.rows.slice(0, beforeT0).reduce((s, row) => s + row[0], 0)).toBeGreaterThan(1000);
    // ...and then differ.
    expect(b.timeseries.rows).not.toEqual(a.timeseries.rows);
  });

  it('users arrive at the same moments whatever the system upstream (CDN or not)', () => {
    // One view at arrival and the next near T0: page views before T0 − 3 s are exactly the arrivals.
    const once = { users: { refresh: '1h' }, system: { originLink: { leased: '10Gbps' } } };
    const cdn = run(once, 9);
    const noCdn = run(merge(once, { system: { cdn: { edges: 0 } } }), 9);
    expect(noCdn.counters.cdnHits).toBe(0);
    expect(cdn.counters.cdnHits).toBeGreaterThan(0);
    expect(noCdn.counters.userTimeouts).toBe(0);
    const upTo = T0 / SECOND - 3;
    const arrivals = column(cdn, 'page_views').slice(0, upTo);
    expect(column(noCdn, 'page_views').slice(0, upTo)).toEqual(arrivals);
    expect(arrivals.reduce((a, b) => a + b, 0)).toBeGreaterThan(500);
    // The systems did differ upstream.
    expect(column(noCdn, 'origin_page_requests').slice(0, upTo)).not.toEqual(column(cdn, 'origin_page_requests').slice(0, upTo));
  });
});

describe('runOnce: CDN hit ratio', () => {
  it('counts page views only, also when the button script goes through the edges', () => {
    // cdnTtl 0: every script request through the CDN is a miss.
    const pagesOnly = run({}, 4);
    const withScript = run({ system: { buttonScript: { servedBy: 'cdn', cdnTtl: '0s' }, tokenGate: { bindToUser: false } } }, 4);
    for (const r of [pagesOnly, withScript]) {
      expect(r.counters.cdnHits + r.counters.cdnMisses).toBe(r.counters.pageViews);
      expect(r.metrics.cdn_hit_ratio).toBeCloseTo(r.counters.cdnHits / r.counters.pageViews, 5);
      expect(r.metrics.cdn_hit_ratio).toBeGreaterThan(0.9);
      const hits = column(r, 'cdn_hits');
      const misses = column(r, 'cdn_misses');
      column(r, 'page_views').forEach((views, k) => expect(hits[k] + misses[k]).toBe(views));
    }
    // The script requests the edges saw are counted apart.
    expect(withScript.counters.cdnScriptHits + withScript.counters.cdnScriptMisses).toBe(withScript.counters.scriptRequests);
    expect(withScript.counters.cdnScriptHits).toBe(0);
    expect(pagesOnly.counters.cdnScriptHits + pagesOnly.counters.cdnScriptMisses).toBe(0);
  });
});

describe('runOnce: retry storm and isolation', () => {
  const NO_CDN = { system: { cdn: { edges: 0 } } };

  it('a tiny origin without CDN: users time out and refresh; page latency reaches patience scale. A big origin: no timeouts', () => {
    const tiny = run(merge(NO_CDN, { system: { origin: { servers: 1, concurrency: 1 } } }));
    const big = run(merge(NO_CDN, { system: { origin: { servers: 8, concurrency: 64 }, originLink: { leased: '10Gbps' } } }));
    const patience = tiny.config.users.patience;
    expect(tiny.counters.userTimeouts).toBeGreaterThan(1000);
    expect(tiny.latency.page.p99).toBeGreaterThan(patience / 2);
    // The storm: far more page views than the users would make on their own,
    // until users.giveUpAfter failed loads in a row make them leave.
    expect(tiny.counters.pageViews).toBeGreaterThan(2.5 * big.counters.pageViews);
    expect(tiny.outcomes.gaveUp).toBeGreaterThan(tiny.config.users.count / 2);
    expect(big.outcomes.gaveUp).toBe(0);
    expect(tiny.metrics.page_error_rate).toBeGreaterThan(0.5);
    expect(big.counters.userTimeouts).toBe(0);
    expect(big.latency.page.p99).toBeLessThan(patience / 10);
    expect(big.ledger).toHaveLength(100);
  });

  // Page latency runs from the intended send time across impatient and
  // error retries, and users who leave or are still waiting count with the
  // time they waited, so a system that never answers cannot hide its delay.
  it('when nobody gets a page within patience, page latency p99 exceeds patience', () => {
    const tiny = run(merge(NO_CDN, { system: { origin: { servers: 1, concurrency: 1 } } }));
    expect(tiny.outcomes.won).toBe(0);
    expect(tiny.latency.page.p99).toBeGreaterThan(tiny.config.users.patience);
  });

  it('page_error_rate counts page and script requests only: order attempts that time out are not page errors', () => {
    // Order servers slower than the users' patience: every attempt times out.
    const r = run({ system: { orderServers: { service: '5s' } }, users: { patience: '1s' } });
    expect(r.counters.userTimeouts).toBeGreaterThan(100);
    expect(r.counters.originErrors).toBe(0);
    expect(r.metrics.page_error_rate).toBe(0);
  });

  it('page_error_rate is a rate: every refused page or script request counts once', () => {
    // No CDN, one origin slot, no queue: requests are served or refused at once.
    for (const edges of [0, 20]) {
      const r = run({ system: { cdn: { edges }, origin: { servers: 1, concurrency: 1, queue: 0 } } });
      const requests = r.counters.pageViews + r.counters.scriptRequests;
      expect(r.counters.originErrors).toBeGreaterThan(1000);
      expect(r.metrics.page_error_rate).toBeLessThanOrEqual(1);
      // Errors reaching a user after the run closed (or after they gave up waiting) are not counted: a little under.
      const expected = (r.counters.originErrors + r.counters.userTimeouts) / requests;
      expect(r.metrics.page_error_rate).toBeGreaterThan(expected * 0.98);
      expect(r.metrics.page_error_rate).toBeLessThanOrEqual(expected + 1e-9);
    }
  });

  it("shared deployment: the storm hurts the main site's latency; isolated it does not", () => {
    const storm = merge(NO_CDN, { system: { origin: { servers: 1, concurrency: 8 }, mainSite: { rps: '50/s' } } });
    const isolated = run(merge(storm, { system: { mainSite: { deployment: 'isolated' } } }));
    const shared = run(merge(storm, { system: { mainSite: { deployment: 'shared' } } }));
    const quiet = run({ system: { mainSite: { deployment: 'isolated', rps: '50/s' } } });
    expect(shared.latency.main_site.p99).toBeGreaterThan(5 * isolated.latency.main_site.p99);
    expect(shared.latency.main_site.p99).toBeGreaterThan(500_000);
    // Isolated, the main site does not notice the storm at all (its own pool and random streams).
    expect(isolated.latency.main_site).toEqual(quiet.latency.main_site);
    expect(isolated.mainSite).toEqual(quiet.mainSite);
  });
});

describe('runOnce: unpaid orders (orders.unpaid, orders.paymentTimeout)', () => {
  // Latecomers keep arriving until 2m30s, after the cancellations (T0 + 20 s on).
  const UNPAID = {
    users: { arrival: { kind: 'ramp', from: '0s', to: '2m30s', scale: '40s' } },
    system: { orders: { unpaid: '43%', paymentTimeout: '20s' } },
  };

  it('unpaid orders are cancelled and their units return; every invariant holds, undersell counts standing orders', () => {
    for (const reopenOnReturn of [false, true]) {
      const r = run(merge(UNPAID, { system: { orderServers: { reopenOnReturn } } }));
      const cancelled = r.ledger.filter((o) => o.cancelledUs !== undefined);
      expect(r.counters.ordersCancelled).toBeGreaterThan(0);
      expect(cancelled).toHaveLength(r.counters.ordersCancelled);
      expect(r.metrics.orders_cancelled).toBe(r.counters.ordersCancelled);
      for (const o of cancelled) expect(o.cancelledUs).toBe(o.timeUs + 20 * SECOND);
      expect(r.stock.returned).toBe(r.counters.ordersCancelled);
      expect(r.counters.ordersUnpaid).toBe(r.counters.ordersCancelled + r.counters.ordersAwaitingPayment);
      expect(
        audit(r)
          .invariants.filter((c) => !c.passed)
          .map((c) => c.message),
      ).toEqual([]);
      expect(r.metrics.oversell).toBe(0);
      expect(r.metrics.duplicate_orders).toBe(0);
      expect(r.stock.undersell).toBe(r.stock.initial - (r.ledger.length - cancelled.length));
      if (reopenOnReturn) {
        expect(r.counters.unitsResold).toBeGreaterThan(0);
        expect(r.ledger.length).toBeGreaterThan(r.stock.initial);
      } else {
        // Behind the sold-out flag nothing returned is sold again.
        expect(r.counters.unitsResold).toBe(0);
        expect(r.stock.undersell).toBe(r.counters.ordersCancelled);
      }
    }
  });

  it('the same buyers go unpaid in every strategy (keyed draws)', () => {
    const kept = run(UNPAID, 1, 0, 'kept');
    const reopen = run(merge(UNPAID, { system: { orderServers: { reopenOnReturn: true } } }), 1, 0, 'reopen');
    const unpaidUsers = (r: RunResult) => new Set(r.ledger.filter((o) => o.cancelledUs !== undefined).map((o) => o.user));
    for (const user of unpaidUsers(kept)) expect(unpaidUsers(reopen).has(user)).toBe(true);
  });

  it("a deadline past the run's end leaves the order awaiting payment, its unit held, and does not stretch the run", () => {
    const r = run({ system: { orders: { unpaid: '43%', paymentTimeout: '2m' } } });
    expect(r.counters.ordersUnpaid).toBeGreaterThan(0);
    expect(r.counters.ordersAwaitingPayment).toBe(r.counters.ordersUnpaid);
    expect(r.counters.ordersCancelled).toBe(0);
    expect(r.stock.undersell).toBe(0);
    expect(r.simulation.endUs).toBeLessThan(r.config.duration + 10 * SECOND);
  });

  it('defaults change nothing: unpaid 0% gives the same run whatever the timeout and the reopen flag', () => {
    const strip = (r: RunResult) => JSON.stringify({ ...r, config: null });
    const plain = run({ system: { orders: { queue: 5, consumers: 1, service: '50ms' } } });
    const knobs = run({
      system: {
        orders: { queue: 5, consumers: 1, service: '50ms', unpaid: '0%', paymentTimeout: '1s' },
        orderServers: { reopenOnReturn: false },
      },
    });
    expect(plain.counters.ordersFailed).toBeGreaterThan(0);
    expect(strip(knobs)).toBe(strip(plain));
    expect(plain.counters.ordersUnpaid).toBe(0);
  });
});
