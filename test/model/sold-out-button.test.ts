import { describe, expect, it } from 'vitest';
import { runOnce } from '../../src/model/run-once.js';
import type { RunResult } from '../../src/results/result.js';
import { columnIndex, configOf, merge, SMALL } from '../helpers/flash-config.js';

/*
 * system.buttonScript.soldOutDelay: scripts made that long after the stock
 * runs out grey the button out, so users who load the page then leave
 * without clicking (docs/model.md, "The button script after sell-out").
 */

function run(over: Record<string, unknown>): RunResult {
  return runOnce(configOf(merge(SMALL, over)), { strategy: 's', replication: 0, seed: 3 }).result;
}

const greyed = (delay: string, more: Record<string, unknown> = {}) => merge({ system: { buttonScript: { soldOutDelay: delay } } }, more);

/** Order attempts reaching the servers in the rows starting at or after `fromUs`, and before it. */
function attemptsSplit(r: RunResult, fromUs: number): { before: number[]; after: number } {
  const { columns, rows, intervalUs } = r.timeseries;
  const c = columnIndex(columns, 'order_attempts');
  const before: number[] = [];
  let after = 0;
  rows.forEach((row, i) => {
    if (i * intervalUs >= fromUs) after += row[c];
    else if ((i + 1) * intervalUs <= fromUs) before.push(row[c]);
  });
  return { before, after };
}

describe('the button script after sell-out (buttonScript.soldOutDelay)', () => {
  const base = run({});
  const soldOutUs = base.config.sale.start + (base.metrics.sell_out_time as number);

  it('is off when omitted: no key in the resolved config', () => {
    expect('soldOutDelay' in base.config.system.buttonScript).toBe(false);
    expect(base.metrics.sell_out_time).not.toBeNull();
  });

  it('takes the post-sell-out clicks off the order servers, changing nothing before', () => {
    const delayUs = 1_000_000;
    const on = run(greyed('1s'));
    // The same sale up to the moment the script learns it is over: same orders, same sell-out.
    expect(on.metrics.sell_out_time).toBe(base.metrics.sell_out_time);
    expect(on.ledger).toEqual(base.ledger);
    expect(on.metrics.oversell).toBe(0);
    const from = soldOutUs + delayUs;
    const a = attemptsSplit(base, from);
    const b = attemptsSplit(on, from);
    expect(b.before).toEqual(a.before);
    // After it, users who load the page see "sold out" and do not click.
    expect(b.after).toBeLessThan(a.after * 0.8);
    expect(on.counters.orderAttempts).toBeLessThan(base.counters.orderAttempts);
    expect(on.counters.orderSoldOut).toBeLessThan(base.counters.orderSoldOut);
    // They leave told "sold out" all the same: nobody wins or loses by it.
    expect(on.outcomes.won).toBe(base.outcomes.won);
    expect(on.outcomes.soldOut).toBeGreaterThanOrEqual(base.outcomes.soldOut);
  });

  it('greys out later with a longer delay', () => {
    const now = run(greyed('0s'));
    const later = run(greyed('3s'));
    expect(now.counters.orderAttempts).toBeLessThan(later.counters.orderAttempts);
    expect(later.counters.orderAttempts).toBeLessThan(base.counters.orderAttempts);
  });

  it('works through a CDN-cached script too (what the edge serves says what its origin copy said)', () => {
    const cdn = { system: { buttonScript: { servedBy: 'cdn', cdnTtl: '2s' }, tokenGate: { bindToUser: false } } };
    const cachedBase = run(cdn);
    const cached = run(greyed('0s', cdn));
    expect(cached.ledger).toEqual(cachedBase.ledger);
    expect(cached.counters.orderAttempts).toBeLessThan(cachedBase.counters.orderAttempts * 0.9);
  });

  it('reopens with the servers (orderServers.reopenOnReturn): units given back are sold to new page loads', () => {
    const reopen = { system: { orders: { unpaid: '50%', paymentTimeout: '2s' }, orderServers: { reopenOnReturn: true } } };
    const open = run(reopen);
    const on = run(greyed('0s', reopen));
    expect(open.counters.unitsResold).toBeGreaterThan(50);
    // A button that stayed grey would leave the returned units to the few still retrying.
    expect(on.counters.unitsResold).toBeGreaterThan(0.8 * open.counters.unitsResold);
    expect(on.counters.orderAttempts).toBeLessThan(open.counters.orderAttempts);
  });
});
