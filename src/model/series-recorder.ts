import type { LatencyOverTime, TimeSeriesData } from '../results/result.js';
import type { Simulation } from '../kernel/simulation.js';
import { IntervalLatency, type LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import type { MeasuredModel } from './measured-model.js';
import { SERIES_COLUMNS, TIMESERIES_COLUMNS } from './series-columns.js';

/** The parts of a wired model that the series samples (read when a tick runs, so they may be set after construction). */
export interface SampledModel extends MeasuredModel {
  readonly sim: Simulation;
}

/** The latencies whose percentiles are kept per interval ({@link LatencyOverTime}). */
export const LATENCY_OVER_TIME = ['order', 'page'] as const;

/** One of {@link LATENCY_OVER_TIME}. */
export type LatencyOverTimeName = (typeof LATENCY_OVER_TIME)[number];

/** The percentiles kept per interval, and the columns of a {@link LatencyOverTime} row. */
const PERCENTILES = [50, 90, 99] as const;
const LATENCY_COLUMNS = ['interval', 'count', 'p50', 'p90', 'p99'];

/**
 * Samples every column of {@link SERIES_COLUMNS} at every interval boundary,
 * each as its entry says (a count per interval, a mean busy fraction or a
 * level): one event per interval, nothing on the hot path.
 */
export class SeriesRecorder {
  private readonly rows: number[][] = [];
  private readonly previous: Float64Array;
  private readonly current: Float64Array;
  /** Per watched latency: its interval counts and the rows so far. */
  private readonly latencies = new Map<LatencyOverTimeName, { interval: IntervalLatency; rows: number[][] }>();

  /**
   * Schedules every tick; construct it before the other components (see below).
   * @param intervalUs row width, µs.
   * @param durationUs end of the last row, µs (a shorter last row if not a multiple).
   */
  constructor(
    private readonly model: SampledModel,
    private readonly intervalUs: number,
    durationUs: number,
  ) {
    this.previous = new Float64Array(TIMESERIES_COLUMNS.length);
    this.current = new Float64Array(TIMESERIES_COLUMNS.length);
    // Every tick is scheduled now, before any other event exists, so that a
    // tick at k·interval runs before every other event at that same time
    // (FIFO ties): an event at exactly k·interval counts in row k, as
    // [k·interval, (k+1)·interval) says.
    const tick = model.sim.register('series.tick', () => this.sample());
    const rows = Math.ceil(durationUs / intervalUs);
    for (let k = 1; k <= rows; k++) model.sim.scheduleAt(Math.min(k * intervalUs, durationUs), tick);
  }

  /** The series so far (complete once the run has passed `duration`). */
  toJSON(): TimeSeriesData {
    return { intervalUs: this.intervalUs, columns: [...TIMESERIES_COLUMNS], rows: this.rows };
  }

  /**
   * Keeps `histogram`'s p50/p90/p99 per interval from now on (call it
   * before the first tick; the histogram then counts each sample in a
   * coarse interval histogram too, which this clears at every tick).
   */
  watchLatency(name: LatencyOverTimeName, histogram: LatencyHistogram): void {
    const interval = new IntervalLatency();
    histogram.tapInto(interval);
    this.latencies.set(name, { interval, rows: [] });
  }

  /** The watched latencies' percentiles per interval so far, in {@link LATENCY_OVER_TIME} order. */
  latencyOverTime(): LatencyOverTime {
    const out: LatencyOverTime = { intervalUs: this.intervalUs, columns: [...LATENCY_COLUMNS] };
    for (const name of LATENCY_OVER_TIME) {
      const watched = this.latencies.get(name);
      if (watched) out[name] = watched.rows;
    }
    return out;
  }

  private sample(): void {
    // Only intervals with samples get a row: summary.json grows with the intervals that had traffic, never with the samples.
    for (const watched of this.latencies.values()) {
      const interval = watched.interval;
      if (interval.count === 0) continue;
      watched.rows.push([this.rows.length, interval.count, ...interval.percentiles(PERCENTILES)]);
      interval.clear();
    }
    const model = this.model;
    const now = model.sim.now;
    model.mainSite.syncTo(now);
    const c = this.current;
    const row = new Array<number>(c.length);
    const span = Math.min(this.intervalUs, now - this.rows.length * this.intervalUs);
    for (let j = 0; j < c.length; j++) {
      const column = SERIES_COLUMNS[j];
      const value = column.read(model, now);
      if (column.sampling === 'level') {
        row[j] = value;
        continue;
      }
      c[j] = value;
      const delta = value - this.previous[j];
      row[j] = column.sampling === 'busy' ? round(delta / span) : delta;
    }
    this.previous.set(c);
    this.rows.push(row);
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
