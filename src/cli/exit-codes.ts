/**
 * `sim`'s exit codes (the contract CI relies on; see README "Exit codes").
 * Several scenarios in one `sim run`: the most serious wins, in the order
 * interrupted or terminated > internal error > bad input > invariant violated > threshold failed > pass.
 */
export const EXIT = {
  /** Every invariant and threshold holds (or the command succeeded). */
  ok: 0,
  /** An invariant was violated in some strategy. */
  invariant: 1,
  /** Bad input or usage: invalid scenario, missing file, unknown option. */
  usage: 2,
  /** A threshold failed (k6's code), or `sim compare --max-regression` found a regression. */
  threshold: 99,
  /** A bug in flashsim. */
  internal: 70,
  /** Ctrl-C (128 + SIGINT): the runs were stopped; a report being written was finished first, and the message says what was written. */
  interrupted: 130,
  /** SIGTERM (128 + 15: Kubernetes, CI runners, `timeout`), handled exactly like Ctrl-C. */
  terminated: 143,
} as const;

/** One of the {@link EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const RANK: Record<number, number> = { 0: 0, 99: 1, 1: 2, 2: 3, 70: 4, 130: 5, 143: 5 };

/** The more serious of two exit codes. */
export function worst(a: number, b: number): number {
  return (RANK[b] ?? 5) > (RANK[a] ?? 5) ? b : a;
}
