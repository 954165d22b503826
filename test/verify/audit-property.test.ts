import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BaseSchema } from '../../src/scenario/schema.js';
import { runOnce } from '../../src/model/run-once.js';
import { audit } from '../../src/verify/audit.js';

/**
 * Property tests of the audit over real simulated runs: random small
 * scenarios, with every knob that touches orders drawn at random (the
 * waiting room included).
 */

const smallScenario = fc.record({
  users: fc.integer({ min: 100, max: 1500 }),
  stock: fc.integer({ min: 1, max: 80 }),
  perUserLimit: fc.integer({ min: 1, max: 2 }),
  edges: fc.integer({ min: 0, max: 4 }),
  coalesce: fc.boolean(),
  orderServers: fc.integer({ min: 1, max: 4 }),
  slots: fc.integer({ min: 1, max: 10 }),
  onFull: fc.constantFrom('reject', 'queue', 'unbounded'),
  balancer: fc.constantFrom('random', 'round-robin', 'least-loaded'),
  orders: fc.constantFrom('sync', 'async'),
  queue: fc.integer({ min: 0, max: 50 }),
  tokens: fc.constantFrom('dynamic', 'static'),
  botShare: fc.constantFrom('0%', '2%', '10%'),
  stockService: fc.constantFrom('10us', '200us', '2ms'),
  burst: fc.boolean(),
  room: fc.constantFrom('off', 'fifo', 'random'),
  roomRate: fc.constantFrom('50/s', '2000/s'),
  // Units per order-server batch (system.stock.buffer): 0 (no buffers) as often as not.
  buffer: fc.constantFrom(0, 0, 0, 1, 3, 10),
  // Async order messages delivered twice (to idempotent consumers, the default): none as often as not.
  duplicateRate: fc.constantFrom('0%', '0%', '5%', '50%'),
  // Unpaid orders (orders.unpaid) as often as not, cancelled within the 2-minute run or past its end; units resold or kept behind the flag.
  unpaid: fc.constantFrom('0%', '0%', '30%', '100%'),
  paymentTimeout: fc.constantFrom('200ms', '5s', '2m'),
  reopenOnReturn: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});
type Small = typeof smallScenario extends fc.Arbitrary<infer T> ? T : never;

function configOf(s: Small, primitive: string) {
  return BaseSchema.parse({
    name: 'property',
    seed: s.seed,
    duration: '2m',
    sale: { start: '1m', stock: s.stock, perUserLimit: s.perUserLimit },
    users: {
      count: s.users,
      arrival: s.burst ? { kind: 'burst', at: '1m', spread: '1s' } : { kind: 'ramp', from: '30s', to: '1m10s', scale: '10s' },
      bots: { share: s.botShare },
    },
    system: {
      cdn: { edges: s.edges, coalesce: s.coalesce },
      origin: { servers: 2, concurrency: 16 },
      tokenGate: { mode: s.tokens },
      orderServers: { servers: s.orderServers, slots: s.slots, onFull: s.onFull, balancer: s.balancer, reopenOnReturn: s.reopenOnReturn },
      stock: { primitive, service: s.stockService, buffer: s.buffer },
      orders: {
        mode: s.orders,
        consumers: 2,
        queue: s.queue,
        duplicateRate: s.orders === 'async' ? s.duplicateRate : '0%',
        unpaid: s.unpaid,
        paymentTimeout: s.paymentTimeout,
      },
      waitingRoom: { mode: s.room, rate: s.roomRate, window: '2s' },
      mainSite: { rps: '20/s' },
    },
  });
}

/** Runs `s` with a correct `primitive` and checks that the audit finds nothing and the counters agree with the ledger. */
function expectSound(s: Small, primitive: string): void {
  const config = configOf(s, primitive);
  const { result } = runOnce(config, { strategy: primitive, replication: 0, seed: s.seed });
  const report = audit(result, ['no-oversell', 'one-per-user', 'valid-tokens', 'ledger-matches-responses', 'conservation']);
  const failed = report.invariants.filter((check) => !check.passed).map((check) => `${check.name}: ${check.message}`);
  expect(failed).toEqual([]);
  const standing = result.ledger.filter((order) => order.cancelledUs === undefined).length;
  expect(standing).toBeLessThanOrEqual(s.stock);
  expect(result.stock.minLevel).toBeGreaterThanOrEqual(0);
  if (s.buffer === 0) expect(result.counters.unitsInBuffers).toBe(0);
  // Idempotent consumers drop every redelivery they are handed.
  expect(result.counters.orderDuplicatesDropped).toBe(result.counters.orderMessagesDuplicated);
  // Units left in buffers are unsold: the standing orders and the units still in buffers never exceed the stock.
  expect(standing + result.counters.unitsInBuffers).toBeLessThanOrEqual(s.stock);
  // Every cancellation is in the ledger and gave its unit back; the undersell counts standing orders.
  expect(result.ledger.length - standing).toBe(result.counters.ordersCancelled);
  expect(result.stock.returned).toBeGreaterThanOrEqual(result.counters.ordersCancelled);
  if (s.unpaid === '0%') expect(result.counters.ordersUnpaid).toBe(0);
  if (result.stock.undersell > 0) expect(result.stock.undersell).toBe(s.stock - standing);
}

/**
 * The new knobs together, every run (fast-check draws the first of constantFrom's
 * values most often, so smallScenario alone rarely combines them): buffers, unpaid
 * orders cancelled within the run, and redelivered messages, in async mode.
 */
const combined = fc.record({
  buffer: fc.constantFrom(1, 3, 10),
  unpaid: fc.constantFrom('30%', '100%'),
  paymentTimeout: fc.constantFrom('200ms', '5s'),
  duplicateRate: fc.constantFrom('5%', '50%'),
});

describe('the audit over random small scenarios', () => {
  it('with atomic, serial or row-lock stock, never finds oversell, and every "won" answer matches one ledger order', () => {
    fc.assert(
      fc.property(smallScenario, fc.constantFrom('atomic', 'single-thread-server', 'row-lock'), (s, primitive) =>
        expectSound(s, primitive),
      ),
      { numRuns: 25 },
    );
  });

  it('with buffers, unpaid orders cancelled within the run and redelivered messages all on, still finds nothing', () => {
    fc.assert(
      fc.property(smallScenario, combined, fc.constantFrom('atomic', 'single-thread-server', 'row-lock'), (drawn, knobs, primitive) =>
        expectSound({ ...drawn, ...knobs, orders: 'async' }, primitive),
      ),
      { numRuns: 25 },
    );
  });

  it('with check-then-decrement under contention, every oversell is caught (paid or not), and contention does oversell', () => {
    let oversold = 0;
    const runs = 12;
    fc.assert(
      fc.property(smallScenario, fc.constantFrom('0%', '30%', '100%'), fc.constantFrom('200ms', '5s'), (drawn, unpaid, paymentTimeout) => {
        // Contention: a burst at T0, a slow racy read-then-write, admitting servers.
        // (No waiting room: letting requests through one by one would take the contention away.)
        const s = {
          ...drawn,
          users: Math.max(drawn.users, 1200),
          stock: Math.min(drawn.stock, 40),
          burst: true,
          stockService: '2ms' as const,
          onFull: 'unbounded' as const,
          orders: 'async' as const,
          queue: 50,
          room: 'off' as const,
          unpaid,
          paymentTimeout,
          orderServers: drawn.buffer > 0 ? Math.max(drawn.orderServers, 2) : drawn.orderServers,
        };
        // (At least two servers: with buffers, one server's refills never overlap, so only servers refilling at once race.)
        const { result } = runOnce(configOf(s, 'check-then-decrement'), { strategy: 'racy', replication: 0, seed: s.seed });
        const check = audit(result, ['no-oversell']).invariants[0];
        // The most orders standing at once, swept over time independently of the audit:
        // an order stands from its creation until its cancellation (a cancellation at an
        // order's creation time freed its unit first).
        const events = result.ledger.flatMap((order) =>
          order.cancelledUs === undefined
            ? [[order.timeUs, 1]]
            : [
                [order.timeUs, 1],
                [order.cancelledUs, -1],
              ],
        );
        events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        let standing = 0;
        let peak = 0;
        for (const [, step] of events) peak = Math.max(peak, (standing += step));
        if (peak > s.stock) {
          oversold++;
          expect(check.passed).toBe(false);
          expect(check.offendingCount).toBeGreaterThan(0);
        } else if (result.counters.ordersCancelled === 0) {
          // Every order stands: "more orders than stock" is then the oversell, and nothing else is one.
          expect(check.passed).toBe(true);
        }
      }),
      { numRuns: runs },
    );
    // The negative control must really oversell, not just be allowed to.
    expect(oversold).toBeGreaterThanOrEqual(runs / 2);
  });

  it('with consumers that are not idempotent, every order copy is caught, paid or not, and the stock counter stays consistent', () => {
    fc.assert(
      fc.property(
        smallScenario,
        fc.constantFrom('5%', '50%'),
        fc.constantFrom('30%', '0%', '100%'),
        fc.constantFrom('200ms', '5s'),
        (drawn, duplicateRate, unpaid, paymentTimeout) => {
          const s = { ...drawn, orders: 'async' as const, duplicateRate, unpaid, paymentTimeout };
          const config = configOf(s, 'atomic');
          config.system.orders.idempotent = false;
          const { result } = runOnce(config, { strategy: 'copies', replication: 0, seed: s.seed });
          const report = audit(result, ['ledger-matches-responses', 'conservation', 'valid-tokens']);
          const passed = Object.fromEntries(report.invariants.map((check) => [check.name, check.passed]));
          // A redelivery to such a consumer always makes a second order of one "won" answer.
          expect(result.counters.orderDuplicatesDropped).toBe(0);
          expect(passed['ledger-matches-responses']).toBe(result.counters.orderMessagesDuplicated === 0);
          expect(passed.conservation).toBe(true);
          expect(passed['valid-tokens']).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });
});
