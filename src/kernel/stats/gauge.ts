/**
 * A level that changes at event times (servers busy, queue length, stock),
 * integrated over virtual time so its time-average can be reported.
 *
 * Utilisation of a resource with `capacity` units is `mean(now) / capacity`
 * when the gauge holds the number of busy units.
 *
 * Times are integer µs from the {@link Simulation} clock and must not go
 * backwards; each update adds `level × elapsed` to the area, so nothing is
 * allocated and every call is O(1).
 */
export class TimeWeightedGauge {
  /** Current level. */
  level = 0;
  /** Highest level since construction or the last {@link resetAt}. */
  max = 0;
  /** Start of the averaging window (construction or the warm-up cut), µs. */
  startUs: number;
  private lastUs: number;
  private area = 0;

  /** @param startUs time (µs) from which the average is taken; the level starts at 0. */
  constructor(startUs = 0) {
    this.startUs = startUs;
    this.lastUs = startUs;
  }

  /** Sets the level at time `nowUs`. */
  set(nowUs: number, level: number): void {
    this.area += this.level * (nowUs - this.lastUs);
    this.lastUs = nowUs;
    this.level = level;
    if (level > this.max) this.max = level;
  }

  /** Adds `delta` (may be negative) to the level at time `nowUs`. */
  add(nowUs: number, delta: number): void {
    this.set(nowUs, this.level + delta);
  }

  /**
   * Time-average of the level over [start or last cut, nowUs]. When no time
   * has passed in the window, the current level.
   */
  mean(nowUs: number): number {
    const span = nowUs - this.startUs;
    if (span <= 0) return this.level;
    return (this.area + this.level * (nowUs - this.lastUs)) / span;
  }

  /** Integral of the level (level·µs) over [start or last cut, nowUs]. */
  integral(nowUs: number): number {
    return this.area + this.level * (nowUs - this.lastUs);
  }

  /**
   * The warm-up cut: forgets the area so far and restarts the average (and
   * `max`, which restarts at the current level) at `nowUs`.
   */
  resetAt(nowUs: number): void {
    this.area = 0;
    this.lastUs = nowUs;
    this.startUs = nowUs;
    this.max = this.level;
  }
}
