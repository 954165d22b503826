import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../src/kernel/random.js';
import { Admission, OrderServers } from '../../src/system/order-servers.js';
import { configOf } from '../helpers/flash-config.js';

function servers(orderServers: Record<string, unknown>, seed = 1) {
  const config = configOf({ system: { orderServers } }).system.orderServers;
  return new OrderServers(config, new RandomSource(seed, 0).stream('balancer'));
}

const alwaysWaiting = () => true;

describe('bounded order servers', () => {
  it('reject: admits up to `slots` per server, then answers "sale ended"; a release frees a slot', () => {
    const s = servers({ servers: 2, slots: 3, onFull: 'reject' });
    expect([0, 1, 2].map((r) => s.admit(0, r, 0))).toEqual([Admission.Admitted, Admission.Admitted, Admission.Admitted]);
    expect(s.admit(0, 3, 0)).toBe(Admission.Rejected);
    expect(s.admit(0, 4, 0)).toBe(Admission.Rejected);
    // The other server is independent.
    expect(s.admit(1, 5, 0)).toBe(Admission.Admitted);
    expect(Array.from(s.busy)).toEqual([3, 1]);
    expect(Array.from(s.admitted)).toEqual([3, 1]);
    expect(Array.from(s.rejected)).toEqual([2, 0]);
    expect(s.release(0, alwaysWaiting, 0)).toBe(-1);
    expect(s.admit(0, 6, 0)).toBe(Admission.Admitted);
    expect(s.admit(0, 7, 0)).toBe(Admission.Rejected);
  });

  it('queue: requests beyond the slots wait, and a release hands the slot to the oldest waiting one (FIFO)', () => {
    const s = servers({ servers: 1, slots: 2, onFull: 'queue' });
    expect(s.admit(0, 100, 0)).toBe(Admission.Admitted);
    expect(s.admit(0, 101, 0)).toBe(Admission.Admitted);
    for (let r = 0; r < 5; r++) expect(s.admit(0, r, 0)).toBe(Admission.Queued);
    expect(s.waiting[0]).toBe(5);
    const order: number[] = [];
    for (let i = 0; i < 5; i++) order.push(s.release(0, alwaysWaiting, 0));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(s.busy[0]).toBe(2);
    // A request admitted from the line counts as admitted too (kills dropping admitted++ in release).
    expect(s.admitted[0]).toBe(7);
    expect(s.waiting[0]).toBe(0);
    expect(s.release(0, alwaysWaiting, 0)).toBe(-1);
    expect(s.busy[0]).toBe(1);
  });

  it('queue: FIFO survives the line growing and wrapping around', () => {
    const s = servers({ servers: 1, slots: 1, onFull: 'queue' });
    s.admit(0, -1, 0);
    const served: number[] = [];
    let next = 0;
    // Interleave arrivals and releases so that the ring wraps, then grow it past 16.
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 3 + round; i++) expect(s.admit(0, next++, 0)).toBe(Admission.Queued);
      for (let i = 0; i < 2; i++) served.push(s.release(0, alwaysWaiting, 0));
    }
    while (s.waiting[0] > 0) served.push(s.release(0, alwaysWaiting, 0));
    expect(served).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('queue: requests that gave up are skipped when a slot frees', () => {
    const s = servers({ servers: 1, slots: 1, onFull: 'queue' });
    s.admit(0, 100, 0);
    for (let r = 0; r < 4; r++) s.admit(0, r, 0);
    s.abandoned(0, 0);
    s.abandoned(0, 0);
    const gone = new Set([0, 1]);
    const skipped: number[] = [];
    const isWaiting = (r: number) => {
      if (gone.has(r)) {
        skipped.push(r);
        return false;
      }
      return true;
    };
    expect(s.release(0, isWaiting, 0)).toBe(2);
    expect(skipped).toEqual([0, 1]);
    expect(s.rejected[0]).toBe(2);
    expect(s.busy[0]).toBe(1);
  });

  it('unbounded: every request is admitted and service slows by overloadFactor per request beyond the slots', () => {
    const s = servers({ servers: 1, slots: 2, onFull: 'unbounded', overloadFactor: 0.5 });
    for (let r = 0; r < 2; r++) expect(s.admit(0, r, 0)).toBe(Admission.Admitted);
    expect(s.slowdown(0)).toBe(1);
    for (let r = 2; r < 6; r++) expect(s.admit(0, r, 0)).toBe(Admission.Admitted);
    expect(s.busy[0]).toBe(6);
    expect(s.slowdown(0)).toBe(1 + 0.5 * 4);
    expect(s.rejected[0]).toBe(0);
  });

  it('round-robin cycles through the servers', () => {
    const s = servers({ servers: 3, balancer: 'round-robin' });
    expect(Array.from({ length: 7 }, (_, i) => s.pick(i, 0))).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('least-loaded picks the server with the fewest busy + waiting requests (lowest index on ties)', () => {
    const s = servers({ servers: 3, slots: 2, onFull: 'queue', balancer: 'least-loaded' });
    expect(s.pick(0, 0)).toBe(0);
    s.admit(0, 0, 0);
    expect(s.pick(0, 0)).toBe(1);
    s.admit(1, 1, 0);
    s.admit(2, 2, 0);
    s.admit(2, 3, 0);
    expect(s.pick(0, 0)).toBe(0); // loads 1, 1, 2
    s.admit(0, 4, 0);
    s.admit(0, 5, 0); // queued on 0: load 3
    expect(s.pick(0, 0)).toBe(1);
  });

  it('least-loaded counts waiting requests as load, not only busy slots', () => {
    // Kills `load = busy` alone: both servers have their one slot busy, but 0 has
    // two requests waiting, so a new one belongs on 1 (lowest index would say 0).
    const s = servers({ servers: 2, slots: 1, onFull: 'queue', balancer: 'least-loaded' });
    s.admit(0, 0, 0);
    s.admit(0, 1, 0);
    s.admit(0, 2, 0);
    s.admit(1, 3, 0);
    expect(Array.from(s.busy)).toEqual([1, 1]);
    expect(s.pick(9, 0)).toBe(1);
  });

  it('least-loaded does not count requests that gave up at their deadline, though their entries are still in the line', () => {
    const s = servers({ servers: 2, slots: 1, onFull: 'queue', balancer: 'least-loaded' });
    s.admit(0, 100, 0);
    for (let r = 0; r < 3; r++) expect(s.admit(0, r, 0)).toBe(Admission.Queued);
    for (let r = 0; r < 3; r++) s.abandoned(0, 0);
    s.admit(1, 200, 0);
    expect(s.admit(1, 3, 0)).toBe(Admission.Queued);
    expect(Array.from(s.waiting)).toEqual([0, 1]);
    expect(s.pick(0, 0)).toBe(0); // loads 1 + 0 and 1 + 1
    // The line still holds the given-up entries: a release skips them and finds no one.
    const skipped: number[] = [];
    expect(s.release(0, (r) => (skipped.push(r), false), 0)).toBe(-1);
    expect(skipped).toEqual([0, 1, 2]);
    expect(Array.from(s.waiting)).toEqual([0, 1]);
  });

  it('random picks are a function of (seed, user, attempt): same in every instance, spread over all servers', () => {
    const a = servers({ servers: 10, balancer: 'random' });
    const b = servers({ servers: 10, balancer: 'random' });
    const picksA: number[] = [];
    const picksB: number[] = [];
    for (let u = 0; u < 2000; u++) picksA.push(a.pick(u, u % 3));
    // Another instance, other calls in between and in another order: same picks.
    for (let u = 1999; u >= 0; u--) {
      b.pick(u, 99);
      picksB[u] = b.pick(u, u % 3);
    }
    expect(picksB).toEqual(picksA);
    const counts = new Array<number>(10).fill(0);
    for (const p of picksA) counts[p]++;
    for (const c of counts) expect(c).toBeGreaterThan(140); // 200 expected
    // Attempts of one user differ, another seed differs.
    const attempts = new Set(Array.from({ length: 20 }, (_, k) => a.pick(7, k)));
    expect(attempts.size).toBeGreaterThan(3);
    const c = servers({ servers: 10, balancer: 'random' }, 2);
    expect(Array.from({ length: 50 }, (_, u) => c.pick(u, 0))).not.toEqual(picksA.slice(0, 50));
  });

  it('the local sold-out flag is raised after its delay, at the first run-out only', () => {
    const s = servers({ soldOutFlag: true, soldOutFlagDelay: '100ms' });
    expect(s.knowsSoldOut(1e12)).toBe(false);
    s.stockRanOut(1_000_000);
    s.stockRanOut(5_000_000); // later news does not move the flag
    expect(s.knowsSoldOut(1_099_999)).toBe(false);
    expect(s.knowsSoldOut(1_100_000)).toBe(true);
    const off = servers({ soldOutFlag: false });
    off.stockRanOut(0);
    expect(off.knowsSoldOut(1e12)).toBe(false);
  });
});

describe('the admission quota (orderServers.quota)', () => {
  it('absent: no quota', () => {
    const s = servers({ servers: 1, slots: 1 });
    expect(s.quota).toBe(Infinity);
    for (let r = 0; r < 1000; r++) {
      expect(s.admit(0, r, 0)).toBe(Admission.Admitted);
      expect(s.passOn(0)).toBe(true);
      s.release(0, alwaysWaiting, 0);
    }
    expect(s.quotaRefusals).toBe(0);
  });

  it('each server passes its first N orders on; later requests are refused on arrival, though slots are free', () => {
    const s = servers({ servers: 2, slots: 2, onFull: 'reject', quota: 2 });
    expect(s.admit(0, 0, 0)).toBe(Admission.Admitted);
    expect(s.admit(0, 1, 0)).toBe(Admission.Admitted);
    // Full: refused for its slots, which does not touch the quota.
    expect(s.admit(0, 2, 0)).toBe(Admission.Rejected);
    expect(s.quotaRefusals).toBe(0);
    // Admitted requests that fail their checks (a forged token) are not passed on: nothing spent.
    s.release(0, alwaysWaiting, 0);
    expect(s.admit(0, 3, 0)).toBe(Admission.Admitted);
    expect([s.passOn(0), s.passOn(0)]).toEqual([true, true]);
    // Request 3 was in service when the second went on: refused at its check.
    expect(s.passOn(0)).toBe(false);
    s.release(0, alwaysWaiting, 0);
    s.release(0, alwaysWaiting, 0);
    expect(Array.from(s.busy)).toEqual([0, 0]);
    expect(s.admit(0, 4, 0)).toBe(Admission.Rejected);
    expect(s.quotaRefusals).toBe(2);
    // The other server has its own quota.
    expect(s.admit(1, 5, 0)).toBe(Admission.Admitted);
    expect(s.passOn(1)).toBe(true);
    expect(Array.from(s.passedOn)).toEqual([2, 1]);
    expect(Array.from(s.admitted)).toEqual([3, 1]);
    expect(Array.from(s.rejected)).toEqual([3, 0]);
  });

  it('alone, with onFull: unbounded: everyone is served at once until N orders went on', () => {
    const s = servers({ servers: 1, slots: 1, onFull: 'unbounded', quota: 3 });
    expect(Array.from({ length: 5 }, (_, r) => s.admit(0, r, 0))).toEqual(Array<Admission>(5).fill(Admission.Admitted));
    expect(Array.from({ length: 5 }, () => s.passOn(0))).toEqual([true, true, true, false, false]);
    expect(s.admit(0, 5, 0)).toBe(Admission.Rejected);
    expect(s.quotaRefusals).toBe(3);
  });
});
