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

/**
 * Blocking probability of GI/M/c/c (Takács): B = 1 / Σ_{j=0..c} C(c, j) / Π_{i=1..j} (φ(iμ) / (1 − φ(iμ))),
 * where φ is the Laplace–Stieltjes transform of the inter-arrival time.
 * @param phi the inter-arrival LST, s in 1/s.
 */
export function giMccBlocking(c: number, mu: number, phi: (s: number) => number): number {
  let sum = 1;
  let product = 1;
  let binomial = 1;
  for (let j = 1; j <= c; j++) {
    const p = phi(j * mu);
    product *= p / (1 - p);
    binomial = (binomial * (c - j + 1)) / j;
    sum += binomial / product;
  }
  return 1 / sum;
}

/** LST of the Erlang-k inter-arrival time of mean k/λ (every k-th arrival of a Poisson stream of rate λ): (λ/(λ+s))^k. */
export function erlangArrivalLst(k: number, lambda: number): (s: number) => number {
  return (s) => (lambda / (lambda + s)) ** k;
}

/**
 * M/M/c+D (FIFO, every waiting customer leaves after a deterministic patience D):
 * the abandonment probability. A customer is served iff the offered wait V it sees
 * is at most D; V has atoms π_k = π_0 a^k/k! (k < c busy) and, above 0, the density
 * λπ_{c−1}e^{(λ−cμ)x} up to D and λπ_{c−1}e^{λD−cμx} beyond (the M/M/c+G result
 * with patience survival 1 before D, 0 after). P(abandon) = P(V > D) = π_{c−1}ρe^{−(cμ−λ)D}.
 * D = 0 gives Erlang B, D → ∞ (λ < cμ) Erlang C's M/M/c.
 */
export function mmcdAbandonment(c: number, lambda: number, mu: number, d: number): number {
  const a = lambda / mu;
  const rho = a / c;
  const gap = c * mu - lambda;
  let term = 1;
  let atoms = 1; // Σ_{k<c} a^k/k!, over π_0
  for (let k = 1; k < c; k++) {
    term = (term * a) / k;
    atoms += term;
  }
  const last = term; // a^{c−1}/(c−1)!
  const decay = Math.exp(-gap * d);
  const below = gap === 0 ? lambda * d : (lambda * (1 - decay)) / gap;
  const pi0 = 1 / (atoms + last * (below + rho * decay));
  return pi0 * last * rho * decay;
}
