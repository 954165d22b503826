/**
 * What a benchmark section is, and the timing helpers sections share.
 *
 * A section is one benchmark in its own file under bench/ (bench/kernel.ts,
 * ...), listed in bench/main.ts. `npm run bench` runs every section in one
 * process; `--only <name>` selects some. A section returns its figures as
 * top-level keys of the `--json` document plus the lines it prints.
 */

/** Options from the command line, shared by every section. */
export interface BenchOptions {
  /** Timed rounds per measurement (the median is reported). */
  rounds: number;
  /** Scale for the amount of work per round (1 = default; <1 for smoke runs). */
  scale: number;
  /** Progress messages (to stderr) go through this. */
  log: (message: string) => void;
}

export interface SectionResult {
  /** Merged into the top level of the `--json` output. */
  json: Record<string, unknown>;
  /** Human-readable lines for the default output. */
  lines: string[];
}

export interface BenchSection {
  /** Name for `--only`. */
  name: string;
  /** One line on what it measures. */
  description: string;
  run(options: BenchOptions): SectionResult | Promise<SectionResult>;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Wall-clock seconds taken by `work`. */
export function seconds(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A rate in a compact human form: 5.21M, 830k. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

/**
 * A tiny deterministic generator (xorshift32) for benchmark workloads, so
 * every contender draws the same numbers at the same cost. Not for models:
 * those use the kernel's random streams.
 */
export class BenchRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** An integer uniform in [0, bound), bound ≤ 2^32. */
  below(bound: number): number {
    return Math.floor(this.unit() * bound);
  }

  /** A uniform draw in [0, 1), a multiple of 2^-32 (as Python's random() is of 2^-53). */
  unit(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }
}
