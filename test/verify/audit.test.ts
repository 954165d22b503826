import { describe, expect, test } from 'vitest';
import { TokenGate, tokenSecretSeed } from '../../src/system/token-gate.js';
import { INVARIANTS } from '../../src/scenario/schema.js';
import { audit as auditWith, type AuditOptions, type InvariantCheck } from '../../src/verify/audit.js';
import type { TokenVerifier } from '../../src/verify/tokens.js';
import type { RunResult } from '../../src/results/result.js';
import type { InvariantName } from '../../src/scenario/schema.js';
import { T0, ledgerOrder, oversold, validResult } from '../helpers/run-result.js';

/** The hand-made runs carry tokens "tok-<user>"; the real gate would call them forged. */
const fakeTokens: TokenVerifier = (record) => (record.token === `tok-${record.user}` ? null : 'not tok-<user>');

function audit(result: RunResult, invariants?: readonly InvariantName[], options: AuditOptions = {}) {
  return auditWith(result, invariants, { verifyToken: fakeTokens, ...options });
}

function checkOf(report: ReturnType<typeof audit>, name: string): InvariantCheck {
  const found = report.invariants.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} in the report`);
  return found;
}

describe('audit of a consistent run', () => {
  test('every invariant passes, in the order asked for, with a message in numbers', () => {
    const report = audit(validResult());
    expect(report.passed).toBe(true);
    expect(report.strategy).toBe('seed-design');
    expect(report.invariants.map((c) => [c.name, c.passed, c.message, c.offending, c.offendingCount])).toEqual([
      ['no-oversell', true, '5 orders for a stock of 5; the stock counter never went below 0', [], 0],
      ['one-per-user', true, 'no user has more than 1 order (5 buyers)', [], 0],
      ['no-early-orders', true, 'no order before T0 (1m)', [], 0],
      ['valid-tokens', true, 'all 5 orders carry a valid token', [], 0],
      ['ledger-matches-responses', true, '5 ledger orders and 5 "won" responses match user for user', [], 0],
      ['conservation', true, 'initial 5 - sold 5 + returned 0 = 0 = remaining', [], 0],
    ]);
    expect(report.invariants.map((c) => c.name)).toEqual([...INVARIANTS]);
  });

  test('only the invariants asked for are checked, duplicates once', () => {
    const report = audit(validResult(), ['conservation', 'no-oversell', 'conservation']);
    expect(report.invariants.map((c) => c.name)).toEqual(['conservation', 'no-oversell']);
  });

  test('an empty ledger is fine (nothing sold, nothing claimed)', () => {
    const r = validResult();
    r.ledger = [];
    r.wonResponses = [];
    r.stock = { ...r.stock, sold: 0, remaining: 5, soldOutAtUs: null };
    expect(audit(r).passed).toBe(true);
  });

  test('units returned by failed orders may be sold again without oversell', () => {
    const r = validResult();
    r.ledger.push(ledgerOrder(6, 16, T0 + 900_000));
    r.wonResponses.push(16);
    r.ledger.splice(1, 1); // user 12's order failed after the stock step, its unit went back and user 16 bought it
    r.wonResponses.splice(1, 1);
    r.stock = { ...r.stock, sold: 6, returned: 1, remaining: 0 };
    const report = audit(r);
    expect(report.passed).toBe(true);
    expect(checkOf(report, 'conservation').message).toBe('initial 5 - sold 6 + returned 1 = 0 = remaining');
  });
});

describe('audit catches violations, listing the offending records', () => {
  test('oversell from a racy decrement: the orders beyond the stock, in acceptance order', () => {
    const report = audit(oversold(2));
    expect(report.passed).toBe(false);
    const check = checkOf(report, 'no-oversell');
    expect(check.passed).toBe(false);
    expect(check.message).toBe(
      '7 orders for a stock of 5 (2 oversold); the stock counter went down to -2; 7 units taken from a stock of 5 (7 sold - 0 returned); the run counted 2 oversold units',
    );
    expect(check.offendingCount).toBe(2);
    // Users 21 and 22 were accepted at T0+450ms, between users 14 and 15: the 6th and 7th acceptances are 22 and 15.
    expect(check.offending.map((o) => o.order?.user)).toEqual([22, 15]);
    expect(check.offending[0].reason).toBe('order 7 (user 22, accepted at 1m0.450001s, created at 1m0.455001s) is beyond the stock of 5');
    // The rest stays consistent: no double orders, everyone told "won" has an order.
    expect(checkOf(report, 'one-per-user').passed).toBe(true);
    expect(checkOf(report, 'ledger-matches-responses').passed).toBe(true);
    expect(checkOf(report, 'conservation').passed).toBe(true);
  });

  test('oversell: "beyond the stock" means accepted last, not created last', () => {
    // Kills sorting the ledger by creation time before acceptance time (audit.ts byAcceptance):
    // an order accepted first but created last (a slow consumer) took a unit
    // before the others and is not the one beyond the stock.
    const r = validResult();
    r.ledger.push(ledgerOrder(6, 21, T0 + 50_000, { timeUs: T0 + 990_000 }));
    r.wonResponses.push(21);
    r.stock = { ...r.stock, sold: 6, remaining: -1, minLevel: -1, oversell: 1 };
    const check = checkOf(audit(r, ['no-oversell']), 'no-oversell');
    expect(check.offending.map((o) => o.order?.user)).toEqual([15]);
  });

  test('oversell seen only in the counters (ledger within the stock)', () => {
    const r = validResult();
    r.stock = { ...r.stock, minLevel: -1 };
    const check = checkOf(audit(r, ['no-oversell']), 'no-oversell');
    expect(check.passed).toBe(false);
    expect(check.message).toBe('the stock counter went down to -1');
    expect(check.offending).toEqual([{ reason: 'the stock counter went down to -1' }]);
  });

  test('at most 10 offending records are listed, all are counted', () => {
    const check = checkOf(audit(oversold(25), ['no-oversell']), 'no-oversell');
    expect(check.offendingCount).toBe(25);
    expect(check.offending).toHaveLength(10);
    expect(audit(oversold(25), ['no-oversell'], { maxOffending: 3 }).invariants[0].offending).toHaveLength(3);
  });

  test('one-per-user: the orders beyond the limit', () => {
    const r = validResult();
    r.ledger.push(ledgerOrder(6, 12, T0 + 900_000), ledgerOrder(7, 12, T0 + 950_000), ledgerOrder(8, 13, T0 + 990_000));
    const check = checkOf(audit(r), 'one-per-user');
    expect(check.passed).toBe(false);
    expect(check.message).toBe('2 users have more than 1 order (3 extra orders)');
    expect(check.offending.map((o) => [o.order?.orderId, o.user])).toEqual([
      [6, 12],
      [7, 12],
      [8, 13],
    ]);
    expect(check.offending[1].reason).toBe(
      "order 7 (user 12, accepted at 1m0.95s, created at 1m0.955s) is user 12's order number 3 (limit 1)",
    );
  });

  test('one-per-user: the order beyond the limit is the one accepted later, even if it was created first', () => {
    // Kills counting a user's orders in ledger (creation) order instead of acceptance order:
    // user 12's second-created order was accepted first, so order 2 is the extra one.
    const r = validResult();
    r.ledger.push(ledgerOrder(6, 12, T0 + 150_000, { timeUs: T0 + 900_000 }));
    const check = checkOf(audit(r, ['one-per-user']), 'one-per-user');
    expect(check.offending.map((o) => [o.order?.orderId, o.user])).toEqual([[2, 12]]);
  });

  test('one-per-user honours a higher limit', () => {
    const r = validResult();
    r.config = { ...r.config, sale: { ...r.config.sale, perUserLimit: 2 } };
    r.ledger.push(ledgerOrder(6, 12, T0 + 900_000));
    expect(checkOf(audit(r), 'one-per-user').passed).toBe(true);
  });

  test('no-early-orders: accepted or created before T0', () => {
    const r = validResult();
    r.ledger[0] = ledgerOrder(1, 11, T0 - 2_000_000);
    r.ledger[1] = ledgerOrder(2, 12, T0 - 1, { timeUs: T0 + 10 });
    const check = checkOf(audit(r), 'no-early-orders');
    expect(check.passed).toBe(false);
    expect(check.message).toBe('2 orders before T0 (1m)');
    expect(check.offending.map((o) => o.reason)).toEqual([
      'order 1 (user 11, accepted at 58s, created at 58.005s) is before T0 (1m)',
      'order 2 (user 12, accepted at 59.999999s, created at 1m0.00001s) is before T0 (1m)',
    ]);
  });

  test('no-early-orders behind a waiting room: the reason names the door time, not an acceptance after T0 as "before T0"', () => {
    const r = validResult();
    r.config.system.waitingRoom.mode = 'fifo';
    r.ledger[0] = ledgerOrder(1, 11, T0 + 3_000_000, { presentedUs: T0 - 4_000_000 });
    r.ledger[1] = ledgerOrder(2, 12, T0 + 3_100_000, { presentedUs: T0 + 200_000 }); // reached the door after T0: not early
    const check = checkOf(audit(r), 'no-early-orders');
    expect(check.passed).toBe(false);
    expect(check.message).toBe('1 order before T0 (1m) (1 presented at the waiting room before T0, accepted after it)');
    expect(check.offending.map((o) => o.reason)).toEqual([
      'order 1 (user 11, presented at the waiting room at 56s, accepted at 1m3s, created at 1m3.005s) was presented before T0 (1m)',
    ]);
  });

  test('valid-tokens: every order whose token the verifier refuses, with its reason', () => {
    const r = validResult();
    r.ledger[2] = { ...r.ledger[2], token: 'tok-11' };
    const check = checkOf(audit(r), 'valid-tokens');
    expect(check.passed).toBe(false);
    expect(check.message).toBe('1 order with an invalid token');
    expect(check.offending[0].reason).toBe(
      'order 3 (user 13, accepted at 1m0.3s, created at 1m0.305s) has an invalid token: not tok-<user>',
    );
    expect(check.offending[0].order?.orderId).toBe(3);
  });

  test('valid-tokens: the verifier gets every ledger record, in acceptance order', () => {
    const seen: number[] = [];
    auditWith(validResult(), ['valid-tokens'], {
      verifyToken: (record) => {
        seen.push(record.orderId);
        return null;
      },
    });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  test("valid-tokens: the default check uses the token secret it is given, else the one of the result's seed and replication", () => {
    const r = validResult();
    // Replication 3, not the default 0: the secret differs per replication, so any other would call genuine tokens forged.
    r.replication = 3;
    const secret = tokenSecretSeed(r.seed, 3);
    const gate = new TokenGate(r.config.system.tokenGate, r.config.sale.start, secret);
    r.ledger = r.ledger.map((record) => ({ ...record, token: gate.issue(record.user, record.acceptedUs) }));
    expect(auditWith(r, ['valid-tokens'], { tokenSecret: secret }).passed).toBe(true);
    expect(auditWith(r, ['valid-tokens']).passed).toBe(true);
    const other = auditWith(r, ['valid-tokens'], { tokenSecret: tokenSecretSeed(r.seed, 0) }).invariants[0];
    expect([other.passed, other.offendingCount, other.offending[0].reason]).toEqual([
      false,
      5,
      expect.stringMatching(/has an invalid token: forged$/),
    ]);
  });

  test("valid-tokens: the default check is the token gate's HMAC check: genuine tokens pass, empty and forged ones fail", () => {
    const r = validResult();
    const gate = new TokenGate(r.config.system.tokenGate, r.config.sale.start, tokenSecretSeed(r.seed, r.replication));
    r.ledger = r.ledger.map((record) => ({ ...record, token: gate.issue(record.user, record.acceptedUs) }));
    expect(auditWith(r, ['valid-tokens']).invariants[0].passed).toBe(true);
    r.ledger[2] = { ...r.ledger[2], token: '' };
    r.ledger[3] = { ...r.ledger[3], token: gate.forge(r.ledger[3].user, r.ledger[3].acceptedUs) };
    const check = auditWith(r, ['valid-tokens']).invariants[0];
    expect(check.passed).toBe(false);
    expect(check.offending.map((o) => o.order?.orderId)).toEqual([3, 4]);
  });

  test('ledger-matches-responses: lost orders and silent orders, per user', () => {
    const r = validResult();
    r.wonResponses = [11, 12, 13, 14, 14, 99]; // 15 never told; 14 told twice; 99 told but no order
    const check = checkOf(audit(r), 'ledger-matches-responses');
    expect(check.passed).toBe(false);
    expect(check.message).toBe(
      '3 users differ between the ledger and the "won" responses: 2 told "won" more often than they have orders (lost orders), 1 with more orders than "won" answers',
    );
    expect(check.offending).toEqual([
      { user: 14, reason: 'user 14: told "won" 2 times, 1 ledger order' },
      { user: 15, reason: 'user 15: told "won" 0 times, 1 ledger order' },
      { user: 99, reason: 'user 99: told "won" 1 time, 0 ledger orders' },
    ]);
  });

  test('an order message delivered twice to a consumer that is not idempotent: one-per-user and ledger-matches-responses fail on their own, naming the copy', () => {
    const r = validResult();
    const first = r.ledger[2]; // order 3, user 13
    r.ledger.push({ ...first, orderId: 6, timeUs: first.timeUs + 5_000 });
    const report = audit(r);
    const onePer = checkOf(report, 'one-per-user');
    const repeats = "1 order repeats an earlier order's attempt (same token and acceptance: an order message delivered twice)";
    expect(onePer.passed).toBe(false);
    expect(onePer.message).toBe(`1 user has more than 1 order (1 extra order); ${repeats}`);
    expect(onePer.offending.map((o) => o.reason)).toEqual([
      "order 6 (user 13, accepted at 1m0.3s, created at 1m0.31s) is user 13's order number 2 (limit 1), a copy of order 3 (an order message delivered twice)",
    ]);
    const matches = checkOf(report, 'ledger-matches-responses');
    expect(matches.passed).toBe(false);
    expect(matches.message).toBe(
      `1 user differs between the ledger and the "won" responses: 0 told "won" more often than they have orders (lost orders), 1 with more orders than "won" answers; ${repeats}`,
    );
    // Here the copy also takes the ledger past the stock.
    expect(checkOf(report, 'no-oversell').message).toBe(`6 orders for a stock of 5 (1 oversold); ${repeats}`);
    // The stock and the tokens know nothing of the copy.
    expect(checkOf(report, 'conservation').passed).toBe(true);
    expect(checkOf(report, 'valid-tokens').passed).toBe(true);
    // With a limit of 2 the copy is within the limit: the "won" answers still catch it.
    r.config = { ...r.config, sale: { ...r.config.sale, perUserLimit: 2 } };
    expect(checkOf(audit(r), 'one-per-user').passed).toBe(true);
    expect(checkOf(audit(r), 'ledger-matches-responses').passed).toBe(false);
  });

  test('a second order of the same user with another attempt is no copy', () => {
    // Kills keying repeats by user (or user and token) alone: a retry with the same token, accepted later.
    const r = validResult();
    r.ledger.push(ledgerOrder(6, 13, T0 + 900_000));
    expect(checkOf(audit(r), 'one-per-user').message).toBe('1 user has more than 1 order (1 extra order)');
    r.ledger[5] = ledgerOrder(6, 13, r.ledger[2].acceptedUs, { token: 'tok-13b' });
    expect(checkOf(audit(r), 'one-per-user').message).toBe('1 user has more than 1 order (1 extra order)');
  });

  test('conservation: units that vanished', () => {
    const r = validResult();
    r.stock = { ...r.stock, remaining: 1 };
    const check = checkOf(audit(r), 'conservation');
    expect(check.passed).toBe(false);
    expect(check.message).toBe('initial 5 - sold 5 + returned 0 = 0, but 1 remain');
    expect(check.offending).toEqual([{ reason: 'initial 5 - sold 5 + returned 0 = 0, but 1 remain' }]);
  });

  test('conservation with stock buffers: units left in buffers are out of the store, exactly', () => {
    const r = validResult();
    // 5 units: 3 sold from buffers, 2 still in a buffer at the end.
    r.config = { ...r.config, system: { ...r.config.system, stock: { ...r.config.system.stock, buffer: 2 } } };
    r.stock = { ...r.stock, sold: 3, remaining: 0 };
    r.counters = { ...r.counters, unitsInBuffers: 2 };
    expect(checkOf(audit(r), 'conservation')).toMatchObject({
      passed: true,
      message: 'initial 5 - sold 3 - in buffers 2 + returned 0 = 0 = remaining',
    });
    // One unit more or less in the buffers is a unit made up or lost.
    for (const unitsInBuffers of [1, 3]) {
      r.counters = { ...r.counters, unitsInBuffers };
      expect(checkOf(audit(r), 'conservation').passed).toBe(false);
    }
  });

  test('the report is plain data (it goes into summary.json and junit.xml)', () => {
    const report = audit(oversold(1));
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('audit with orders cancelled for non-payment (orders.unpaid)', () => {
  // After every order of validResult was created (the last at T0 + 505 ms).
  const CANCELLED = T0 + 600_000;
  /** validResult, but user 11's order (id 1, created T0 + 105 ms) is cancelled at CANCELLED and user 11 buys the unit again. */
  function resold(rebuyAcceptedUs = T0 + 700_000): RunResult {
    const r = validResult();
    r.ledger = [...r.ledger.map((o) => (o.orderId === 1 ? { ...o, cancelledUs: CANCELLED } : o)), ledgerOrder(6, 11, rebuyAcceptedUs)];
    r.wonResponses = [...r.wonResponses, 11];
    r.stock = { ...r.stock, sold: 6, returned: 1 };
    return r;
  }

  test('sell, cancel, sell again: two orders for one unit over time, not an oversell; the user may buy again; conservation exact', () => {
    const report = audit(resold());
    expect(report.passed).toBe(true);
    expect(checkOf(report, 'no-oversell').message).toBe(
      'at most 5 orders standing at once (6 created, 1 cancelled for non-payment) for a stock of 5; the stock counter never went below 0',
    );
    expect(checkOf(report, 'conservation').message).toBe('initial 5 - sold 6 + returned 1 = 0 = remaining');
  });

  test('an order created at the very µs of the cancellation takes the returned unit; one µs earlier it is beyond the stock', () => {
    // ledgerOrder() creates 5 ms after acceptance.
    expect(checkOf(audit(resold(CANCELLED - 5_000)), 'no-oversell').passed).toBe(true);
    const early = checkOf(audit(resold(CANCELLED - 5_001)), 'no-oversell');
    expect(early.passed).toBe(false);
    expect(early.offending.map((o) => o.order?.orderId)).toEqual([6]);
    expect(early.message).toBe('6 orders standing at once (6 created, 1 cancelled for non-payment) for a stock of 5 (1 oversold)');
  });

  test('a real oversell among cancellations is still caught: an order created while the stock was fully held', () => {
    const r = resold();
    r.ledger = [...r.ledger, ledgerOrder(7, 17, T0 + 150_000)];
    r.wonResponses = [...r.wonResponses, 17];
    const check = checkOf(audit(r), 'no-oversell');
    expect(check.passed).toBe(false);
    // Blamed in acceptance order, as without cancellations: order 7 (accepted at 150 ms) came before order 5 (500 ms),
    // which was created while 1, 7, 2, 3 and 4 held the 5 units; the resale 6 finds 7, 2, 3, 4 and 5 standing.
    expect(check.offending.map((o) => o.order?.orderId)).toEqual([5, 6]);
  });

  test('one-per-user counts standing orders: a new order of the user while the unpaid one stands is one too many, after its cancellation it is not', () => {
    expect(checkOf(audit(resold(CANCELLED)), 'one-per-user').passed).toBe(true);
    const before = checkOf(audit(resold(CANCELLED - 1)), 'one-per-user');
    expect(before.passed).toBe(false);
    expect(before.offending.map((o) => o.order?.orderId)).toEqual([6]);
  });

  test('conservation stays exact: a cancellation whose unit never reached the store is caught', () => {
    const r = resold();
    r.stock = { ...r.stock, sold: 5, returned: 1 };
    const check = checkOf(audit(r), 'conservation');
    expect(check.passed).toBe(false);
    expect(check.message).toBe('initial 5 - sold 5 + returned 1 = 1, but 0 remain');
  });
});
