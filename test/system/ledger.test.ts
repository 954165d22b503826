import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/system/ledger.js';

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
});
