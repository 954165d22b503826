import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Link } from '../../src/system/link.js';

describe('Link', () => {
  it('sends transfers first come first served, each taking bytes / capacity', () => {
    const link = new Link(1e6); // 1 byte per µs
    expect(link.transmit(0, 100)).toBe(100);
    expect(link.transmit(50, 100)).toBe(200); // waits for the first
    expect(link.transmit(200, 10)).toBe(210); // link just free
    expect(link.transmit(500, 100)).toBe(600); // idle gap
    expect(link.bytes).toBe(310);
    expect(link.busyUntil(600)).toBe(310);
  });

  it('an ideal link (Infinity) takes no time', () => {
    const link = new Link(Infinity);
    expect(link.transmit(7, 1e9)).toBe(7);
    expect(link.transmit(7, 1e9)).toBe(7);
    expect(link.bytes).toBe(2e9);
  });

  it('backlog and busy time as seen at a given moment', () => {
    const link = new Link(1e6);
    link.transmit(0, 100);
    link.transmit(0, 100);
    expect(link.backlogUs(0)).toBe(200);
    expect(link.backlogUs(150)).toBe(50);
    expect(link.backlogUs(300)).toBe(0);
    expect(link.busyUntil(0)).toBe(0);
    expect(link.busyUntil(150)).toBe(150);
    expect(link.busyUntil(300)).toBe(200);
  });

  it('utilisation over any interval is the exact busy fraction, in [0, 1], when transfers are queued at the current time (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 2000 }), bytes: fc.integer({ min: 1, max: 3000 }) }), {
          minLength: 1,
          maxLength: 50,
        }),
        fc.integer({ min: 1, max: 5000 }),
        (transfers, probeEvery) => {
          const link = new Link(2e6); // 2 bytes per µs
          // Exact busy intervals, built independently.
          const busy: Array<[number, number]> = [];
          let now = 0;
          let freeAt = 0;
          for (const { gap, bytes } of transfers) {
            now += gap;
            // Probe before each enqueue too (the recorder samples between transfers).
            const sofar = busy.reduce((s, [a, b]) => s + Math.max(0, Math.min(b, now) - a), 0);
            expect(link.busyUntil(now)).toBeCloseTo(sofar, 6);
            const start = Math.max(now, freeAt);
            freeAt = start + bytes / 2;
            busy.push([start, freeAt]);
            expect(link.transmit(now, bytes)).toBeCloseTo(freeAt, 6);
          }
          const busyUntil = (t: number) => busy.reduce((s, [a, b]) => s + Math.max(0, Math.min(b, t) - a), 0);
          // Probe at and after the last enqueue (what a recorder sees after the fact).
          let previous = link.busyUntil(now);
          expect(previous).toBeCloseTo(busyUntil(now), 6);
          for (let t = now + probeEvery; t < freeAt + 2 * probeEvery; t += probeEvery) {
            const current = link.busyUntil(t);
            expect(current).toBeCloseTo(busyUntil(t), 6);
            const utilisation = (current - previous) / probeEvery;
            expect(utilisation).toBeGreaterThanOrEqual(-1e-9);
            expect(utilisation).toBeLessThanOrEqual(1 + 1e-9);
            previous = current;
          }
        },
      ),
    );
  });

  // Transfers are offered at the current time only (the CDN adds its
  // processing time after the transfer), which keeps busy time exact: an
  // edge link after a run has a busy time between 0 and the elapsed time.
  it('edge links of a CDN run keep busy time within [0, elapsed]', () => {
    const link = new Link(1e6);
    link.transmit(0, 100);
    link.transmit(50, 100);
    expect(link.busyUntil(50)).toBe(50);
    expect(link.busyUntil(200)).toBe(200);
    expect(link.busyUntil(1000)).toBe(200);
  });
});
