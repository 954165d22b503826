/**
 * Nelder–Mead's simplex search for the minimum of a function of a few
 * variables: the calibration's loss is a simulation (deterministic for its
 * seed, but piecewise constant at small scales), so it has no derivatives
 * to follow. Bounded in evaluations.
 */

/** Where the search ended. */
export interface Minimum {
  /** The best point found. */
  x: number[];
  /** The function there. */
  value: number;
  /** Evaluations spent. */
  evaluations: number;
}

/**
 * @param f the function (finite or Infinity).
 * @param start the starting point.
 * @param steps the initial simplex's edge along each coordinate.
 * @param maxEvaluations the budget (the search stops there, or when the simplex's values agree to `tolerance`).
 */
export function nelderMead(f: (x: number[]) => number, start: number[], steps: number[], maxEvaluations = 200, tolerance = 1e-6): Minimum {
  const d = start.length;
  let evaluations = 0;
  const value = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: Array<{ x: number[]; v: number }> = [{ x: [...start], v: value(start) }];
  for (let i = 0; i < d; i++) {
    const x = [...start];
    x[i] += steps[i];
    simplex.push({ x, v: value(x) });
  }
  const along = (from: number[], to: number[], t: number): number[] => from.map((a, i) => a + t * (to[i] - a));
  while (evaluations < maxEvaluations) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0];
    const worst = simplex[d];
    if (Math.abs(worst.v - best.v) <= tolerance * (Math.abs(best.v) + tolerance)) break;
    const centroid = Array.from({ length: d }, (_, i) => simplex.slice(0, d).reduce((s, p) => s + p.x[i], 0) / d);
    const reflected = along(centroid, worst.x, -1);
    const vr = value(reflected);
    if (vr < best.v) {
      const expanded = along(centroid, worst.x, -2);
      const ve = value(expanded);
      simplex[d] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < simplex[d - 1].v) {
      simplex[d] = { x: reflected, v: vr };
    } else {
      const contracted = vr < worst.v ? along(centroid, reflected, 0.5) : along(centroid, worst.x, 0.5);
      const vc = value(contracted);
      if (vc < Math.min(vr, worst.v)) {
        simplex[d] = { x: contracted, v: vc };
      } else {
        // Shrink towards the best point.
        for (let k = 1; k <= d; k++) {
          const x = along(best.x, simplex[k].x, 0.5);
          simplex[k] = { x, v: value(x) };
        }
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0].x, value: simplex[0].v, evaluations };
}
