import { lowerBound, upperBound } from '../kernel/sorted.js';
import type { FairnessSummary } from '../results/result.js';

/** What fairness reads of each user (the user model provides it). */
export interface ClickRecords {
  /** Number of users, indexed 0 … count − 1. */
  readonly count: number;
  /** First click time, µs; Infinity if the user never clicked. */
  firstClickAt(user: number): number;
  /** Bots are left out of fairness: they are not the customers it is about. */
  isBot(user: number): boolean;
  /** Whether the user ended with an order. */
  won(user: number): boolean;
}

/**
 * Win rate of human clickers by decile of their first click time, and how
 * strictly clicking early decided who won: the probability that a winner
 * clicked before a non-winner (the Mann–Whitney U over click ranks,
 * normalised; the area under the ROC curve of "clicked early" as a predictor
 * of winning). 1 is first come, first served; 0.5 a lottery; 0 the last
 * clickers win. A click at the same µs as another counts half. Values are
 * rounded to 6 decimals.
 *
 * Why not a rank correlation: with a small stock (1,000 winners in a million
 * clickers) even perfectly first-come-first-served wins give Spearman's ρ
 * of only √(3p(1−p)) ≈ 0.055, which reads as "no relation". This measure
 * does not depend on the share of winners.
 *
 * Only the winners' ranks matter, so instead of sorting every clicker's
 * time (10M users: a second), the winners' times are sorted and each
 * clicker is counted against them by binary search: O(n log w) for n
 * clickers and w winners, one pass over the users.
 */
export function clickRankFairness(users: ClickRecords): FairnessSummary {
  const winners: number[] = [];
  for (let u = 0; u < users.count; u++) {
    if (users.won(u) && !users.isBot(u) && users.firstClickAt(u) !== Infinity) winners.push(users.firstClickAt(u));
  }
  const w = winners.length;
  const winnerTimes = Float64Array.from(winners).sort();
  // below[k]: clickers earlier than winner k but not earlier than winner k − 1
  // (prefix sums give "earlier than winner k"); tied[k]: clickers at exactly
  // the time of winner k, counted at the first winner of that time.
  const below = new Float64Array(w + 1);
  const tied = new Float64Array(w);
  let n = 0;
  for (let u = 0; u < users.count; u++) {
    const t = users.firstClickAt(u);
    if (t === Infinity || users.isBot(u)) continue;
    n++;
    const first = lowerBound(winnerTimes, t);
    const after = first < w && winnerTimes[first] === t ? upperBound(winnerTimes, t) : first;
    below[after]++;
    if (after > first) tied[first]++;
  }
  if (n === 0) return { winRateByDecile: [], clickOrder: null };
  const decileSize = new Float64Array(10);
  for (let k = 0; k < n; k++) decileSize[Math.min(9, Math.floor((k * 10) / n))]++;
  const decileWins = new Float64Array(10);
  let rankSum = 0;
  let earlier = 0;
  let groupTied = 0;
  for (let j = 0; j < w; j++) {
    earlier += below[j];
    if (j === 0 || winnerTimes[j] !== winnerTimes[j - 1]) groupTied = tied[j];
    // Midrank (1-based) of a time that `earlier` clickers precede and `groupTied` share.
    const rank = (earlier + 1 + earlier + groupTied) / 2;
    rankSum += rank;
    decileWins[Math.min(9, Math.floor(((rank - 1) * 10) / n))]++;
  }
  const winRateByDecile = Array.from(decileSize, (size, d) => (size > 0 ? round(decileWins[d] / size) : 0));
  if (w === 0 || w === n) return { winRateByDecile, clickOrder: null };
  // Pairs (winner, non-winner) where the non-winner clicked first: the
  // winners' rank sum less its least possible value, w(w + 1) / 2.
  const overtaken = rankSum - (w * (w + 1)) / 2;
  return { winRateByDecile, clickOrder: round(1 - overtaken / (w * (n - w))) };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
