import type { ArrivalConfig } from '../scenario/schema.js';
import { inverseNormalCdf } from '../kernel/distributions.js';

/**
 * Inverse CDF of a user's first page load time (µs) from one uniform draw.
 *
 * - ramp/uniform: flat over [from, to];
 * - ramp/linear: density rising linearly to `to`: from + span·√u;
 * - ramp/exponential: density ∝ e^{(t − to)/scale} on [from, to], i.e. the
 *   crowd grows e-fold every `scale` towards `to`. Inverted in the form
 *   to + scale·ln(u + (1 − u)·e^{−span/scale}), which cannot overflow;
 * - burst: normal around `at` with sd `spread`, clamped at 0.
 */
export function arrivalSampler(config: ArrivalConfig): (u: number) => number {
  if (config.kind === 'burst') {
    const { at, spread } = config;
    return (u) => Math.max(0, at + spread * inverseNormalCdf(u));
  }
  const { from, to } = config;
  const span = Math.max(0, to - from);
  switch (config.shape) {
    case 'uniform':
      return (u) => from + span * u;
    case 'linear':
      return (u) => from + span * Math.sqrt(u);
    case 'exponential': {
      const scale = Math.max(1, config.scale);
      const floor = Math.exp(-span / scale);
      return (u) => Math.max(from, to + scale * Math.log(u + (1 - u) * floor));
    }
  }
}
