import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clickRankFairness, type ClickRecords } from '../../src/model/fairness.js';

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

/** The definitions, computed the slow way: deciles by sorting every human clicker, click order by comparing every (winner, non-winner) pair. */
function reference(users: User[]): { winRateByDecile: number[]; clickOrder: number | null } {
  const humans = users.filter((u) => u.click !== Infinity && !u.bot);
  const n = humans.length;
  if (n === 0) return { winRateByDecile: [], clickOrder: null };
  const times = humans.map((u) => u.click).sort((a, b) => a - b);
  const size = new Array<number>(10).fill(0);
  for (let k = 0; k < n; k++) size[Math.min(9, Math.floor((k * 10) / n))]++;
  const wins = new Array<number>(10).fill(0);
  const winners = humans.filter((u) => u.won);
  for (const wUser of winners) {
    const less = times.filter((t) => t < wUser.click).length;
    const equal = times.filter((t) => t === wUser.click).length;
    const rank = less + (equal + 1) / 2;
    wins[Math.min(9, Math.floor(((rank - 1) * 10) / n))]++;
  }
  const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
  const winRateByDecile = size.map((s, d) => (s > 0 ? r6(wins[d] / s) : 0));
  const losers = humans.filter((u) => !u.won);
  if (winners.length === 0 || losers.length === 0) return { winRateByDecile, clickOrder: null };
  let first = 0;
  for (const wUser of winners) for (const l of losers) first += wUser.click < l.click ? 1 : wUser.click === l.click ? 0.5 : 0;
  return { winRateByDecile, clickOrder: r6(first / (winners.length * losers.length)) };
}

describe('clickRankFairness', () => {
  it('first come, first served scores 1, the last clickers winning 0, whatever the share of winners', () => {
    for (const [n, w] of [
      [20, 4],
      [100_000, 100],
    ]) {
      const users: User[] = Array.from({ length: n }, (_, u) => ({ click: 1000 + u, bot: false, won: u < w }));
      const f = clickRankFairness(records(users));
      expect(f.clickOrder).toBe(1);
      expect(f.winRateByDecile[0]).toBe(Math.min(1, (w * 10) / n));
      const lastWin = clickRankFairness(records(users.map((u, i) => ({ ...u, won: i >= n - w }))));
      expect(lastWin.clickOrder).toBe(0);
      expect(lastWin.winRateByDecile[9]).toBe(Math.min(1, (w * 10) / n));
    }
  });

  it('a lottery scores about 0.5; a tie between a winner and a non-winner counts half', () => {
    // Winners spread evenly through the click order.
    const users: User[] = Array.from({ length: 1000 }, (_, u) => ({ click: u, bot: false, won: u % 10 === 5 }));
    expect(clickRankFairness(records(users)).clickOrder).toBeCloseTo(0.5, 2);
    const tie = clickRankFairness(
      records([
        { click: 7, bot: false, won: true },
        { click: 7, bot: false, won: false },
      ]),
    );
    expect(tie.clickOrder).toBe(0.5);
  });

  it('ignores bots and users who never clicked; empty and all-winner cases have no click-order figure', () => {
    expect(clickRankFairness(records([]))).toEqual({ winRateByDecile: [], clickOrder: null });
    expect(
      clickRankFairness(
        records([
          { click: Infinity, bot: false, won: false },
          { click: 5, bot: true, won: true },
        ]),
      ),
    ).toEqual({
      winRateByDecile: [],
      clickOrder: null,
    });
    const all = clickRankFairness(
      records([
        { click: 1, bot: false, won: true },
        { click: 2, bot: false, won: true },
      ]),
    );
    expect(all.clickOrder).toBeNull();
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
