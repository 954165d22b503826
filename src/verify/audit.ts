/**
 * The auditor: checks the invariants of a flash sale on one run's ledger,
 * responses and stock counters. Pure and deterministic (the same result
 * gives the same report); it never prints or throws on a violation.
 *
 * The invariants (a scenario picks which apply; all by default):
 * - **no-oversell**: at no order's creation did more than `stock.initial`
 *   orders hold units (an order cancelled for non-payment holds none from
 *   its `cancelledUs`: a unit sold, cancelled and sold again is two orders
 *   over time, not an oversell; see ordersBeyondStock in ledger.ts), the
 *   stock counter never went below 0 (`stock.minLevel >= 0`), the net units
 *   taken from the stock, `stock.sold - stock.returned`, are at most
 *   `stock.initial`, and `stock.oversell` is 0. (`sold` alone may exceed
 *   `initial` without oversell: a unit returned by a failed order can be
 *   sold again.) Offending records: the orders beyond the stock, in
 *   acceptance order, else the counter facts.
 * - **one-per-user**: no user has more than `sale.perUserLimit` standing
 *   ledger orders at once (one cancelled before the next's acceptance no
 *   longer counts). Offending records: each such user's orders beyond the
 *   limit; one that repeats an earlier order's attempt (same user, token and
 *   acceptance time: an order message delivered twice to a consumer that is
 *   not idempotent) is named as its copy, here and in the messages of
 *   no-oversell and ledger-matches-responses.
 * - **no-early-orders**: no order was accepted (`acceptedUs`) or created
 *   (`timeUs`) before T0 (`sale.start`), nor presented (`presentedUs`:
 *   at a waiting room's door, or at its server when the token is checked
 *   at admission) before T0.
 * - **valid-tokens**: every ledger order carries a token the token gate
 *   accepts (see ./tokens.ts for the check).
 * - **ledger-matches-responses**: the multiset of ledger users equals the
 *   multiset of users told "won": every user told "won" has exactly as many
 *   ledger orders as "won" answers and vice versa (nothing lost, nothing
 *   created silently). Offending records: one per user that differs.
 * - **conservation**: `stock.initial - stock.sold - counters.unitsInBuffers
 *   + stock.returned == stock.remaining`: every unit is on the shelf, sold,
 *   in an order server's buffer (system.stock.buffer: taken from the store,
 *   not sold), or back on the shelf (`returned` counts units given back by
 *   compensation and by unpaid orders cancelled). Exact: a racy store that lost updates
 *   (of single units or of whole batches) shows more than it should.
 *
 * Undersell is not an invariant (it is a metric: units left while buyers
 * were turned away).
 */
import { formatDuration } from '../kernel/units.js';
import type { Counters, LedgerRecord, RunResult, StockSummary } from '../results/result.js';
import { INVARIANTS, type InvariantName } from '../scenario/schema.js';
import {
  inAcceptanceOrder,
  isEarlyOrder,
  ledgerWonMismatches,
  liveOrders,
  ordersBeyondLimit,
  ordersBeyondStock,
} from '../system/ledger.js';
import { tokenSecretSeed } from '../system/token-gate.js';
import { tokenVerifier, type TokenVerifier } from './tokens.js';

/**
 * What the audit reads of a run: a `RunResult` is one, and so is a ledger
 * kept outside the simulator (`sim calibrate` audits the takes of a real
 * store through src/calibrate/ledger-audit.ts), which has no series or
 * latencies to give.
 */
export type AuditSubject = Pick<RunResult, 'strategy' | 'replication' | 'seed' | 'config' | 'ledger' | 'wonResponses'> & {
  /** The stock counter's end state. */
  stock: Pick<StockSummary, 'initial' | 'remaining' | 'sold' | 'minLevel' | 'oversell' | 'returned'>;
  /** The only counter an invariant reads. */
  counters: Pick<Counters, 'unitsInBuffers'>;
};

/** One offending record: a sentence for people, and the data it is about. */
export interface Offence {
  /** E.g. `order 51 (user 7, accepted at 10m0.31s) is beyond the stock of 50`. */
  reason: string;
  /** The ledger record, when the offence is about one order. */
  order?: LedgerRecord;
  /** The user, when the offence is about a user. */
  user?: number;
}

/** The verdict on one invariant. */
export interface InvariantCheck {
  /** The invariant checked. */
  name: InvariantName;
  /** Whether it holds. */
  passed: boolean;
  /** One line: what was checked and found, in numbers. */
  message: string;
  /** The first offending records (at most `maxOffending`, 10 by default), in a stable order. */
  offending: Offence[];
  /** How many offending records there are in all. */
  offendingCount: number;
}

/** The audit of one run (one strategy, one replication). */
export interface AuditReport {
  /** The run's strategy. */
  strategy: string;
  /** The run's replication, from 0. */
  replication: number;
  /** True when every checked invariant holds. */
  passed: boolean;
  /** One entry per invariant checked, in the order asked for. */
  invariants: InvariantCheck[];
}

/** Knobs of {@link audit}, for tests and reports. */
export interface AuditOptions {
  /**
   * The run's token secret seed, the one its token gate was built with (a
   * plan's task carries it). Default: tokenSecretSeed of the result's seed
   * and replication, the same number.
   */
  tokenSecret?: number;
  /** The token check for valid-tokens (default: {@link tokenVerifier} with `tokenSecret`). */
  verifyToken?: TokenVerifier;
  /** How many offending records to list per invariant (default 10). */
  maxOffending?: number;
}

function check(name: InvariantName, offences: Offence[], message: string, max: number, passed = offences.length === 0): InvariantCheck {
  return { name, passed, message, offending: offences.slice(0, max), offendingCount: offences.length };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Where a ledger order's `presentedUs` was taken: the waiting room's door, or (token checked at admission) its order server. */
function doorOf(result: AuditSubject): string {
  return result.config.system.waitingRoom.mode === 'off' ? 'its order server' : 'the waiting room';
}

function describe(order: LedgerRecord, where: string): string {
  // The time the token was presented is what no-early-orders and valid-tokens judge too: name it.
  const door = order.presentedUs === undefined ? '' : `presented at ${where} at ${formatDuration(order.presentedUs)}, `;
  return `order ${order.orderId} (user ${order.user}, ${door}accepted at ${formatDuration(order.acceptedUs)}, created at ${formatDuration(order.timeUs)})`;
}

function noOversell(result: AuditSubject, max: number): InvariantCheck {
  const { stock, ledger } = result;
  const { beyond, peak } = ordersBeyondStock(inAcceptanceOrder(ledger), stock.initial);
  const offences: Offence[] = beyond.map(({ order }) => ({
    reason: `${describe(order, doorOf(result))} is beyond the stock of ${stock.initial}`,
    order,
  }));
  const cancelled = ledger.length - liveOrders(ledger);
  // Without cancellations every order stands, and the sentences read as they always did.
  const atOnce = cancelled > 0 ? ` standing at once (${ledger.length} created, ${cancelled} cancelled for non-payment)` : '';
  const problems: string[] = [];
  if (beyond.length > 0) {
    // With cancellations the units short at once and the orders created beyond the stock differ (a unit
    // back on sale while an order too many stands is sold beyond it again): name both.
    const oversold = peak - stock.initial;
    const count =
      oversold === beyond.length
        ? `${oversold} oversold`
        : `${oversold} oversold at most at once, ${plural(beyond.length, 'order')} created beyond the stock`;
    problems.push(`${peak} orders${atOnce} for a stock of ${stock.initial} (${count})${repeatsNote(repeatedAttempts(ledger))}`);
  }
  if (stock.minLevel < 0) {
    const reason = `the stock counter went down to ${stock.minLevel}`;
    problems.push(reason);
    if (offences.length === 0) offences.push({ reason });
  }
  const net = stock.sold - stock.returned;
  if (net > stock.initial) {
    const reason = `${net} units taken from a stock of ${stock.initial} (${stock.sold} sold - ${stock.returned} returned)`;
    problems.push(reason);
    if (offences.length === 0) offences.push({ reason });
  }
  if (stock.oversell > 0) {
    const reason = `the run counted ${plural(stock.oversell, 'oversold unit')}`;
    problems.push(reason);
    if (offences.length === 0) offences.push({ reason });
  }
  const message =
    problems.length > 0
      ? problems.join('; ')
      : `${cancelled > 0 ? `at most ${plural(peak, 'order')}${atOnce}` : plural(ledger.length, 'order')} for a stock of ${stock.initial}; the stock counter never went below 0`;
  return check('no-oversell', offences, message, max, problems.length === 0);
}

/**
 * Orders that repeat an earlier order's attempt (same user, token and
 * acceptance time): one accepted attempt made into two orders, the trace of
 * an order message delivered twice to a consumer that is not idempotent.
 * Maps the repeat's order id to the first order's.
 */
function repeatedAttempts(ledger: readonly LedgerRecord[]): Map<number, number> {
  const first = new Map<string, number>();
  const repeats = new Map<number, number>();
  for (const order of ledger) {
    const key = `${order.user}/${order.acceptedUs}/${order.token}`;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, order.orderId);
    else repeats.set(order.orderId, earlier);
  }
  return repeats;
}

/** ` (…)` naming how many orders repeat an earlier one's attempt, or '' when none do. */
function repeatsNote(repeats: Map<number, number>): string {
  return repeats.size > 0
    ? `; ${plural(repeats.size, 'order repeats', 'orders repeat')} an earlier order's attempt (same token and acceptance: an order message delivered twice)`
    : '';
}

function onePerUser(result: AuditSubject, max: number): InvariantCheck {
  const limit = result.config.sale.perUserLimit;
  const { extra, buyers } = ordersBeyondLimit(inAcceptanceOrder(result.ledger), limit);
  const users = new Set(extra.map((e) => e.order.user));
  const repeats = repeatedAttempts(result.ledger);
  const offences: Offence[] = extra.map(({ order, n }) => {
    const copyOf = repeats.get(order.orderId);
    const copy = copyOf === undefined ? '' : `, a copy of order ${copyOf} (an order message delivered twice)`;
    return {
      reason: `${describe(order, doorOf(result))} is user ${order.user}'s order number ${n} (limit ${limit})${copy}`,
      order,
      user: order.user,
    };
  });
  const message =
    offences.length > 0
      ? `${plural(users.size, 'user has', 'users have')} more than ${plural(limit, 'order')} (${plural(offences.length, 'extra order')})${repeatsNote(repeats)}`
      : `no user has more than ${plural(limit, 'order')} (${plural(buyers, 'buyer')})`;
  return check('one-per-user', offences, message, max);
}

function noEarlyOrders(result: AuditSubject, max: number): InvariantCheck {
  const start = result.config.sale.start;
  const t0 = formatDuration(start);
  // An order accepted and created after T0 is early only by the time it was presented (a room's door, or its server): say so,
  // or "accepted at 10m3s ... is before T0 (10m)" reads as a contradiction.
  const atDoorOnly = (order: LedgerRecord): boolean => order.acceptedUs >= start && order.timeUs >= start;
  const offences: Offence[] = inAcceptanceOrder(result.ledger)
    .filter((order) => isEarlyOrder(order, start))
    .map((order) => ({
      reason: `${describe(order, doorOf(result))} ${atDoorOnly(order) ? 'was presented' : 'is'} before T0 (${t0})`,
      order,
    }));
  const doorOnly = offences.filter((o) => atDoorOnly(o.order!)).length;
  const door = doorOnly > 0 ? ` (${doorOnly} presented at ${doorOf(result)} before T0, accepted after it)` : '';
  const message = offences.length > 0 ? `${plural(offences.length, 'order')} before T0 (${t0})${door}` : `no order before T0 (${t0})`;
  return check('no-early-orders', offences, message, max);
}

function validTokens(result: AuditSubject, max: number, options: AuditOptions): InvariantCheck {
  const verify =
    options.verifyToken ?? tokenVerifier(result.config, options.tokenSecret ?? tokenSecretSeed(result.seed, result.replication));
  const offences: Offence[] = [];
  for (const order of inAcceptanceOrder(result.ledger)) {
    const why = verify(order);
    if (why !== null) offences.push({ reason: `${describe(order, doorOf(result))} has an invalid token: ${why}`, order });
  }
  const message =
    offences.length > 0
      ? `${plural(offences.length, 'order')} with an invalid token`
      : `all ${plural(result.ledger.length, 'order')} carry a valid token`;
  return check('valid-tokens', offences, message, max);
}

function ledgerMatchesResponses(result: AuditSubject, max: number): InvariantCheck {
  const offences: Offence[] = [];
  let lost = 0;
  let untold = 0;
  for (const { user, orders, won } of ledgerWonMismatches(result.ledger, result.wonResponses)) {
    if (won > orders) lost++;
    else untold++;
    offences.push({ user, reason: `user ${user}: told "won" ${plural(won, 'time')}, ${plural(orders, 'ledger order')}` });
  }
  const message =
    offences.length > 0
      ? `${plural(offences.length, 'user differs', 'users differ')} between the ledger and the "won" responses: ` +
        `${lost} told "won" more often than they have orders (lost orders), ${untold} with more orders than "won" answers` +
        repeatsNote(repeatedAttempts(result.ledger))
      : `${plural(result.ledger.length, 'ledger order')} and ${plural(result.wonResponses.length, '"won" response')} match user for user`;
  return check('ledger-matches-responses', offences, message, max);
}

function conservation(result: AuditSubject, max: number): InvariantCheck {
  const { initial, sold, returned, remaining } = result.stock;
  const buffered = result.counters.unitsInBuffers;
  const expected = initial - sold - buffered + returned;
  // The buffers' term only where they are on, so that the message of a run without them reads as it always did.
  const inBuffers = result.config.system.stock.buffer > 0 ? ` - in buffers ${buffered}` : '';
  const equation = `initial ${initial} - sold ${sold}${inBuffers} + returned ${returned} = ${expected}`;
  const offences: Offence[] = expected === remaining ? [] : [{ reason: `${equation}, but ${remaining} remain` }];
  const message = offences.length > 0 ? offences[0].reason : `${equation} = remaining`;
  return check('conservation', offences, message, max);
}

/**
 * Audits one run.
 *
 * @param result the run's result (its `config` gives T0 and the per-user limit).
 * @param invariants which invariants to check, in this order (duplicates
 *   ignored); default: all of {@link INVARIANTS}.
 * @returns the report: one {@link InvariantCheck} per invariant, and `passed` true when all hold.
 */
export function audit(result: AuditSubject, invariants: readonly InvariantName[] = INVARIANTS, options: AuditOptions = {}): AuditReport {
  const max = options.maxOffending ?? 10;
  const checks = [...new Set(invariants)].map((name): InvariantCheck => {
    switch (name) {
      case 'no-oversell':
        return noOversell(result, max);
      case 'one-per-user':
        return onePerUser(result, max);
      case 'no-early-orders':
        return noEarlyOrders(result, max);
      case 'valid-tokens':
        return validTokens(result, max, options);
      case 'ledger-matches-responses':
        return ledgerMatchesResponses(result, max);
      case 'conservation':
        return conservation(result, max);
    }
  });
  return { strategy: result.strategy, replication: result.replication, passed: checks.every((c) => c.passed), invariants: checks };
}
