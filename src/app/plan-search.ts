/**
 * The search of `sim plan`, over an abstract grid: each dimension is a list
 * of values by index, a candidate is one index per dimension, its cost is
 * known without simulating, and an oracle (which simulates, and caches)
 * says whether it is feasible. The rules and why are in docs/planning.md:
 *
 * 1. For each combination of the non-monotone dimensions (grid order), the
 *    candidate with every monotone dimension at its largest value; if it is
 *    infeasible, so is every candidate of that combination.
 * 2. Bisection per monotone dimension, the others at their largest: the
 *    smallest feasible index is a lower bound for every feasible candidate.
 * 3. Coordinate descent from the top: each dimension in turn bisected down
 *    to its smallest feasible value with the others fixed, until none moves.
 * 4. Boundary walks for each ordered pair (i, j): one step down in i, then
 *    the smallest j that is feasible again (bisected), along the whole
 *    boundary; a cheaper point found restarts 3 and 4. A step whose
 *    cheapest possible point (j not raised) already costs the best's is
 *    passed without simulating. In two dimensions this covers the whole
 *    feasible boundary, so the optimum is found.
 * 5. A last look at every ±1 step neighbour cheaper than the best.
 *
 * A candidate at or below (in every monotone dimension, the same in the
 * others) a known infeasible one is infeasible without simulating it.
 */

/** The grid the search moves on. */
export interface SearchSpace {
  /** Number of values of each dimension. */
  sizes: readonly number[];
  /** Whether each dimension is monotone (more never hurts). */
  monotone: readonly boolean[];
  /** The cost of a candidate (per hour); the search minimises it. */
  cost(index: readonly number[]): number;
}

/** Says whether a candidate is feasible, simulating it if need be. */
export type Oracle = (index: readonly number[]) => Promise<boolean>;

/** What the search found. */
export interface SearchOutcome {
  /** The cheapest feasible candidate found (ties: first in grid order), or null. */
  best: number[] | null;
  /** Candidates judged infeasible by monotonicity, without a simulation. */
  inferred: number;
  /** The tops (every monotone dimension at its largest) of each non-monotone combination, as evaluated. */
  tops: number[][];
}

/** Grid order: the first dimension varies slowest. */
export function gridCompare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Every candidate of the grid, in grid order. */
export function* gridPoints(sizes: readonly number[]): Generator<number[]> {
  const index = sizes.map(() => 0);
  if (sizes.some((n) => n === 0)) return;
  for (;;) {
    yield [...index];
    let d = sizes.length - 1;
    while (d >= 0 && ++index[d] === sizes[d]) index[d--] = 0;
    if (d < 0) return;
  }
}

/** Evaluates every candidate: the reference the search is tested against. */
export async function exhaustiveSearch(space: SearchSpace, oracle: Oracle): Promise<SearchOutcome> {
  let best: number[] | null = null;
  for (const point of gridPoints(space.sizes)) {
    if ((await oracle(point)) && (best === null || space.cost(point) < space.cost(best))) best = point;
  }
  return { best, inferred: 0, tops: [] };
}

/** Runs the search (module comment). */
export async function boundarySearch(space: SearchSpace, oracle: Oracle): Promise<SearchOutcome> {
  const dims = space.sizes.length;
  const mono = [...Array(dims).keys()].filter((d) => space.monotone[d]);
  const free = [...Array(dims).keys()].filter((d) => !space.monotone[d]);
  const infeasible: number[][] = [];
  const known = new Map<string, boolean>();
  let inferred = 0;

  const below = (p: readonly number[], q: readonly number[]): boolean =>
    free.every((d) => p[d] === q[d]) && mono.every((d) => p[d] <= q[d]);
  const feasibleSeen: number[][] = [];
  /** Whether `p` is at or above a candidate simulated feasible (it is then feasible too; used only to decide whether to walk on). */
  const feasibleAbove = (p: readonly number[]): boolean => feasibleSeen.some((q) => below(q, p));
  const feasible = async (p: readonly number[]): Promise<boolean> => {
    const key = p.join(',');
    const seen = known.get(key);
    if (seen !== undefined) return seen;
    if (infeasible.some((q) => below(p, q))) {
      inferred++;
      known.set(key, false);
      return false;
    }
    const ok = await oracle(p);
    known.set(key, ok);
    if (!ok) infeasible.push([...p]);
    else feasibleSeen.push([...p]);
    return ok;
  };
  /** The smallest index of `d` in [lo, hi] keeping `p` feasible, given `p` with d = hi is feasible. */
  const lowest = async (p: readonly number[], d: number, lo: number, hi: number): Promise<number> => {
    let bad = lo - 1;
    let good = hi;
    while (good - bad > 1) {
      const mid = Math.floor((bad + good) / 2);
      const q = [...p];
      q[d] = mid;
      if (await feasible(q)) good = mid;
      else bad = mid;
    }
    return good;
  };
  const better = (a: readonly number[], b: readonly number[] | null): boolean => {
    if (b === null) return true;
    const ca = space.cost(a);
    const cb = space.cost(b);
    return ca < cb || (ca === cb && gridCompare(a, b) < 0);
  };

  let best: number[] | null = null;
  const tops: number[][] = [];
  const combos = free.length === 0 ? [[]] : [...gridPoints(free.map((d) => space.sizes[d]))];
  for (const combo of combos) {
    const top = space.sizes.map((n) => n - 1);
    free.forEach((d, k) => (top[d] = combo[k]));
    tops.push(top);
    if (!(await feasible(top))) continue;
    if (better(top, best)) best = [...top];

    // 2. Lower bounds: any feasible candidate of this combination is at least this high in each dimension.
    const floor = space.sizes.map(() => 0);
    for (const d of mono) floor[d] = await lowest(top, d, 0, top[d]);

    // 3 and 4, until nothing cheaper turns up.
    let current = [...top];
    for (let round = 0; round < 1_000; round++) {
      current = await descend(current, floor);
      if (better(current, best)) best = [...current];
      let moved = false;
      for (const i of mono) {
        for (const j of mono) {
          if (i === j) continue;
          const walked = await walk(current, i, j, floor);
          if (walked && better(walked, best) && space.cost(walked) < space.cost(current)) {
            best = [...walked];
            current = walked;
            moved = true;
          }
        }
      }
      // 5. The ±1 neighbourhood of the best, cheaper points only (cost is known without simulating).
      if (!moved && best !== null && free.every((d, k) => best![d] === combo[k])) {
        const next = await neighbourhood(best, floor);
        if (next) {
          best = next;
          current = next;
          moved = true;
        }
      }
      if (!moved) break;
    }
  }
  return { best, inferred, tops };

  async function descend(start: readonly number[], floor: readonly number[]): Promise<number[]> {
    const p = [...start];
    for (let changed = true; changed;) {
      changed = false;
      // The most expensive step first: it saves the most.
      const order = [...mono].sort((a, b) => stepSaving(p, b) - stepSaving(p, a) || a - b);
      for (const d of order) {
        const low = await lowest(p, d, floor[d], p[d]);
        if (low < p[d]) {
          p[d] = low;
          changed = true;
        }
      }
    }
    return p;
  }

  function stepSaving(p: readonly number[], d: number): number {
    if (p[d] === 0) return 0;
    const q = [...p];
    q[d]--;
    return space.cost(p) - space.cost(q);
  }

  /** Walks the boundary from `start`: i down one step at a time, j up to feasibility; the cheapest point passed. */
  async function walk(start: readonly number[], i: number, j: number, floor: readonly number[]): Promise<number[] | null> {
    let p = [...start];
    let cheapest: number[] | null = null;
    while (p[i] > floor[i]) {
      const q = [...p];
      q[i]--;
      // j only goes up from here: when even this costs the best's, no point of this step beats it, and
      // p[j] stays a valid lower bound for the next step.
      if (best !== null && space.cost(q) >= space.cost(best)) {
        p = q;
        continue;
      }
      const high = [...q];
      high[j] = space.sizes[j] - 1;
      if (!(feasibleAbove(high) || (await feasible(high)))) break;
      q[j] = await lowest(q, j, p[j], space.sizes[j] - 1);
      const shrunk = await descend(q, floor);
      if (better(shrunk, cheapest)) cheapest = shrunk;
      // Go on from the shrunk point: the steps it skipped in i are dearer and no more feasible.
      p = shrunk[j] >= p[j] ? shrunk : q;
    }
    return cheapest;
  }

  async function neighbourhood(centre: readonly number[], floor: readonly number[]): Promise<number[] | null> {
    if (mono.length > 6) return null;
    const moves: number[][] = [];
    for (const delta of gridPoints(mono.map(() => 3))) {
      const p = [...centre];
      let inside = true;
      mono.forEach((d, k) => {
        p[d] += delta[k] - 1;
        if (p[d] < floor[d] || p[d] >= space.sizes[d]) inside = false;
      });
      if (inside && space.cost(p) < space.cost(centre)) moves.push(p);
    }
    moves.sort((a, b) => space.cost(a) - space.cost(b) || gridCompare(a, b));
    for (const p of moves) if (await feasible(p)) return descend(p, floor);
    return null;
  }
}
