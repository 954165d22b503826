import type { LevelMeasurement } from './experiment.js';
import { steadyFigures, type LevelFigures } from './steady.js';

/**
 * A concurrency level measured in several rounds. The rounds of all
 * levels are interleaved (round 1 of every level, then round 2, …), so a
 * burst of other load on the machine spoils one round of several levels
 * rather than every round of one level, and the median over rounds does
 * not see it.
 */
export interface MeasuredLevel {
  /** Closed-loop clients. */
  concurrency: number;
  /** Its rounds, in order (each on a freshly reset stock). */
  rounds: LevelMeasurement[];
}

/** The median of `xs` (0 when empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The steady-window figures of one round. */
export function roundFigures(round: LevelMeasurement): LevelFigures {
  return steadyFigures(
    round.takes.map((t) => t.startUs),
    round.takes.map((t) => t.endUs),
  );
}

/** Each figure's median over the rounds (`count`: their sum). */
export function medianFigures(figures: readonly LevelFigures[]): LevelFigures {
  return {
    throughput: median(figures.map((f) => f.throughput)),
    p50: median(figures.map((f) => f.p50)),
    p99: median(figures.map((f) => f.p99)),
    mean: median(figures.map((f) => f.mean)),
    count: figures.reduce((s, f) => s + f.count, 0),
  };
}

/** A level's figures: the median over its rounds. */
export function levelFigures(level: MeasuredLevel): LevelFigures {
  return medianFigures(level.rounds.map(roundFigures));
}

/** The client's CPU per take, µs: the median over the rounds, like the other figures. */
export function clientCpuPerTake(level: MeasuredLevel): number {
  return median(level.rounds.map((r) => (r.takes.length > 0 ? r.clientCpuUs / r.takes.length : 0)));
}

/**
 * The client thread's time per take in the steady window, µs: its CPU
 * and its wait for a core (the window the throughput is taken over; the
 * ramp and the drain, with few replies per wake-up, cost more per take).
 * A thread that waits for a core serves no reply meanwhile, so on a busy
 * machine the wait is part of what each visit costs. The median over the
 * rounds; a round without the window's figures counts with the whole
 * round's.
 */
export function steadyClientTimePerTake(level: MeasuredLevel): number {
  return median(
    level.rounds.map((r) =>
      r.steadyClientCpu && r.steadyClientCpu.takes > 0
        ? (r.steadyClientCpu.cpuUs + (r.steadyClientCpu.waitUs ?? 0)) / r.steadyClientCpu.takes
        : r.takes.length > 0
          ? (r.clientCpuUs + r.clientWaitUs) / r.takes.length
          : 0,
    ),
  );
}

/** How far the rounds' throughputs differ: (highest − lowest) / median; 0 with one round. */
export function throughputSpread(level: MeasuredLevel): number {
  const xs = level.rounds.map((r) => roundFigures(r).throughput);
  const m = median(xs);
  return m > 0 ? (Math.max(...xs) - Math.min(...xs)) / m : 0;
}

/** Every take latency of the level (all rounds), µs. */
export function latencies(level: MeasuredLevel): number[] {
  return level.rounds.flatMap((r) => r.takes.map((t) => t.endUs - t.startUs));
}

/** Time the client's main thread waited for a core, per take, µs: the median over the rounds (0 where not measured). */
export function clientWaitPerTake(level: MeasuredLevel): number {
  return median(level.rounds.map((r) => (r.takes.length > 0 ? r.clientWaitUs / r.takes.length : 0)));
}

/** Mean tries per take over all rounds (1 for a primitive that does not retry). */
export function meanAttempts(level: MeasuredLevel): number {
  const takes = level.rounds.flatMap((r) => r.takes);
  return takes.length > 0 ? takes.reduce((s, t) => s + t.attempts, 0) / takes.length : 1;
}
