import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clickRankFairness, type ClickRecords } from '../../src/run/fairness.js';

interface User {
  click: number; // Infinity: never clicked
  bot: boolean;
  won: boolean;
}

function records(users: User[]): ClickRecords {
  return {
    count: users.length,
    firstClickAt: (u) => users[u].click,
    isBot: (u) => users[u].bot,
    won: (u) => users[u].won,
  };
}

/** The definition, computed the slow way: sort every human clicker, midranks by scanning. */
function reference(users: User[]): { winRateByDecile: number[]; rankCorrelation: number | null } {
  const humans = users.filter((u) => u.click !== Infinity && !u.bot);
  const n = humans.length;
  if (n === 0) return { winRateByDecile: [], rankCorrelation: null };
  const times = humans.map((u) => u.click).sort((a, b) => a - b);
  const size = new Array<number>(10).fill(0);
  for (let k = 0; k < n; k++) size[Math.min(9, Math.floor((k * 10) / n))]++;
  const wins = new Array<number>(10).fill(0);
  let rankSum = 0;
  const winners = humans.filter((u) => u.won);
  for (const wUser of winners) {
    const less = times.filter((t) => t < wUser.click).length;
    const equal = times.filter((t) => t === wUser.click).length;
    const rank = less + (equal + 1) / 2;
    rankSum += rank;
    wins[Math.min(9, Math.floor(((rank - 1) * 10) / n))]++;
  }
  const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
  const winRateByDecile = size.map((s, d) => (s > 0 ? r6(wins[d] / s) : 0));
  const w = winners.length;
  if (w === 0 || w === n || n < 2) return { winRateByDecile, rankCorrelation: null };
  const p = w / n;
  const cov = rankSum / n - ((n + 1) / 2) * p;
  return { winRateByDecile, rankCorrelation: r6(-cov / Math.sqrt(((n * n - 1) / 12) * p * (1 - p))) };
}

describe('clickRankFairness', () => {
  it('first come, first served: the earliest clickers win, the largest ρ a 4-in-20 split allows', () => {
    const users: User[] = Array.from({ length: 20 }, (_, u) => ({ click: 1000 + u, bot: false, won: u < 4 }));
    const f = clickRankFairness(records(users));
    expect(f.winRateByDecile).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Ranks 1..4 win: cov = 10/20 − 10.5·0.2 = −1.6; ρ = 1.6 / √(399/12 · 0.16) = 0.693688.
    expect(f.rankCorrelation).toBe(0.693688);
    const lastWin = clickRankFairness(records(users.map((u, i) => ({ ...u, won: i >= 16 }))));
    expect(lastWin.rankCorrelation).toBe(-0.693688);
    expect(lastWin.winRateByDecile).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('ignores bots and users who never clicked; empty and all-winner cases have no correlation', () => {
    expect(clickRankFairness(records([]))).toEqual({ winRateByDecile: [], rankCorrelation: null });
    expect(clickRankFairness(records([{ click: Infinity, bot: false, won: false }, { click: 5, bot: true, won: true }]))).toEqual({
      winRateByDecile: [],
      rankCorrelation: null,
    });
    const all = clickRankFairness(records([{ click: 1, bot: false, won: true }, { click: 2, bot: false, won: true }]));
    expect(all.rankCorrelation).toBeNull();
  });

  it('equals the sort-and-scan definition, ties and bots included', () => {
    const user = fc.record({
      click: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constant(Infinity)),
      bot: fc.boolean(),
      won: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(user, { maxLength: 200 }), (users) => {
        expect(clickRankFairness(records(users))).toEqual(reference(users));
      }),
      { numRuns: 500 },
    );
  });
});
