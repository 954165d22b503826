import type { TimeSeriesData } from '../results/result.js';
import type { Simulation } from '../kernel/simulation.js';
import type { MeasuredModel } from './measured-model.js';
import { SERIES_COLUMNS, TIMESERIES_COLUMNS } from './series-columns.js';

/** The parts of a wired model that the series samples (read when a tick runs, so they may be set after construction). */
export interface SampledModel extends MeasuredModel {
  readonly sim: Simulation;
}

/**
 * Samples every column of {@link SERIES_COLUMNS} at every interval boundary,
 * each as its entry says (a count per interval, a mean busy fraction or a
 * level): one event per interval, nothing on the hot path.
 */
export class SeriesRecorder {
  private readonly rows: number[][] = [];
  private readonly previous: Float64Array;
  private readonly current: Float64Array;

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

  private sample(): void {
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
