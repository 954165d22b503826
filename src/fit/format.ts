import type { DistributionSpec } from '../kernel/distributions.js';

/** Significant digits of a formatted parameter: the rounding (≤ 0.5%) stays well inside the intervals of a few hundred samples. */
const DIGITS = 3;

/** A plain number to {@link DIGITS} significant digits, without exponent or trailing zeros: 0.38, 1.52, 2340. */
export function formatNumber(x: number, digits = DIGITS): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const rounded = Number(x.toPrecision(digits));
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(rounded))));
  return rounded
    .toFixed(decimals)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

/**
 * A duration in µs as the scenario language writes it, to 3 significant
 * digits in the largest unit that keeps it at least 1: "850us", "14.2ms",
 * "1.25s" (`digits` significant digits; below 1 µs: "0.4us", which parses to 0; such latencies are
 * below what the simulator's µs clock resolves).
 */
export function formatLatency(us: number, digits = DIGITS): string {
  if (!Number.isFinite(us)) return String(us);
  const units: Array<[string, number]> = [
    ['s', 1e6],
    ['ms', 1e3],
  ];
  const rounded = Number(us.toPrecision(digits));
  for (const [unit, scale] of units) if (rounded >= scale) return `${formatNumber(us / scale, digits)}${unit}`;
  return `${formatNumber(us, digits)}us`;
}

/**
 * A distribution as a scenario value, parameters to 3 significant digits:
 * `lognormal(14.2ms, 0.38)`, `gamma(2.5, 6ms)`, `weibull(20ms, 1.5)`,
 * `exp(20ms)`, `normal(100ms, 20ms)`, `uniform(1ms, 3ms)`, `5ms`,
 * `empirical(1ms: 0, 2.5ms: 0.5, 9ms: 1)`. parseDistribution(formatSpec(s),
 * 'duration') gives s back to that precision.
 *
 * @param spec a distribution of durations, parameters in µs.
 */
export function formatSpec(spec: DistributionSpec): string {
  switch (spec.kind) {
    case 'constant':
      return formatLatency(spec.value);
    case 'uniform':
      return `uniform(${formatLatency(spec.min)}, ${formatLatency(spec.max)})`;
    case 'exponential':
      return `exp(${formatLatency(spec.mean)})`;
    case 'normal':
      return `normal(${formatLatency(spec.mean)}, ${formatLatency(spec.sd)})`;
    case 'lognormal':
      return `lognormal(${formatLatency(spec.median)}, ${formatNumber(spec.sigma)})`;
    case 'weibull':
      return `weibull(${formatLatency(spec.scale)}, ${formatNumber(spec.shape)})`;
    case 'gamma':
      return `gamma(${formatNumber(spec.shape)}, ${formatLatency(spec.scale)})`;
    case 'empirical':
      return `empirical(${spec.points.map(([v, p]) => `${formatLatency(v)}: ${formatNumber(p, 4)}`).join(', ')})`;
  }
}
