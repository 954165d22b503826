import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** Highest value tracked: one hour in µs. Larger values are clamped to it. */
export const HISTOGRAM_MAX_US = 3_600_000_000;
const SIGNIFICANT_DIGITS = 3;
const FORMAT = 'hdr1';

/*
 * The record path. hdr-histogram-js finds a value's slot with Math.log2,
 * Math.pow and Math.floor, ~15% of a storm's run time. Values below 2^31 µs
 * (35 minutes) are counted instead in a local array laid out as HDR's counts
 * for 3 significant digits, the slot found by Math.clz32, and moved into the
 * HDR histogram by {@link LatencyHistogram.flush} before anything reads it:
 * the same counts as recording each value there.
 *
 * For 3 significant digits HDR uses 2048 sub-buckets (half: 1024 = 2^10)
 * and unit magnitude 0 (lowest discernible value 1 µs).
 */
const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF - 1;
/** 31 − 10: `FAST_BUCKET_BASE − clz32(v | mask)` is HDR's bucket index of v. */
const FAST_BUCKET_BASE = 32 - SUB_BUCKET_HALF_MAGNITUDE - 1;
/** Values below this are counted locally. */
const FAST_LIMIT = 2 ** 31;
/** Slots needed for values below 2^31: HDR's counts index of 2^31 − 1 (bucket 20, top sub-bucket), plus one. */
const FAST_SLOTS = (FAST_BUCKET_BASE << SUB_BUCKET_HALF_MAGNITUDE) + SUB_BUCKET_HALF;

/** HDR's counts-array index of an integer value in [0, 2^31). */
function fastIndex(v: number): number {
  const bucket = FAST_BUCKET_BASE - Math.clz32(v | SUB_BUCKET_MASK);
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (v >>> bucket) - SUB_BUCKET_HALF;
}

/** The smallest value whose HDR counts index is `index` (inverse of {@link fastIndex}). */
function fastValue(index: number): number {
  const bucket = (index >>> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  if (bucket < 0) return index;
  return ((index & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF) * 2 ** bucket;
}

function newHistogram(): Histogram {
  return build({
    useWebAssembly: false,
    bitBucketSize: 64,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HISTOGRAM_MAX_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
  });
}

/**
 * Latency distribution in µs: an HdrHistogram (JS implementation, 64-bit
 * float counts, 1 µs to 1 hour, 3 significant digits, so any percentile is
 * within 0.1% of a recorded value).
 *
 * Alongside the HDR counts it keeps the exact sum, minimum and maximum, so
 * `mean`, `min` and `max` are exact (values are rounded to whole µs on
 * recording; sums of integers stay exact in float64 below 2^53 µs in total),
 * and percentiles are clamped into [min, max] (HDR reports the top of a
 * bucket, which can exceed the largest recorded value by up to 0.1%).
 * These extra fields travel in {@link encode}, so merging decoded histograms
 * gives the same numbers as merging the originals, in any order.
 *
 * Values above one hour are recorded as one hour and counted in `clamped`;
 * negative or NaN values are a programming error and throw.
 * On an empty histogram `mean`, `min`, `max` and percentiles are NaN.
 */
export class LatencyHistogram {
  /** Number of recorded values that were above the range and recorded as {@link HISTOGRAM_MAX_US}. */
  clamped = 0;
  private hdr: Histogram;
  /** Counts not yet moved into `hdr`, by HDR counts index (allocated on first record). */
  private pending: Float64Array | null = null;
  private pendingCount = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private n = 0;
  /** Per-interval counts also fed by {@link record}, or null (see {@link IntervalLatency}). */
  private tap: IntervalLatency | null = null;

  /** An empty histogram. */
  constructor() {
    this.hdr = newHistogram();
  }

  /** Records one latency in µs. */
  record(us: number): void {
    if (!(us >= 0)) throw new RangeError(`latency must be a non-negative number of µs, got ${us}`);
    let v = Math.round(us);
    if (v > HISTOGRAM_MAX_US) {
      v = HISTOGRAM_MAX_US;
      this.clamped++;
    }
    if (v < FAST_LIMIT) {
      const pending = this.pending ?? this.allocatePending();
      const index = fastIndex(v);
      pending[index]++;
      this.pendingCount++;
      if (this.tap !== null) this.tap.countIndex(index);
    } else {
      this.hdr.recordValue(v);
      if (this.tap !== null) this.tap.countIndex(FAST_SLOTS - 1);
    }
    this.n++;
    this.sum += v;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  /**
   * From now on every recorded value is also counted in `interval`, until
   * another tap (or null) replaces it: what the series recorder reads and
   * clears at each interval boundary.
   */
  tapInto(interval: IntervalLatency | null): void {
    this.tap = interval;
  }

  private allocatePending(): Float64Array {
    this.pending = new Float64Array(FAST_SLOTS);
    return this.pending;
  }

  /** Moves the locally counted values into the HDR histogram (before it is read). */
  private flush(): Histogram {
    const pending = this.pending;
    if (pending !== null && this.pendingCount > 0) {
      for (let i = 0; i < FAST_SLOTS; i++) {
        const c = pending[i];
        if (c !== 0) {
          this.hdr.recordValueWithCount(fastValue(i), c);
          pending[i] = 0;
        }
      }
      this.pendingCount = 0;
    }
    return this.hdr;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.n;
  }

  /** Exact mean of the recorded (rounded, clamped) values; NaN when empty. */
  get mean(): number {
    return this.n === 0 ? NaN : this.sum / this.n;
  }

  /** Exact smallest recorded value; NaN when empty. */
  get min(): number {
    return this.n === 0 ? NaN : this.lo;
  }

  /** Exact largest recorded value; NaN when empty. */
  get max(): number {
    return this.n === 0 ? NaN : this.hi;
  }

  /** Sum of the recorded values, µs. */
  get total(): number {
    return this.sum;
  }

  /**
   * The value at percentile `p` in [0, 100] (HDR semantics: the smallest
   * bucket top with at least p% of the values at or below it), clamped into
   * [min, max]; NaN when empty.
   */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
    if (this.n === 0) return NaN;
    const v = this.flush().getValueAtPercentile(p);
    return v < this.lo ? this.lo : v > this.hi ? this.hi : v;
  }

  /** Adds every value of `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    if (other.n === 0) return;
    this.flush().add(other.flush());
    this.n += other.n;
    this.sum += other.sum;
    this.clamped += other.clamped;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  /**
   * A compact string, safe to post between worker threads:
   * `hdr1;<count>;<sum>;<min>;<max>;<clamped>;<HdrHistogram compressed base64>`.
   * The last field alone is a standard HdrHistogram V2 compressed histogram.
   */
  encode(): string {
    const payload = encodeIntoCompressedBase64(this.flush());
    return `${FORMAT};${this.n};${this.sum};${this.n === 0 ? 0 : this.lo};${this.n === 0 ? 0 : this.hi};${this.clamped};${payload}`;
  }

  /** The histogram that {@link encode} produced `s` from. */
  static decode(s: string): LatencyHistogram {
    const parts = s.split(';');
    if (parts.length !== 7 || parts[0] !== FORMAT) throw new Error(`not an encoded LatencyHistogram: ${s.slice(0, 40)}`);
    const h = new LatencyHistogram();
    const n = Number(parts[1]);
    if (n > 0) {
      const decoded = decodeFromCompressedBase64(parts[6], 64, false);
      h.hdr.add(decoded);
      h.n = n;
      h.sum = Number(parts[2]);
      h.lo = Number(parts[3]);
      h.hi = Number(parts[4]);
    }
    h.clamped = Number(parts[5]);
    return h;
  }

  /** Forgets every value (e.g. at the warm-up cut). */
  reset(): void {
    this.hdr.reset();
    this.pending?.fill(0);
    this.pendingCount = 0;
    this.n = 0;
    this.sum = 0;
    this.lo = Infinity;
    this.hi = -Infinity;
    this.clamped = 0;
  }
}

/** A group of {@link TAP_GROUP} consecutive HDR slots is one bucket of {@link IntervalLatency}. */
const TAP_SHIFT = 4;
const TAP_GROUP = 1 << TAP_SHIFT;
const TAP_SLOTS = Math.ceil(FAST_SLOTS / TAP_GROUP);

/**
 * A coarse latency histogram for one time-series interval: HDR's slots in
 * groups of 16 (1,344 buckets of at most 1.6% of their value, or 16 µs
 * below 2 ms), fed by a {@link LatencyHistogram} it taps
 * ({@link LatencyHistogram.tapInto}) and cleared at every interval
 * boundary. Coarse, so that reading and clearing it per interval costs
 * little; percentiles report a bucket's top (as HDR does), so they may
 * exceed the largest sample by up to a bucket's width. Values of 2^31 µs
 * and more count in the top bucket.
 */
export class IntervalLatency {
  private readonly counts = new Float64Array(TAP_SLOTS);
  private n = 0;
  private lowest = TAP_SLOTS;
  private highest = -1;

  /** Counts one value by its HDR slot (called by the tapped histogram). */
  countIndex(hdrIndex: number): void {
    const b = hdrIndex >>> TAP_SHIFT;
    this.counts[b]++;
    this.n++;
    if (b < this.lowest) this.lowest = b;
    if (b > this.highest) this.highest = b;
  }

  /** Values counted since the last {@link clear}. */
  get count(): number {
    return this.n;
  }

  /**
   * The values at percentiles `ps` (each in [0, 100], ascending), µs: the
   * top of the smallest bucket holding at least p% of the values; NaN each
   * when empty.
   */
  percentiles(ps: readonly number[]): number[] {
    const out = ps.map(() => NaN);
    if (this.n === 0) return out;
    let k = 0;
    let seen = 0;
    for (let b = this.lowest; b <= this.highest && k < ps.length; b++) {
      seen += this.counts[b];
      while (k < ps.length && seen >= Math.max(1, Math.ceil((ps[k] / 100) * this.n))) out[k++] = bucketTop(b);
    }
    for (; k < ps.length; k++) out[k] = bucketTop(this.highest);
    return out;
  }

  /** Forgets every value (the next interval starts). */
  clear(): void {
    if (this.n === 0) return;
    this.counts.fill(0, this.lowest, this.highest + 1);
    this.n = 0;
    this.lowest = TAP_SLOTS;
    this.highest = -1;
  }
}

/** The largest value of a bucket of {@link IntervalLatency}, µs. */
function bucketTop(bucket: number): number {
  const next = (bucket + 1) << TAP_SHIFT;
  return next >= FAST_SLOTS ? HISTOGRAM_MAX_US : fastValue(next) - 1;
}
