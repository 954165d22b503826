/**
 * A tiny seeded generator for test workloads (Numerical Recipes' LCG):
 * uniform draws in [0, 1), the same sequence for the same seed.
 */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}
