import { describe, expect, it } from 'vitest';
import { EdgeFetches } from '../../src/system/edge-fetches.js';

describe('EdgeFetches', () => {
  it('keeps each fetch until released, and reuses freed slots', () => {
    const fetches = new EdgeFetches();
    const a = fetches.put(7, 0x123, 1_500_000);
    const b = fetches.put(9, 0x456, 2_500_000.5);
    expect([fetches.userOf(a), fetches.tagOf(a), fetches.generatedAtOf(a)]).toEqual([7, 0x123, 1_500_000]);
    expect([fetches.userOf(b), fetches.tagOf(b), fetches.generatedAtOf(b)]).toEqual([9, 0x456, 2_500_000.5]);
    expect(fetches.inFlight).toBe(2);
    fetches.release(a);
    expect(fetches.inFlight).toBe(1);
    const c = fetches.put(11, 1, 3);
    expect(c).toBe(a);
    expect(fetches.userOf(b)).toBe(9);
  });

  it('grows past its initial size without losing a fetch in flight', () => {
    const fetches = new EdgeFetches();
    const slots = Array.from({ length: 1000 }, (_, i) => fetches.put(i, i * 8 + 3, i * 1.5));
    expect(new Set(slots).size).toBe(1000);
    for (const [i, slot] of slots.entries()) {
      expect([fetches.userOf(slot), fetches.tagOf(slot), fetches.generatedAtOf(slot)]).toEqual([i, i * 8 + 3, i * 1.5]);
    }
    for (const slot of slots.slice(0, 500)) fetches.release(slot);
    const again = Array.from({ length: 600 }, (_, i) => fetches.put(-i, 0, 0));
    expect(fetches.inFlight).toBe(1100);
    expect(new Set([...slots.slice(500), ...again]).size).toBe(1100);
  });
});
