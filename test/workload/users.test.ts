import { describe, expect, it } from 'vitest';
import { FlashSaleModel } from '../../src/model/flash-sale-model.js';
import { runOnce } from '../../src/model/run-once.js';
import { buildResult } from '../../src/model/build-result.js';
import type { RunResult } from '../../src/results/result.js';
import { LIMITS } from '../../src/scenario/schema.js';
import { Outcome, RECORD_BYTES } from '../../src/workload/users.js';
import { columnIndex, configOf, merge, SMALL } from '../helpers/flash-config.js';

const T0 = 60_000_000;

function run(over: Record<string, unknown>, seed = 1): RunResult {
  return runOnce(configOf(merge(SMALL, over)), { strategy: 's', replication: 0, seed }).result;
}

/** 100 users all arriving at 0, refreshing every 10 s exactly, perfect clocks. */
const CLOCKWORK = {
  users: { count: 100, arrival: { kind: 'burst', at: '0s', spread: '0s' }, refresh: '10s', clockSkew: '0s' },
  sale: { stock: 1000 },
};

describe('users', () => {
  it('refresh until T0 with their think time, then load the page at T0 and click once', () => {
    const r = run(CLOCKWORK);
    // Views at 0 and about 10, 20, 30, 40, 50 s (each after the last script arrived), then at T0 itself.
    expect(r.counters.pageViews).toBe(700);
    expect(r.counters.scriptRequests).toBe(700);
    expect(r.counters.orderAttempts).toBe(100);
    expect(r.outcomes.won).toBe(100);
    expect(r.ledger.every((o) => o.acceptedUs >= T0)).toBe(true);
    // The herd: with perfect clocks every user refreshes at T0 exactly, and
    // nobody in the seconds before. (Rows 59 and 60 together: an event at
    // exactly T0 can land in the row before it, see the run-once test.)
    const rows = r.timeseries.rows;
    const pv = columnIndex(r.timeseries.columns, 'page_views');
    const at = T0 / 1_000_000;
    expect(rows[at - 1][pv] + rows[at][pv]).toBe(100);
    expect(rows[at - 2][pv] + rows[at - 3][pv]).toBe(0);
  });

  it('with clock skew some users refresh seconds before T0 (and again after it: their button was still disabled)', () => {
    const r = run(merge(CLOCKWORK, { users: { clockSkew: '1s' } }));
    const rows = r.timeseries.rows;
    const pv = columnIndex(r.timeseries.columns, 'page_views');
    const at = T0 / 1_000_000;
    // P(skew < −1 s) ≈ 16 %.
    expect(rows[at - 2][pv] + rows[at - 3][pv]).toBeGreaterThan(8);
    // Early refreshers saw a disabled button and refresh late: more views than users around T0.
    expect(rows.slice(at - 3, at + 3).reduce((sum, row) => sum + row[pv], 0)).toBeGreaterThan(120);
    expect(r.outcomes.won).toBe(100);
  });

  it('a user ends "won" exactly when the ledger holds an order of theirs, whatever the order servers do', () => {
    for (const over of [
      {},
      { users: { bots: { share: '10%' } } },
      { system: { orderServers: { servers: 1, slots: 1 } } },
      { system: { orderServers: { onFull: 'queue', maxWait: '5s', service: '50ms' } } },
      { system: { orders: { mode: 'sync', consumers: 1, service: '20ms' } } },
    ]) {
      const model = new FlashSaleModel(configOf(merge(SMALL, over)), { strategy: 's', replication: 0, seed: 3 });
      model.sim.run();
      const buyers = new Set(model.flow.ledger.toArray().map((o) => o.user));
      const winners = new Set<number>();
      for (let u = 0; u < model.users.count; u++) if (model.users.outcomeOf(u) === Outcome.Won) winners.add(u);
      expect(winners).toEqual(buyers);
      expect(buyers.size).toBe(100);
    }
  });

  it('bots are the configured share of users and poll every bots.refresh, far more often than people', () => {
    const model = new FlashSaleModel(configOf(merge(SMALL, { users: { count: 5000, bots: { share: '10%' } } })), {
      strategy: 's',
      replication: 0,
      seed: 1,
    });
    let bots = 0;
    for (let u = 0; u < model.users.count; u++) if (model.users.isBot(u)) bots++;
    expect(model.users.botsCount).toBe(bots);
    expect(Math.abs(bots - 500)).toBeLessThan(70); // binomial sd ≈ 21
    const allBots = run(merge(CLOCKWORK, { users: { bots: { share: '100%', refresh: '1s', knowsStaticUrl: false } } }));
    // 60 s of polling at 1 s plus a page + script round trip each: 50 to 60 views per bot.
    const perBot = allBots.counters.pageViews / 100;
    expect(perBot).toBeGreaterThan(50);
    expect(perBot).toBeLessThan(62);
    expect(allBots.bots.count).toBe(100);
    expect(allBots.bots.won).toBe(100);
  });

  it('bots that know the URL fire their early attempts before T0; against dynamic tokens every one is a forgery', () => {
    // Slots for all: 100 bots firing at the same instants would otherwise find full servers.
    const r = run(merge(CLOCKWORK, { users: { bots: { share: '100%', earlyAttempts: 20 } }, system: { orderServers: { slots: 1000 } } }));
    expect(r.bots.earlyAttempts).toBe(100 * 20);
    expect(r.counters.tokenRejected.forged).toBe(100 * 20);
    expect(r.ledger.every((o) => o.acceptedUs >= T0)).toBe(true);
    // Refused early attempts do not stop them from buying legitimately after T0.
    expect(r.outcomes.won).toBe(100);
    const unaware = run(merge(CLOCKWORK, { users: { bots: { share: '100%', knowsStaticUrl: false } } }));
    expect(unaware.bots.earlyAttempts).toBe(0);
  });

  it('retry policy none: a "sale ended" user stops; with retries the same users come back and the attempts grow, bounded by maxAttempts', () => {
    const tight = { system: { orderServers: { servers: 1, slots: 1 } } };
    const none = run(merge(tight, { users: { retry: { policy: 'none' } } }));
    const retry = run(merge(tight, { users: { retry: { policy: 'jittered', maxAttempts: 5 } } }));
    expect(none.outcomes.saleEnded).toBeGreaterThan(0);
    // One click per user.
    expect(none.counters.orderAttempts).toBeLessThanOrEqual(2000);
    expect(retry.counters.orderAttempts).toBeGreaterThan(none.counters.orderAttempts);
    expect(retry.outcomes.saleEnded).toBeLessThan(none.outcomes.saleEnded);
    expect(retry.counters.orderAttempts).toBeLessThanOrEqual(2000 * 5);
    // Same pre-click behaviour: same page views (common random numbers, nothing upstream differs).
    expect(retry.counters.pageViews).toBe(none.counters.pageViews);
  });

  it('an order answer slower than patience makes the user click again, at most maxAttempts times', () => {
    const r = run({
      sale: { stock: 2000 },
      system: { orderServers: { servers: 1, slots: 10, onFull: 'queue', maxWait: '30s', service: '100ms' } },
      users: { retry: { maxAttempts: 3 } },
    });
    expect(r.counters.userTimeouts).toBeGreaterThan(100);
    expect(r.counters.orderAttempts).toBeGreaterThan(2000);
    expect(r.counters.orderAttempts).toBeLessThanOrEqual(2000 * 3);
    // Re-clicks of a user who already holds an order are duplicates, never second orders.
    expect(new Set(r.ledger.map((o) => o.user)).size).toBe(r.ledger.length);
    expect(r.metrics.lost_orders).toBe(0);
  });

  it('a duplicate answer while the earlier attempt is still at the stock step does not leave the user undecided', () => {
    // A slow hot row: a user's first attempt waits for the lock longer than
    // patience, the re-click is answered "duplicate" (the first attempt holds
    // the one-per-user mark), and then the first attempt fails (sold out).
    const model = new FlashSaleModel(
      configOf(
        merge(SMALL, {
          sale: { stock: 60 },
          system: { orderServers: { servers: 20, slots: 50, soldOutFlag: false }, stock: { primitive: 'row-lock', service: '100ms' } },
        }),
      ),
      { strategy: 's', replication: 0, seed: 1 },
    );
    model.sim.run();
    expect(model.flow.duplicates).toBeGreaterThan(0);
    let pending = 0;
    for (let u = 0; u < model.users.count; u++) if (model.users.outcomeOf(u) === Outcome.Pending) pending++;
    // Every user arrived long before the end: none is still waiting.
    expect(pending).toBe(0);
  });

  it('a page slower than patience at the origin makes the user refresh at patience, even when it was served at once', () => {
    // One user, no CDN, an idle origin whose every page takes 5 s: the user
    // gives up on each page after 3 s (patience) and asks again.
    const r = run({
      users: { count: 1, arrival: { kind: 'burst', at: '0s', spread: '0s' }, patience: '3s', giveUpAfter: 4 },
      system: { cdn: { edges: 0 }, origin: { service: '5s' } },
    });
    const pv = columnIndex(r.timeseries.columns, 'page_views');
    const sendsAt = r.timeseries.rows.flatMap((row, k) => Array.from({ length: row[pv] }, () => k));
    // Sent at 0, 3, 6 and 9 s, then gone after the fourth failure (12 s), not at 0, 5, 10 and 15 s.
    expect(sendsAt).toEqual([0, 3, 6, 9]);
    expect(r.counters.userTimeouts).toBe(4);
    expect(r.outcomes.gaveUp).toBe(1);
  });

  it('a slow button script shows in script latency (timed-out requests count at least patience), not in page latency', () => {
    // Pages come from the CDN; the script from an origin with one slot that
    // cannot keep up: most script requests time out and the user refreshes.
    const r = run({ system: { origin: { servers: 1, concurrency: 1, scriptService: 'lognormal(20ms, 0.5)', queue: 100000 } } });
    expect(r.counters.userTimeouts).toBeGreaterThan(r.counters.scriptRequests / 2);
    // Every script request is a sample: answered, refused, given up on, or still waiting at the end.
    expect(r.latency.script.count).toBe(r.counters.scriptRequests);
    expect(r.latency.script.p99).toBeGreaterThanOrEqual(3_000_000);
    // The page itself came from the edge at once: its latency does not pile up the script's waits.
    expect(r.latency.page.p50).toBeLessThan(1_000_000);
  });

  it('a button script that never comes in time counts as a failed page load: users leave after giveUpAfter', () => {
    // Pages always from the edge cache; the script from an origin far too slow for it.
    const r = run({
      system: { cdn: { ttl: '1h' }, origin: { servers: 1, concurrency: 1, scriptService: 'lognormal(20ms, 0.5)', queue: 100000 } },
    });
    expect(r.counters.userTimeouts).toBeGreaterThan(1000);
    // Every user arrived by 70 s; ten failed loads of 3 s each leave them gone well before the end (3 min).
    expect(r.outcomes.pending).toBe(0);
    expect(r.outcomes.gaveUp).toBe(2000);
    expect(r.counters.userTimeouts).toBeLessThanOrEqual(2000 * 10);
  });

  it('a stale "not started" script from the CDN makes users refresh after T0, and give up after lateRefreshes', () => {
    const stale = { system: { buttonScript: { servedBy: 'cdn', cdnTtl: '20s' }, tokenGate: { bindToUser: false } } };
    const impatient = run(merge(stale, { users: { lateRefreshes: 0 } }));
    const persistent = run(merge(stale, { users: { lateRefreshes: 100 } }));
    expect(impatient.outcomes.gaveUp).toBeGreaterThan(500);
    expect(persistent.outcomes.gaveUp).toBeLessThan(impatient.outcomes.gaveUp / 5);
    expect(persistent.outcomes.won).toBe(100);
    // Page views after T0 come from those late refreshes.
    expect(persistent.counters.pageViews).toBeGreaterThan(impatient.counters.pageViews + 2000);
  });
});

describe('time to a definite answer (decision_latency, decided_within_2s)', () => {
  const DEFINITE = new Set([Outcome.Won, Outcome.SoldOut, Outcome.SaleEnded, Outcome.Blocked]);

  /** Runs to the end and counts, from the user records, buyers (users who clicked) and buyers with a definite outcome. */
  function buyers(over: Record<string, unknown>): { result: RunResult; clicked: number; definite: number } {
    const model = new FlashSaleModel(configOf(merge(SMALL, over)), { strategy: 's', replication: 0, seed: 1 });
    model.sim.run();
    const result = buildResult(model);
    let clicked = 0;
    let definite = 0;
    for (let u = 0; u < model.users.count; u++) {
      if (model.users.firstClickAt(u) === Infinity) continue;
      clicked++;
      if (DEFINITE.has(model.users.outcomeOf(u))) definite++;
    }
    return { result, clicked, definite };
  }

  it("one sample per buyer who got a definite answer; when every buyer is answered at once, all within 2 s and the time equals the one answer's", () => {
    const r = run(CLOCKWORK);
    expect(r.outcomes.won).toBe(100);
    expect(r.latency.decision.count).toBe(100);
    expect(r.metrics.decided_within_2s).toBe(1);
    // One click each, answered "won": the decision is that answer.
    expect(r.latency.decision.p50).toBe(r.latency.order.p50);
    expect(r.latency.decision.max).toBe(r.latency.order.max);
  });

  it('retries after "sale ended" make buyers wait seconds for a definite answer although each answer is fast', () => {
    const {
      result: r,
      clicked,
      definite,
    } = buyers({
      system: { orderServers: { servers: 1, slots: 1, onFull: 'reject' } },
      users: { retry: { policy: 'jittered', delay: '1s', cap: '30s', maxAttempts: 5 } },
    });
    expect(r.latency.decision.count).toBe(definite);
    expect(r.latency.order.p99).toBeLessThan(500_000);
    expect(r.latency.decision.p99).toBeGreaterThan(2_000_000);
    expect(r.metrics.answered_within_2s).toBeGreaterThan(0.99);
    expect(r.metrics.decided_within_2s!).toBeLessThan(0.9);
    expect(r.metrics.decided_within_2s!).toBeLessThanOrEqual(definite / clicked);
  });

  it('a late "won" after a definite "sale ended" does not count the buyer twice', () => {
    // An order takes 4 s, longer than patience (3 s): the buyer clicks again,
    // is told "sale ended" by the full server (last attempt: decided), and
    // then the first attempt's "won" arrives (the order exists).
    const { result: r, definite } = buyers({
      sale: { stock: 2000 },
      system: { orderServers: { servers: 1, slots: 2, onFull: 'reject', service: '4s' } },
      users: { retry: { policy: 'fixed', delay: '10ms', maxAttempts: 2 } },
    });
    expect(r.outcomes.won).toBeGreaterThan(0);
    expect(r.latency.decision.count).toBe(definite);
  });

  it('buyers who give up have no sample and count as not decided', () => {
    // One slow order server queueing up to a minute: most buyers lose patience (3 s) and, with one attempt, give up.
    const {
      result: r,
      clicked,
      definite,
    } = buyers({
      sale: { stock: 2000 },
      system: { orderServers: { servers: 1, slots: 1, onFull: 'queue', maxWait: '60s', service: '1s' } },
      users: { retry: { maxAttempts: 1 } },
    });
    expect(r.outcomes.gaveUp).toBeGreaterThan(1000);
    expect(clicked).toBeGreaterThan(definite);
    expect(r.latency.decision.count).toBe(definite);
    expect(r.metrics.decided_within_2s!).toBeLessThanOrEqual(definite / clicked);
    expect(r.metrics.decided_within_2s!).toBeLessThan(0.5);
  });

  it('is unmeasured (null) when nobody clicked', () => {
    const r = run({ duration: '30s' }); // ends before T0 (1m)
    expect(r.latency.decision.count).toBe(0);
    expect(r.metrics.decided_within_2s).toBeNull();
  });
});

describe('user records at the largest users.count allowed', () => {
  // Users are addressed by byte offsets user·64 + k computed with 32-bit
  // shifts (user << 6), over one Uint8Array. Beyond 2^25 users the shift
  // wraps to a negative offset: 34,000,000 users ran to "exit 0" with only
  // 33,554,432 users in the outcome table, and 100,000,000 (then the
  // documented limit) crashed as an internal error (typed array > 4 GiB).
  it('every byte of the last user is at a non-negative 32-bit offset', () => {
    const last = LIMITS.users - 1;
    expect(RECORD_BYTES).toBe(64);
    expect((last << 6) + RECORD_BYTES - 1).toBe(last * RECORD_BYTES + RECORD_BYTES - 1);
  });

  it('all records fit one byte view (typed arrays of Node 20 hold at most 2^32 elements)', () => {
    expect(LIMITS.users * RECORD_BYTES).toBeLessThanOrEqual(2 ** 32);
  });
});
