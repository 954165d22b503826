import { describe, expect, it } from 'vitest';
import { isEarlyOrder, Ledger, ledgerWonMismatches, liveOrders, ordersBeyondLimit, ordersBeyondStock } from '../../src/system/ledger.js';

describe('ledger', () => {
  it('appends records with ids in creation order and the strategy name', () => {
    const ledger = new Ledger('seed-design');
    expect(ledger.size).toBe(0);
    expect(ledger.append(7, 100, 90, 'tok-a', 3)).toBe(0);
    expect(ledger.append(2, 150, 120, 'tok-b', 0)).toBe(1);
    expect(ledger.append(7, 160, 130, 'tok-c', 1)).toBe(2);
    expect(ledger.size).toBe(3);
    expect(ledger.toArray()).toEqual([
      { orderId: 0, user: 7, timeUs: 100, acceptedUs: 90, token: 'tok-a', server: 3, strategy: 'seed-design' },
      { orderId: 1, user: 2, timeUs: 150, acceptedUs: 120, token: 'tok-b', server: 0, strategy: 'seed-design' },
      { orderId: 2, user: 7, timeUs: 160, acceptedUs: 130, token: 'tok-c', server: 1, strategy: 'seed-design' },
    ]);
  });

  it('toArray is a copy: changing it does not change the ledger', () => {
    const ledger = new Ledger('s');
    ledger.append(1, 1, 1, 't', 0);
    const copy = ledger.toArray();
    copy.pop();
    copy.push({ orderId: 9, user: 9, timeUs: 9, acceptedUs: 9, token: 'x', server: 9, strategy: 'x' });
    expect(ledger.size).toBe(1);
    expect(ledger.toArray().map((r) => r.user)).toEqual([1]);
    expect(ledger.append(2, 2, 2, 't', 0)).toBe(1);
  });

  it('facts the metrics and the audit share: early orders, orders beyond the limit, ledger vs "won" answers', () => {
    const ledger = new Ledger('s');
    ledger.append(7, 100, 90, 't', 0);
    ledger.append(2, 150, 120, 't', 0);
    ledger.append(7, 160, 130, 't', 0);
    ledger.append(7, 170, 140, 't', 0);
    const orders = ledger.toArray();
    expect(orders.map((o) => isEarlyOrder(o, 95))).toEqual([true, false, false, false]);
    expect(isEarlyOrder(orders[1], 151)).toBe(true); // created before T0 though accepted after
    const { extra, buyers } = ordersBeyondLimit(orders, 1);
    expect(buyers).toBe(2);
    expect(extra.map((e) => [e.order.orderId, e.n])).toEqual([
      [2, 2],
      [3, 3],
    ]);
    expect(ordersBeyondLimit(orders, 3).extra).toEqual([]);
    // User 7: 3 orders, told "won" once; user 2: 1 and 1; user 5: told "won" without an order.
    expect(ledgerWonMismatches(orders, [7, 2, 5])).toEqual([
      { user: 5, orders: 0, won: 1 },
      { user: 7, orders: 3, won: 1 },
    ]);
    expect(ledgerWonMismatches(orders, [2, 7, 7, 7])).toEqual([]);
  });

  it('an order accepted and created exactly at T0 is not early (T0 is the first allowed instant)', () => {
    // Kills `<=` for either time in isEarlyOrder: the sale opens at T0, so an order at T0 is on time.
    const ledger = new Ledger('s');
    ledger.append(1, 500, 500, 't', 0);
    const [atT0] = ledger.toArray();
    expect(isEarlyOrder(atT0, 500)).toBe(false);
    expect(isEarlyOrder(atT0, 501)).toBe(true);
  });
});

describe('ledger cancellations (unpaid orders)', () => {
  it('a cancellation is appended apart: the records stay as written, toArray shows it as cancelledUs', () => {
    const ledger = new Ledger('s');
    ledger.append(7, 100, 90, 't', 0);
    ledger.append(8, 110, 95, 't', 0);
    const before = ledger.toArray();
    ledger.cancel(0, 500);
    expect(ledger.cancelled).toBe(1);
    expect(ledger.toArray().map((r) => r.cancelledUs)).toEqual([500, undefined]);
    expect(before[0].cancelledUs).toBeUndefined();
    expect(liveOrders(ledger.toArray())).toBe(1);
    expect(() => ledger.cancel(2, 600)).toThrow(RangeError);
  });

  it('orders beyond the stock count orders standing at each creation; without cancellations, those after the first `stock`', () => {
    const ledger = new Ledger('s');
    ledger.append(1, 100, 90, 't', 0);
    ledger.append(2, 200, 190, 't', 0);
    ledger.append(3, 300, 290, 't', 0);
    expect(ordersBeyondStock(ledger.toArray(), 2).beyond.map((b) => b.order.orderId)).toEqual([2]);
    ledger.cancel(0, 300); // at order 2's creation: its unit was back first
    const { beyond, peak } = ordersBeyondStock(ledger.toArray(), 2);
    expect(beyond).toEqual([]);
    expect(peak).toBe(2);
  });
});
