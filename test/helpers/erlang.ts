/**
 * Queueing-theory formulas the kernel is checked against.
 * Notation: λ arrival rate, μ service rate per server, c servers,
 * a = λ/μ offered load (Erlangs), ρ = a/c utilisation.
 */

/** Erlang B: blocking probability of M/M/c/c, by the stable recursion B(0)=1, B(k)=aB(k−1)/(k+aB(k−1)). */
export function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C: probability that an arrival waits in M/M/c (requires a < c): C = B / (1 − ρ(1 − B)). */
export function erlangC(c: number, a: number): number {
  if (!(a < c)) return 1;
  const b = erlangB(c, a);
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

/** Mean wait in queue of M/M/c: Wq = C(c, a) / (cμ − λ). For c = 1 this is ρ/(μ − λ). */
export function mmcWaitInQueue(c: number, lambda: number, mu: number): number {
  return erlangC(c, lambda / mu) / (c * mu - lambda);
}
