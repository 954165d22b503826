import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/simulation.js';
import { RandomSequence, RandomSource, RandomStream } from '../../src/kernel/random.js';
import { OrderAnswer, OrderFlow, TokenKind, orderFlowStreams } from '../../src/system/order-flow.js';
import { tokenSecretSeed, verifyLedgerToken } from '../../src/system/token-gate.js';
import { configOf, merge } from '../helpers/flash-config.js';

const T0 = 60_000_000;
const SERVICE = 10_000;
const STOCK_US = 50;
const CREATE_US = 5000;

interface Answer {
  user: number;
  gen: number;
  answer: OrderAnswer;
  at: number;
  clickedAt: number;
}

/**
 * An order flow on a bare simulation: constant order-server service 10 ms,
 * stock op 50 µs, order creation 5 ms, T0 = 1 min, async orders, reject on full.
 */
function setup(overrides: Record<string, unknown> = {}, seed = 1, lossDraws?: RandomSequence, duplicateDraws?: RandomStream) {
  const config = configOf(
    merge(
      {
        sale: { start: '1m', stock: 3 },
        system: {
          orderServers: { servers: 1, slots: 10, service: '10ms', soldOutFlagDelay: '100ms' },
          stock: { primitive: 'atomic', service: '50us' },
          orders: { mode: 'async', consumers: 4, service: '5ms', queue: 1000 },
        },
      },
      overrides,
    ),
  );
  const sim = new Simulation();
  const random = new RandomSource(seed, 0);
  const answers: Answer[] = [];
  const streams = orderFlowStreams(random);
  const flow = new OrderFlow({
    sim,
    config,
    users: 100,
    strategy: 'test',
    tokenSecret: tokenSecretSeed(seed, 0),
    streams: { ...streams, loss: lossDraws ?? streams.loss, duplicate: duplicateDraws ?? streams.duplicate },
    listener: { onOrderAnswer: (user, gen, answer, clickedAt) => answers.push({ user, gen, answer, at: sim.now, clickedAt }) },
  });
  let attempt = 0;
  const sendKind = sim.register('test.send', (user, kind) => {
    const issued = tokenIssuedAt.get(user) ?? sim.now;
    flow.send(user, 1000 + user, attempt++, kind, issued, sim.now, sim.now);
  });
  const tokenIssuedAt = new Map<number, number>();
  /** `user` sends an order with a token of `kind` at `at` (token issued at `issuedAt`, default: when sent). */
  const click = (at: number, user: number, kind: TokenKind = TokenKind.Genuine, issuedAt?: number) => {
    if (issuedAt !== undefined) tokenIssuedAt.set(user, issuedAt);
    sim.scheduleAt(at, sendKind, user, kind);
  };
  const audit = () => flow.ledger.toArray().map((r) => verifyLedgerToken(flow.gate, r));
  return { sim, flow, answers, click, config, audit };
}

/** Duplicate draws for the tests: only user 2's first message draws below 50%. */
class Keyed extends RandomStream {
  override uniform(entity: number, index: number): number {
    return entity === 2 && index === 1 ? 0.1 : 0.9;
  }
}

const byUser = (answers: Answer[]) => new Map(answers.map((a) => [a.user, a.answer]));

/** Loss draws given in advance (then 0.5 forever), to decide which async messages are lost. */
class ScriptedDraws extends RandomSequence {
  constructor(private readonly draws: number[]) {
    super(0);
  }
  override next(): number {
    return this.draws.shift() ?? 0.5;
  }
}

describe('order flow', () => {
  it('a genuine token after T0 wins: answered "won" after the stock step (async), ledger record created later', () => {
    const { sim, flow, answers, click, audit } = setup();
    click(T0 + 1000, 7);
    sim.run();
    expect(answers).toEqual([{ user: 7, gen: 1007, answer: OrderAnswer.Won, at: T0 + 1000 + SERVICE + STOCK_US, clickedAt: T0 + 1000 }]);
    expect(flow.ledger.toArray()).toEqual([
      {
        orderId: 0,
        user: 7,
        timeUs: T0 + 1000 + SERVICE + STOCK_US + CREATE_US,
        acceptedUs: T0 + 1000 + SERVICE,
        token: flow.gate.issue(7, T0 + 1000),
        // Checked on arrival (tokenGate.checkAt: admission), so judged then.
        presentedUs: T0 + 1000,
        server: 0,
        strategy: 'test',
      },
    ]);
    expect(audit()).toEqual([null]);
    expect(flow.wonResponses).toEqual([7]);
    expect(flow.stock.level).toBe(2);
    expect(flow.servers.busy[0]).toBe(0);
  });

  it('sync orders: "won" only once the order exists, and the slot is held until then', () => {
    const { sim, flow, answers, click } = setup({
      system: { orderServers: { slots: 1 }, orders: { mode: 'sync' } },
    });
    click(T0, 1);
    click(T0 + SERVICE + STOCK_US + 1, 2); // while 1 is being created: slot still busy
    sim.run();
    expect(answers).toEqual([
      { user: 2, gen: 1002, answer: OrderAnswer.SaleEnded, at: T0 + SERVICE + STOCK_US + 1, clickedAt: T0 + SERVICE + STOCK_US + 1 },
      { user: 1, gen: 1001, answer: OrderAnswer.Won, at: T0 + SERVICE + STOCK_US + CREATE_US, clickedAt: T0 },
    ]);
    expect(flow.ledger.size).toBe(1);
  });

  it('forged, foreign (anonymous when bound) and expired tokens are refused and counted by kind; no stock is taken', () => {
    const { sim, flow, answers, click } = setup({ sale: { stock: 10 } });
    click(T0 + 1, 1, TokenKind.Forged);
    click(T0 + 2, 2, TokenKind.Anonymous);
    click(T0 + 40_000_000, 3, TokenKind.Genuine, T0); // issued at T0, ttl 30 s
    click(T0 - 5_000_000, 4, TokenKind.Forged); // a bot before T0
    sim.run();
    expect(byUser(answers)).toEqual(
      new Map([
        [4, OrderAnswer.Blocked],
        [1, OrderAnswer.Blocked],
        [2, OrderAnswer.Blocked],
        [3, OrderAnswer.Expired],
      ]),
    );
    expect(flow.tokenRejected).toEqual({ forged: 2, expired: 1, foreign: 1, early: 0, missing: 0 });
    expect(flow.earlyAttempts).toBe(1);
    expect(flow.stock.level).toBe(10);
    expect(flow.stock.operations).toBe(0);
    expect(flow.ledger.size).toBe(0);
  });

  it('anonymous tokens are accepted when not bound to the user', () => {
    const { sim, answers, click, audit } = setup({ system: { tokenGate: { bindToUser: false } } });
    click(T0 + 1, 2, TokenKind.Anonymous);
    sim.run();
    expect(answers.map((a) => a.answer)).toEqual([OrderAnswer.Won]);
    expect(audit()).toEqual([null]);
  });

  it('static URL: accepted before T0 without a start-time check, refused as early with it', () => {
    const open = setup({ system: { tokenGate: { mode: 'static' } } });
    open.click(T0 - 3_000_000, 1, TokenKind.Static);
    open.sim.run();
    expect(open.answers.map((a) => a.answer)).toEqual([OrderAnswer.Won]);
    expect(open.flow.ledger.toArray()[0].acceptedUs).toBeLessThan(T0);
    expect(open.audit()).toEqual([null]); // the static URL is "valid": the audit's no-early-orders catches it

    const checked = setup({ system: { tokenGate: { mode: 'static', checkStartTime: true } } });
    checked.click(T0 - 3_000_000, 1, TokenKind.Static);
    checked.click(T0, 2, TokenKind.Static);
    checked.sim.run();
    expect(byUser(checked.answers)).toEqual(
      new Map([
        [1, OrderAnswer.Blocked],
        [2, OrderAnswer.Won],
      ]),
    );
    expect(checked.flow.tokenRejected.early).toBe(1);
    // A request reaching the servers at T0 exactly is not an early attempt (kills `now <= start`).
    expect(checked.flow.earlyAttempts).toBe(1);
  });

  it('one per user: a second attempt, even a concurrent one, is a duplicate and takes no stock', () => {
    const { sim, flow, answers, click } = setup({ sale: { stock: 5 } });
    click(T0, 1);
    click(T0, 1); // same moment: in service together
    click(T0 + 1_000_000, 1); // later
    sim.run();
    // The concurrent duplicate is refused at the dedupe step, before the first one's stock step ends.
    expect(answers.map((a) => [a.answer, a.at - T0])).toEqual([
      [OrderAnswer.Duplicate, SERVICE],
      [OrderAnswer.Won, SERVICE + STOCK_US],
      [OrderAnswer.Duplicate, 1_000_000 + SERVICE],
    ]);
    expect(flow.duplicates).toBe(2);
    expect(flow.stock.sold).toBe(1);
    expect(flow.stock.operations).toBe(1);
    expect(flow.ledger.size).toBe(1);
  });

  it('a user refused for lack of stock is not marked as a buyer (may try again, is told sold out again)', () => {
    const { sim, flow, answers, click } = setup({ sale: { stock: 1 }, system: { orderServers: { soldOutFlag: false } } });
    click(T0, 1);
    click(T0 + 1_000_000, 2);
    click(T0 + 2_000_000, 2);
    sim.run();
    expect(answers.map((a) => [a.user, a.answer])).toEqual([
      [1, OrderAnswer.Won],
      [2, OrderAnswer.SoldOut],
      [2, OrderAnswer.SoldOut],
    ]);
    expect(flow.duplicates).toBe(0);
    expect(flow.stock.operations).toBe(3);
  });

  it('once stock is gone the servers answer "sold out" themselves after the flag delay, without a slot or a stock op', () => {
    const { sim, flow, answers, click } = setup({ sale: { stock: 1 } });
    click(T0, 1);
    const soldAt = T0 + SERVICE + STOCK_US;
    click(soldAt + 50_000, 2); // before the flag: goes to the stock
    click(soldAt + 100_000, 3); // flag raised: answered at arrival
    sim.run();
    expect(answers.map((a) => [a.user, a.answer, a.at])).toEqual([
      [1, OrderAnswer.Won, soldAt],
      [2, OrderAnswer.SoldOut, soldAt + 50_000 + SERVICE + STOCK_US],
      [3, OrderAnswer.SoldOut, soldAt + 100_000],
    ]);
    expect(flow.stock.operations).toBe(2);
    expect(flow.admitted).toBe(2);
    expect(flow.soldOutAtUs).toBe(soldAt);
  });

  it('reject: a request finding its server full gets "sale ended" at once', () => {
    const { sim, flow, answers, click } = setup({ sale: { stock: 10 }, system: { orderServers: { slots: 2 } } });
    for (let u = 0; u < 5; u++) click(T0, u);
    sim.run();
    expect(answers.filter((a) => a.answer === OrderAnswer.SaleEnded).map((a) => [a.user, a.at])).toEqual([
      [2, T0],
      [3, T0],
      [4, T0],
    ]);
    expect(flow.rejected).toBe(3);
    expect(flow.admitted).toBe(2);
    expect(flow.ledger.size).toBe(2);
  });

  it('queue: waiting requests get a slot in order; one still waiting at maxWait gets "sale ended" then', () => {
    const { sim, flow, answers, click } = setup({
      sale: { stock: 10 },
      system: { orderServers: { slots: 1, onFull: 'queue', maxWait: '15ms' } },
    });
    for (let u = 0; u < 3; u++) click(T0, u);
    click(T0 + 100_000, 3); // after the line has cleared
    sim.run();
    expect(answers.map((a) => [a.user, a.answer, a.at - T0])).toEqual([
      [0, OrderAnswer.Won, SERVICE + STOCK_US],
      [2, OrderAnswer.SaleEnded, 15_000],
      [1, OrderAnswer.Won, 2 * SERVICE + 2 * STOCK_US],
      [3, OrderAnswer.Won, 100_000 + SERVICE + STOCK_US],
    ]);
    expect(flow.ledger.size).toBe(3);
    expect(flow.servers.busy[0]).toBe(0);
  });

  it('queue: a deadline of a request that was served and freed does not hit the later request reusing its record', () => {
    // Kills dropping the serial check in the deadline handler. B waits, is served, and
    // its record is freed once its order exists (25.1 ms); C reuses that record at
    // 26 ms and waits behind E1..E3. B's stale deadline (T0 + 50 ms) finds C waiting:
    // it must not answer C.
    const { sim, answers, click } = setup({
      sale: { stock: 10 },
      system: { orderServers: { slots: 1, onFull: 'queue', maxWait: '50ms' } },
    });
    click(T0, 1); // A: served at once
    click(T0, 2); // B: waits for A
    for (const u of [3, 4, 5]) click(T0 + 12_000, u); // E1..E3: fresh records, served from 20.1 ms on
    click(T0 + 26_000, 6); // C: reuses B's record, waits until 50.25 ms (within its own 50 ms)
    sim.run();
    expect(answers.filter((a) => a.answer !== OrderAnswer.Won)).toEqual([]);
    expect(answers.find((a) => a.user === 6)?.at).toBe(T0 + 5 * (SERVICE + STOCK_US) + SERVICE + STOCK_US);
  });

  it("the token is checked before the per-user limit: a buyer's forged retry is refused for its token", () => {
    // Kills swapping the two steps: the token step must see (and count) every bad
    // token, and a bad token must not learn whether its user already bought.
    const { sim, flow, answers, click } = setup({ sale: { stock: 5 } });
    click(T0, 1);
    click(T0 + 1_000_000, 1, TokenKind.Forged);
    sim.run();
    expect(answers.map((a) => a.answer)).toEqual([OrderAnswer.Won, OrderAnswer.Blocked]);
    expect(flow.tokenRejected.forged).toBe(1);
    expect(flow.duplicates).toBe(0);
  });

  it('unbounded: service slows by overloadFactor per request beyond the slots', () => {
    const { sim, answers, click } = setup({
      sale: { stock: 10 },
      system: { orderServers: { slots: 1, onFull: 'unbounded', overloadFactor: 1 } },
    });
    for (let u = 0; u < 3; u++) click(T0, u);
    sim.run();
    // The k-th admitted request (k = 0, 1, 2) is slowed by 1 + k.
    expect(answers.map((a) => [a.user, a.answer, a.at - T0])).toEqual([
      [0, OrderAnswer.Won, SERVICE + STOCK_US],
      [1, OrderAnswer.Won, 2 * SERVICE + STOCK_US],
      [2, OrderAnswer.Won, 3 * SERVICE + STOCK_US],
    ]);
  });

  it('a full order queue fails the order and gives the stock back; the user may then win', () => {
    const { sim, flow, answers, click } = setup({
      sale: { stock: 5 },
      system: { orders: { consumers: 1, queue: 0, service: '1s' } },
    });
    click(T0, 1);
    click(T0 + 100_000, 2); // consumer busy, no queue: refused
    click(T0 + 2_000_000, 2); // consumer free again
    sim.run();
    expect(answers.map((a) => [a.user, a.answer])).toEqual([
      [1, OrderAnswer.Won],
      [2, OrderAnswer.Error],
      [2, OrderAnswer.Won],
    ]);
    expect(flow.stock.returned).toBe(1);
    expect(flow.stock.level).toBe(3);
    expect(flow.stock.initial - flow.stock.sold + flow.stock.returned).toBe(flow.stock.level);
    expect(flow.errors).toBe(1);
    expect(flow.ledger.toArray().map((r) => r.user)).toEqual([1, 2]);
    expect(flow.leakedUnits).toBe(0);
  });

  it('a refused order gives back the last unit: the sale is not sold out while that unit is on the shelf', () => {
    // Kills dropping the reset of soldOutAtUs on compensation: units remain, so there is no sell-out time.
    const { sim, flow, answers, click } = setup({
      sale: { stock: 2 },
      system: { orders: { consumers: 1, queue: 0, service: '1s' } },
    });
    click(T0, 1);
    click(T0 + 100_000, 2); // takes the last unit, then the full queue refuses the order: unit back
    sim.run();
    expect(answers.map((a) => [a.user, a.answer])).toEqual([
      [1, OrderAnswer.Won],
      [2, OrderAnswer.Error],
    ]);
    expect(flow.stock.handedOut).toBe(1);
    expect(flow.soldOutAtUs).toBeNull();
  });

  it('without compensation a refused order keeps its unit: the stock leaks (the classic undersell bug)', () => {
    const { sim, flow, answers, click } = setup({
      sale: { stock: 2 },
      system: { orders: { consumers: 1, queue: 0, service: '1s', compensate: false } },
    });
    click(T0, 1);
    click(T0 + 100_000, 2); // consumer busy, no queue: refused, and the unit is not given back
    click(T0 + 2_000_000, 2); // consumer free again, but the stock is gone
    sim.run();
    expect(answers.map((a) => [a.user, a.answer])).toEqual([
      [1, OrderAnswer.Won],
      [2, OrderAnswer.Error],
      [2, OrderAnswer.SoldOut],
    ]);
    expect(flow.stock.returned).toBe(0);
    expect(flow.stock.level).toBe(0);
    // The counter is consistent (conservation holds), yet only one order holds the two units.
    expect(flow.stock.initial - flow.stock.sold + flow.stock.returned).toBe(flow.stock.level);
    expect(flow.ledger.size).toBe(1);
    expect(flow.leakedUnits).toBe(1);
  });

  it('a lost async message: "won" answered, no order created, the unit never given back', () => {
    // lossRate 100%: every message is lost once the stock step succeeds.
    const { sim, flow, answers, click } = setup({ sale: { stock: 3 }, system: { orders: { lossRate: '100%' } } });
    click(T0, 1);
    click(T0 + 1000, 2);
    sim.run();
    expect(answers.map((a) => [a.user, a.answer])).toEqual([
      [1, OrderAnswer.Won],
      [2, OrderAnswer.Won],
    ]);
    expect(flow.ledger.size).toBe(0);
    expect(flow.lostMessages).toBe(2);
    expect(flow.leakedUnits).toBe(2);
    expect(flow.stock.level).toBe(1);
    expect(flow.wonResponses).toEqual([1, 2]);
    // The request is over once answered: its slot is free (kills not releasing it on a lost message).
    expect(flow.servers.busy[0]).toBe(0);
  });

  it('a message the full queue refuses is never lost: it fails with its unit given back, however the loss draw would fall', () => {
    // Kills dropping `hasRoom` from the loss check: the broker never acknowledged
    // the refused message, so the buyer must hear "error", not "won".
    // Draws: user 1's message is kept (0.9 >= 50%); any further draw would lose it (0.0).
    const { sim, flow, answers, click } = setup(
      { sale: { stock: 5 }, system: { orders: { consumers: 1, queue: 0, service: '1s', lossRate: '50%' } } },
      1,
      new ScriptedDraws([0.9, 0.0, 0.0]),
    );
    click(T0, 1);
    click(T0 + 100_000, 2); // the consumer is busy with user 1's order, no queue
    sim.run();
    expect(answers.map((a) => [a.user, a.answer])).toEqual([
      [1, OrderAnswer.Won],
      [2, OrderAnswer.Error],
    ]);
    expect(flow.lostMessages).toBe(0);
    expect(flow.stock.returned).toBe(1);
    expect(flow.ledger.toArray().map((r) => r.user)).toEqual([1]);
  });

  it('a duplicated message with a consumer that is not idempotent: a second ledger order for the same buyer, token and unit', () => {
    const { sim, flow, answers, click, audit } = setup({
      sale: { stock: 3 },
      system: { orders: { duplicateRate: '100%', idempotent: false } },
    });
    click(T0, 1);
    click(T0 + 1000, 2);
    sim.run();
    expect(answers.map((a) => [a.user, a.answer])).toEqual([
      [1, OrderAnswer.Won],
      [2, OrderAnswer.Won],
    ]);
    const ledger = flow.ledger.toArray();
    const won1 = T0 + SERVICE + STOCK_US;
    // Each message goes back to the queue as its first delivery is consumed (4 consumers: served at once).
    expect(ledger.map((r) => [r.user, r.timeUs])).toEqual([
      [1, won1 + CREATE_US],
      [2, won1 + 1000 + CREATE_US],
      [1, won1 + 2 * CREATE_US],
      [2, won1 + 1000 + 2 * CREATE_US],
    ]);
    // The second order is a copy of the first: same attempt (token, acceptance, server).
    expect({ ...ledger[2], orderId: 0, timeUs: 0 }).toEqual({ ...ledger[0], timeUs: 0 });
    expect(flow.duplicatedMessages).toBe(2);
    expect(flow.droppedDuplicates).toBe(0);
    // Two units taken, four orders: the stock and the "won" answers know nothing of it.
    expect(flow.stock.level).toBe(1);
    expect(flow.wonResponses).toEqual([1, 2]);
    expect(audit()).toEqual([null, null, null, null]);
    expect(flow.orders.backlog).toBe(0);
  });

  it('an idempotent consumer drops the second delivery and counts it; the redelivery still takes a consumer for an order-creation time', () => {
    const { sim, flow, click } = setup({
      sale: { stock: 3 },
      system: { orders: { consumers: 1, duplicateRate: '100%', idempotent: true } },
    });
    click(T0, 1);
    click(T0 + 1000, 2);
    sim.run();
    const won1 = T0 + SERVICE + STOCK_US;
    // One consumer: 1, then 2 (queued first), then 1's and 2's redeliveries in the order they went back.
    expect(flow.ledger.toArray().map((r) => [r.user, r.timeUs])).toEqual([
      [1, won1 + CREATE_US],
      [2, won1 + 2 * CREATE_US],
    ]);
    expect(flow.duplicatedMessages).toBe(2);
    expect(flow.droppedDuplicates).toBe(2);
    expect(flow.orders.pool.served).toBe(4);
    expect(sim.now).toBe(won1 + 4 * CREATE_US);
    expect(flow.wonResponses).toEqual([1, 2]);
  });

  it('a redelivery takes the queue place its consumer freed: a new order behind it finds the queue full', () => {
    const orders = { consumers: 1, queue: 1, duplicateRate: '100%' };
    // 1 is served at T0+10.05ms until T0+15.05ms, 2 waits in the one place; 3 reaches the queue at T0+16.05ms.
    const clicks = (c: (at: number, user: number) => void) => [c(T0, 1), c(T0 + 1000, 2), c(T0 + 6000, 3)];
    const duplicating = setup({ sale: { stock: 5 }, system: { orders } });
    clicks(duplicating.click);
    duplicating.sim.run();
    expect(duplicating.answers.map((a) => [a.user, a.answer])).toEqual([
      [1, OrderAnswer.Won],
      [2, OrderAnswer.Won],
      [3, OrderAnswer.Error],
    ]);
    const plain = setup({ sale: { stock: 5 }, system: { orders: { ...orders, duplicateRate: '0%' } } });
    clicks(plain.click);
    plain.sim.run();
    expect(plain.answers.map((a) => a.answer)).toEqual([OrderAnswer.Won, OrderAnswer.Won, OrderAnswer.Won]);
  });

  it('the duplicate draw is keyed by (user, message): the same buyers are duplicated whatever order they come in', () => {
    for (const order of [
      [1, 2, 3],
      [3, 2, 1],
    ]) {
      const { sim, flow, click } = setup(
        { sale: { stock: 5 }, system: { orders: { duplicateRate: '50%', idempotent: false } } },
        1,
        undefined,
        new Keyed(0, 0),
      );
      order.forEach((user, k) => click(T0 + k * 1000, user));
      sim.run();
      expect(
        flow.ledger
          .toArray()
          .map((r) => r.user)
          .sort(),
      ).toEqual([1, 2, 2, 3]);
      expect(flow.duplicatedMessages).toBe(1);
    }
  });

  it('a request record reused after a redelivery delivers its next message once', () => {
    // User 2's record is user 1's, freed after 1's redelivery was dropped (kills not resetting the delivery state).
    const { sim, flow, click } = setup({ sale: { stock: 5 }, system: { orders: { duplicateRate: '50%' } } }, 1, undefined, new Keyed(0, 0));
    click(T0, 2);
    click(T0 + 100_000, 1);
    sim.run();
    expect(flow.ledger.toArray().map((r) => r.user)).toEqual([2, 1]);
    expect(flow.droppedDuplicates).toBe(1);
  });

  it('duplicateRate 0% (the default) never draws and delivers each message once, idempotent or not', () => {
    class Untouchable extends RandomStream {
      override uniform(): number {
        throw new Error('drew a duplicate');
      }
    }
    const { sim, flow, click } = setup(
      { sale: { stock: 3 }, system: { orders: { idempotent: false } } },
      1,
      undefined,
      new Untouchable(0, 0),
    );
    click(T0, 1);
    click(T0 + 1000, 2);
    sim.run();
    expect(flow.ledger.toArray().map((r) => r.user)).toEqual([1, 2]);
    expect(flow.duplicatedMessages).toBe(0);
    expect(flow.orders.pool.served).toBe(2);
  });

  it('a lost message is not also duplicated', () => {
    const { sim, flow, click } = setup({
      sale: { stock: 3 },
      system: { orders: { lossRate: '100%', duplicateRate: '100%', idempotent: false } },
    });
    click(T0, 1);
    sim.run();
    expect(flow.lostMessages).toBe(1);
    expect(flow.duplicatedMessages).toBe(0);
    expect(flow.ledger.size).toBe(0);
  });

  it('atomic stock with many concurrent buyers: exactly the stock is sold, "won" multiset = ledger users', () => {
    const { sim, flow, click, audit } = setup({
      sale: { stock: 20 },
      system: { orderServers: { servers: 4, slots: 1000, service: 'lognormal(10ms, 0.5)' }, stock: { service: '2ms' } },
    });
    for (let u = 0; u < 100; u++) click(T0 + u * 100, u);
    sim.run();
    expect(flow.ledger.size).toBe(20);
    expect(flow.stock.level).toBe(0);
    expect(flow.stock.minLevel).toBe(0);
    expect([...flow.wonResponses].sort((a, b) => a - b)).toEqual(
      flow.ledger
        .toArray()
        .map((r) => r.user)
        .sort((a, b) => a - b),
    );
    expect(new Set(flow.wonResponses).size).toBe(20);
    expect(audit().every((v) => v === null)).toBe(true);
  });

  /** 20 units behind a racy counter, and order servers that admit every buyer at once: the takes overlap. */
  const RACY_STOCK = {
    sale: { stock: 20 },
    system: {
      orderServers: { servers: 4, slots: 1000, onFull: 'unbounded', overloadFactor: 0, service: 'lognormal(10ms, 0.5)' },
      stock: { primitive: 'check-then-decrement', service: '2ms' },
    },
  } as const;

  it('check-then-decrement with concurrent buyers oversells: more orders than stock (the negative control)', () => {
    const { sim, flow, click } = setup(RACY_STOCK);
    for (let u = 0; u < 100; u++) click(T0 + u * 100, u);
    sim.run();
    expect(flow.ledger.size).toBeGreaterThan(20);
    expect(flow.stock.sold).toBe(flow.ledger.size);
    expect(new Set(flow.ledger.toArray().map((r) => r.user)).size).toBe(flow.ledger.size); // dedupe still holds
  });

  it('with the racy counter still showing stock, the sale counts as sold out once the units handed out reach the stock', () => {
    const { sim, flow, click } = setup(RACY_STOCK);
    const handedOutAt: number[] = [];
    const complete = flow.stock.complete.bind(flow.stock);
    flow.stock.complete = (read, success) => {
      complete(read, success);
      if (success) handedOutAt.push(sim.now);
    };
    for (let u = 0; u < 100; u++) click(T0 + u * 100, u);
    sim.run();
    expect(flow.stock.level).toBeGreaterThan(0);
    expect(handedOutAt.length).toBeGreaterThan(20);
    expect(flow.soldOutAtUs).toBe(handedOutAt[19]);
  });
});

describe('order flow with stock buffers (system.stock.buffer)', () => {
  // Two servers taking turns (round-robin, in click order), stock 4, batches of 3.
  const BUFFERED = {
    sale: { stock: 4 },
    system: {
      orderServers: { servers: 2, balancer: 'round-robin' },
      stock: { buffer: 3 },
    },
  } as const;

  it('a server with an empty buffer answers "sold out" while the other still holds units; a later click there wins; the unit left is counted', () => {
    const { sim, flow, answers, click } = setup(BUFFERED);
    // u0 → server 0 (takes 3, sells 1), u1 → server 1 (takes the last 1), u2 → server 0 (sells 1),
    // u3 → server 1 (empty buffer, empty store: sold out), u4 → server 0 (sells its last unit).
    for (let u = 0; u < 4; u++) click(T0 + u * 20_000, u);
    click(T0 + 200_000, 4); // after u3's "sold out", to server 0
    sim.run();
    const got = byUser(answers);
    expect([0, 1, 2, 3, 4].map((u) => got.get(u))).toEqual([
      OrderAnswer.Won,
      OrderAnswer.Won,
      OrderAnswer.Won,
      OrderAnswer.SoldOut,
      OrderAnswer.Won,
    ]);
    // u3 clicked before u4 and lost: the unfairness of per-node stock.
    expect(flow.strandedSoldOut).toBe(1);
    expect(flow.stock.operations).toBe(3); // refills only: 3 units, 1 unit, nothing
    expect(flow.buffers?.held).toBe(0);
    expect(flow.ledger.size).toBe(4);
    expect(flow.soldOutAtUs).toBe(answers.find((a) => a.user === 4)!.at);
  });

  it('units still in a buffer at the end are not handed out: no sell-out, and conservation counts them out of the store', () => {
    const { sim, flow, answers, click } = setup(BUFFERED);
    for (let u = 0; u < 4; u++) click(T0 + u * 20_000, u);
    sim.run();
    expect(byUser(answers).get(3)).toBe(OrderAnswer.SoldOut);
    expect(flow.buffers?.held).toBe(1);
    expect(flow.unitsHandedOut).toBe(3);
    expect(flow.soldOutAtUs).toBeNull();
    const { stock } = flow;
    expect(stock.level).toBe(0);
    expect(stock.sold).toBe(flow.buffers!.sold + flow.buffers!.held);
    expect(stock.initial - flow.buffers!.sold - flow.buffers!.held + stock.returned).toBe(stock.level);
  });

  it('with the store known empty, a server with an empty buffer answers at once without a store operation; one with units sells on', () => {
    const { sim, flow, answers, click } = setup(BUFFERED);
    for (let u = 0; u < 4; u++) click(T0 + u * 20_000, u);
    // soldOutFlagDelay is 100 ms after the store ran out (u1's refill): these arrive after it.
    click(T0 + 500_000, 5); // → server 0, which holds 1
    click(T0 + 520_000, 6); // → server 1, empty: the flag answers
    sim.run();
    const got = byUser(answers);
    expect(got.get(5)).toBe(OrderAnswer.Won);
    expect(got.get(6)).toBe(OrderAnswer.SoldOut);
    expect(answers.find((a) => a.user === 6)!.at).toBe(T0 + 520_000); // no service, no store
    expect(flow.stock.operations).toBe(3);
    expect(flow.strandedSoldOut).toBe(1); // u3 only: by u6's answer server 0 was empty
  });

  it('concurrent requests on one server share its refill: one store operation per batch', () => {
    const { sim, flow, answers, click } = setup({ sale: { stock: 100 }, system: { stock: { buffer: 10, service: '2ms' } } });
    for (let u = 0; u < 8; u++) click(T0 + u * 10, u); // all reach the stock step within 2 ms of each other
    sim.run();
    expect(answers.filter((a) => a.answer === OrderAnswer.Won)).toHaveLength(8);
    expect(flow.stock.operations).toBe(1);
    expect(flow.stock.level).toBe(90);
    expect(flow.buffers?.held).toBe(2);
  });

  it('a failed order step gives its unit back to the store, not the buffer', () => {
    const { sim, flow, answers, click } = setup({
      sale: { stock: 10 },
      system: { stock: { buffer: 5 }, orders: { consumers: 1, queue: 0, service: '1s' } },
    });
    click(T0, 1);
    click(T0 + 100_000, 2); // consumer busy, no queue: refused, its unit back to the store
    sim.run();
    expect(answers.map((a) => [a.user, a.answer])).toEqual([
      [1, OrderAnswer.Won],
      [2, OrderAnswer.Error],
    ]);
    expect(flow.stock.level).toBe(6);
    expect(flow.stock.returned).toBe(1);
    expect(flow.buffers?.held).toBe(3);
    expect(flow.unitsHandedOut).toBe(1);
    expect(flow.stock.initial - flow.buffers!.sold - flow.buffers!.held + flow.stock.returned).toBe(flow.stock.level);
  });

  it('buffer 0 (the default) is no buffer: every take is a store operation', () => {
    const { sim, flow, click } = setup({ system: { stock: { buffer: 0 } } });
    expect(flow.buffers).toBeNull();
    for (let u = 0; u < 5; u++) click(T0 + u * 20_000, u);
    sim.run();
    expect(flow.stock.operations).toBe(5); // one per take: 3 units, then two failed takes (before the flag's delay)
    expect(flow.strandedSoldOut).toBe(0);
  });
});

describe('order flow with unpaid orders (orders.unpaid, orders.paymentTimeout)', () => {
  const CREATED = T0 + SERVICE + STOCK_US + CREATE_US;
  const unpaid = (overrides: Record<string, unknown> = {}) => {
    const s = setup(merge({ sale: { stock: 1 }, system: { orders: { unpaid: '100%', paymentTimeout: '1s' } } }, overrides));
    return s;
  };

  it('an unpaid order is cancelled at created + paymentTimeout: the ledger records it, the unit is back, the user may buy again', () => {
    const { sim, flow, answers, click } = unpaid({ system: { orderServers: { reopenOnReturn: true } } });
    click(T0, 1);
    click(CREATED + 2_000_000, 1); // after the cancellation: the per-user mark is released
    sim.run();
    expect(answers.map((a) => a.answer)).toEqual([OrderAnswer.Won, OrderAnswer.Won]);
    const ledger = flow.ledger.toArray();
    expect(ledger.map((r) => [r.user, r.timeUs, r.cancelledUs])).toEqual([
      [1, CREATED, CREATED + 1_000_000],
      [1, CREATED + 2_000_000 + (CREATED - T0), CREATED + 3_000_000 + (CREATED - T0)],
    ]);
    expect(flow.stock.returned).toBe(2);
    expect(flow.stock.level).toBe(1);
    expect(flow.stock.initial - flow.stock.sold + flow.stock.returned).toBe(flow.stock.level);
    expect(flow.unitsHandedOut).toBe(0);
    expect(flow.soldOutAtUs).toBeNull();
    expect(flow.payments!.cancelled).toBe(2);
  });

  it('a click while the unpaid order still stands is a duplicate (the per-user mark is released only at the cancellation)', () => {
    const { sim, answers, click } = unpaid({ sale: { stock: 2 } });
    click(T0, 1);
    click(CREATED + 500_000, 1);
    sim.run();
    expect(answers.map((a) => a.answer)).toEqual([OrderAnswer.Won, OrderAnswer.Duplicate]);
  });

  it('the sold-out flag, once set, keeps a returned unit from being sold; reopenOnReturn clears it and the unit sells again', () => {
    for (const reopenOnReturn of [false, true]) {
      const { sim, flow, answers, click } = unpaid({ system: { orderServers: { reopenOnReturn } } });
      click(T0, 1); // the one unit; the flag is set 100 ms after
      click(T0 + 500_000, 2); // sold out (the flag)
      click(CREATED + 1_500_000, 3); // after user 1's order was cancelled
      sim.run();
      expect(byUser(answers).get(2)).toBe(OrderAnswer.SoldOut);
      expect(byUser(answers).get(3), `reopenOnReturn: ${reopenOnReturn}`).toBe(reopenOnReturn ? OrderAnswer.Won : OrderAnswer.SoldOut);
      expect(flow.stock.operations).toBe(reopenOnReturn ? 2 : 1);
    }
  });

  it('with reopenOnReturn the flag is set again when the returned unit runs out', () => {
    const { sim, flow, answers, click } = unpaid({ system: { orderServers: { reopenOnReturn: true } } });
    click(T0, 1);
    click(CREATED + 1_500_000, 3); // buys the returned unit: the stock runs out again
    click(CREATED + 2_000_000, 4); // the flag is back (100 ms after): "sold out" without a stock operation
    sim.run();
    expect(byUser(answers).get(3)).toBe(OrderAnswer.Won);
    expect(byUser(answers).get(4)).toBe(OrderAnswer.SoldOut);
    expect(flow.stock.operations).toBe(2);
  });
});

describe('order flow with unpaid orders and duplicated messages', () => {
  it('a buyer whose order and its non-idempotent copy are both cancelled may buy again (the per-user mark does not wrap below 0)', () => {
    const s = setup({
      sale: { stock: 2 },
      system: {
        orderServers: { reopenOnReturn: true },
        orders: { duplicateRate: '100%', idempotent: false, unpaid: '100%', paymentTimeout: '1s' },
      },
    });
    s.click(T0, 1);
    s.click(T0 + 3_000_000, 1); // both orders cancelled by now
    s.sim.run();
    expect(s.flow.ledger.toArray().filter((r) => r.user === 1 && r.acceptedUs === T0 + SERVICE)).toHaveLength(2);
    expect(s.answers.map((a) => a.answer)).toEqual([OrderAnswer.Won, OrderAnswer.Won]);
  });
});

describe('order flow with unpaid orders behind a waiting room', () => {
  it('a unit back before the sold-out flag is known keeps the room metering: the flush planned for the flag does not let the whole line through', () => {
    const s = setup({
      sale: { stock: 1 },
      system: {
        orderServers: { reopenOnReturn: true }, // soldOutFlagDelay 100 ms (setup)
        orders: { unpaid: '100%', paymentTimeout: '50ms' },
        waitingRoom: { mode: 'fifo', rate: '1/s' },
      },
    });
    for (let u = 1; u <= 5; u++) s.click(T0 + u, u);
    s.sim.run();
    // User 1 takes the unit at T0 + 10 ms; the flag would be known at T0 + 110 ms, but the
    // order is cancelled at T0 + 65 ms (reopenOnReturn): the stock is back, so the room
    // goes on letting one through a second. User 2 buys the unit at T0 + 1 s.
    const first = s.answers
      .filter((a) => a.user !== 1 && a.answer !== OrderAnswer.Queued)
      .map((a) => a.at)
      .sort((a, b) => a - b)[0];
    expect(first).toBeGreaterThanOrEqual(T0 + 1_000_000);
    expect(byUser(s.answers).get(2)).toBe(OrderAnswer.Won);
  });
});

describe('order flow: where the token is checked', () => {
  it('at admission (the default) a forgery is refused on arrival and holds no slot: a genuine click right behind it is served', () => {
    const { sim, answers, click } = setup({ system: { orderServers: { slots: 1 } } });
    click(T0, 1, TokenKind.Forged);
    click(T0 + 1, 2);
    sim.run();
    expect(answers.map((a) => [a.user, a.answer, a.at - T0])).toEqual([
      [1, OrderAnswer.Blocked, 0],
      [2, OrderAnswer.Won, 1 + SERVICE + STOCK_US],
    ]);
  });

  it('after-service (tokenGate.checkAt) keeps the old order: the forgery holds the only slot for a service, the genuine click hears "sale ended"', () => {
    const { sim, answers, click, flow } = setup({ system: { orderServers: { slots: 1 }, tokenGate: { checkAt: 'after-service' } } });
    click(T0, 1, TokenKind.Forged);
    click(T0 + 1, 2);
    sim.run();
    expect(answers.map((a) => [a.user, a.answer, a.at - T0])).toEqual([
      [2, OrderAnswer.SaleEnded, 1],
      [1, OrderAnswer.Blocked, SERVICE],
    ]);
    expect(flow.tokenRejected.forged).toBe(1);
  });
});

describe('order flow: the admission quota', () => {
  it('a server passes its first N orders on; forgeries and duplicates spend nothing; later requests hear "sale ended", at arrival once spent', () => {
    const { sim, flow, answers, click } = setup({ sale: { stock: 10 }, system: { orderServers: { quota: 2 } } });
    click(T0, 1, TokenKind.Forged);
    click(T0 + 1, 2);
    click(T0 + 2, 2); // a duplicate of the same buyer
    click(T0 + 3, 3);
    click(T0 + 4, 4); // admitted (nothing passed on yet), refused at its check: the quota went meanwhile
    click(T0 + 1_000_000, 5); // quota spent: refused on arrival, without a slot
    sim.run();
    expect(answers.map((a) => [a.user, a.answer, a.at - T0])).toEqual([
      [1, OrderAnswer.Blocked, 0], // refused at the door: no slot, no service
      [2, OrderAnswer.Duplicate, 2 + SERVICE],
      [4, OrderAnswer.SaleEnded, 4 + SERVICE],
      [2, OrderAnswer.Won, 1 + SERVICE + STOCK_US],
      [3, OrderAnswer.Won, 3 + SERVICE + STOCK_US],
      [5, OrderAnswer.SaleEnded, 1_000_000],
    ]);
    expect(flow.attempts).toBe(6);
    expect(flow.admitted).toBe(4); // the forgery took no slot
    expect(flow.rejected).toBe(2);
    expect(flow.servers.quotaRefusals).toBe(2);
    expect(Array.from(flow.servers.passedOn)).toEqual([2]);
    expect(flow.stock.operations).toBe(2);
    expect(flow.ledger.size).toBe(2);
  });
});
