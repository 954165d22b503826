/** The plain, serialisable form of a {@link TimeSeries}. */
export interface TimeSeriesJSON {
  /** Width of a row's bucket, µs. */
  intervalUs: number;
  /** Column names, in row order. */
  columns: string[];
  /** rows[i] = values of every column in [i·intervalUs, (i+1)·intervalUs). */
  rows: number[][];
}

const KIND_SUM = 0;
const KIND_LEVEL = 1;
const KIND_MAX = 2;

/**
 * Fixed-interval time series of named columns, for charts and
 * `timeseries.csv`. Bucket i covers [i·intervalUs, (i+1)·intervalUs); there
 * are ceil(durationUs / intervalUs) buckets, and a time exactly equal to
 * `durationUs` (the instant a run ends) goes into the last one. Times
 * outside [0, durationUs] are not recorded; they are counted in `dropped`.
 *
 * A column is used in one of three ways, fixed by its first write:
 * - {@link add}: a sum per bucket (counts, bytes); an empty bucket is 0.
 *   Divide by the interval in seconds for a rate.
 * - {@link set}: a level (stock, queue length); the bucket holds the last
 *   value set in it, and an empty bucket carries the previous bucket's value
 *   forward in {@link toJSON} (the level did not change), 0 before the first set.
 * - {@link max}: the largest value observed in the bucket; an empty bucket is 0.
 *
 * Storage is one Float64Array (row-major), allocated up front.
 */
export class TimeSeries {
  /** Bucket width, µs. */
  readonly intervalUs: number;
  /** End of the recorded span [0, durationUs], µs. */
  readonly durationUs: number;
  /** Column names; writes address them by {@link columnIndex}. */
  readonly columns: readonly string[];
  /** Buckets: ceil(durationUs / intervalUs), at least 1. */
  readonly rowCount: number;
  /** Writes ignored because their time was outside [0, durationUs]. */
  dropped = 0;
  private readonly values: Float64Array;
  private readonly written: Uint8Array;
  private readonly kinds: Int8Array;
  private readonly width: number;

  /**
   * @param intervalUs bucket width, µs (> 0).
   * @param durationUs recorded span, µs (finite, ≥ 0).
   * @param columns column names.
   */
  constructor(intervalUs: number, durationUs: number, columns: readonly string[]) {
    if (!(intervalUs > 0)) throw new RangeError(`interval must be positive, got ${intervalUs}`);
    if (!(durationUs >= 0) || !Number.isFinite(durationUs)) throw new RangeError(`bad duration ${durationUs}`);
    this.intervalUs = intervalUs;
    this.durationUs = durationUs;
    this.columns = [...columns];
    this.width = columns.length;
    this.rowCount = Math.max(1, Math.ceil(durationUs / intervalUs));
    this.values = new Float64Array(this.rowCount * this.width);
    this.written = new Uint8Array(this.rowCount * this.width);
    this.kinds = new Int8Array(this.width).fill(-1);
  }

  /** Index of a column by name (throws if absent): resolve once, outside hot loops. */
  columnIndex(name: string): number {
    const i = this.columns.indexOf(name);
    if (i < 0) throw new RangeError(`no column "${name}" in time series (${this.columns.join(', ')})`);
    return i;
  }

  /** Adds `value` to the bucket of `nowUs` in `column`. */
  add(column: number, nowUs: number, value = 1): void {
    const cell = this.cell(column, nowUs, KIND_SUM);
    if (cell >= 0) {
      this.values[cell] += value;
      this.written[cell] = 1;
    }
  }

  /** Sets the level of `column` in the bucket of `nowUs` (the last set in a bucket wins). */
  set(column: number, nowUs: number, value: number): void {
    const cell = this.cell(column, nowUs, KIND_LEVEL);
    if (cell >= 0) {
      this.values[cell] = value;
      this.written[cell] = 1;
    }
  }

  /** Raises the bucket of `nowUs` in `column` to `value` if larger. */
  max(column: number, nowUs: number, value: number): void {
    const cell = this.cell(column, nowUs, KIND_MAX);
    if (cell >= 0) {
      if (this.written[cell] === 0 || value > this.values[cell]) this.values[cell] = value;
      this.written[cell] = 1;
    }
  }

  /** The stored value of one cell (before the carry-forward of levels). */
  get(column: number, row: number): number {
    return this.values[row * this.width + column];
  }

  /** Plain rows, with levels carried forward into buckets where they were not set. */
  toJSON(): TimeSeriesJSON {
    const rows: number[][] = [];
    const w = this.width;
    for (let r = 0; r < this.rowCount; r++) {
      const row = new Array<number>(w);
      for (let c = 0; c < w; c++) {
        const cell = r * w + c;
        if (this.written[cell] === 0 && this.kinds[c] === KIND_LEVEL) row[c] = r > 0 ? rows[r - 1][c] : 0;
        else row[c] = this.values[cell];
      }
      rows.push(row);
    }
    return { intervalUs: this.intervalUs, columns: [...this.columns], rows };
  }

  private cell(column: number, nowUs: number, kind: number): number {
    const kinds = this.kinds;
    if (kinds[column] !== kind) {
      if (!(column >= 0 && column < this.width)) throw new RangeError(`no column ${column}`);
      if (kinds[column] !== -1) {
        throw new Error(`column "${this.columns[column]}" mixes add/set/max writes`);
      }
      kinds[column] = kind;
    }
    if (!(nowUs >= 0 && nowUs <= this.durationUs)) {
      this.dropped++;
      return -1;
    }
    let row = Math.floor(nowUs / this.intervalUs);
    if (row >= this.rowCount) row = this.rowCount - 1;
    return row * this.width + column;
  }
}
