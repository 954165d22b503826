import { TIMESERIES_COLUMNS, type TimeSeriesData } from '../results/result.js';
import { OriginKind } from '../system/origin.js';
import { CdnObject } from '../system/cdn.js';
import type { ResolvedConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { Cdn } from '../system/cdn.js';
import type { OriginPool } from '../system/origin.js';
import type { MainSite } from '../system/main-site.js';
import type { OrderFlow } from '../system/order-flow.js';
import type { Users } from '../workload/users.js';

/** The parts of a wired model that the series samples (read when a tick runs, so they may be set after construction). */
export interface SampledModel {
  readonly config: ResolvedConfig;
  readonly sim: Simulation;
  readonly users: Users;
  readonly cdn: Cdn | null;
  readonly origin: OriginPool;
  readonly flow: OrderFlow;
  readonly mainSite: MainSite;
}

/**
 * Samples the model's cumulative counters at every interval boundary and
 * keeps the per-interval differences: one event per interval, nothing on
 * the hot path. Counts are per interval (divide by the interval for a rate);
 * `origin_busy`, `link_busy` and `stock_busy` (serial stock primitives
 * only, else 0) are the interval's mean busy fraction; `stock` is the level
 * the store shows at the end of the interval (operations finished by then:
 * a serial store's backlog has not taken its units yet).
 */
export class SeriesRecorder {
  private readonly rows: number[][] = [];
  private readonly previous: Float64Array;
  private readonly current: Float64Array;
  private readonly originSlots: number;

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
    const origin = model.config.system.origin;
    this.originSlots = origin.servers * origin.concurrency;
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
    const { sim, users, cdn, origin, flow, mainSite } = this.model;
    const now = sim.now;
    mainSite.syncTo(now);
    const c = this.current;
    const req = origin.requests;
    c[0] = users.pageViews;
    c[1] = cdn ? cdn.hitsByObject[CdnObject.Page] : 0;
    c[2] = cdn ? cdn.missesByObject[CdnObject.Page] : 0;
    c[3] = req[OriginKind.PageDirect] + req[OriginKind.EdgePageShared] + req[OriginKind.EdgePageSingle];
    c[4] = req[OriginKind.ScriptDirect] + req[OriginKind.EdgeScriptShared] + req[OriginKind.EdgeScriptSingle];
    let errors = 0;
    for (let k = 0; k < OriginKind.MainSite; k++) errors += origin.errors[k];
    c[5] = errors;
    c[6] = origin.queue.busyGauge.integral(now) / this.originSlots;
    c[7] = origin.link.busyUntil(now);
    c[8] = users.scriptRequests;
    c[9] = flow.attempts;
    c[10] = flow.admitted;
    c[11] = flow.rejected;
    c[12] = flow.ledger.size;
    c[14] = mainSite.requests;
    c[15] = mainSite.errors;
    c[16] = users.timeouts;
    c[17] = origin.link.bytes;
    c[18] = flow.stock.operations;
    c[19] = flow.stock.busyUntil(now);
    const row = new Array<number>(c.length);
    const span = Math.min(this.intervalUs, now - this.rows.length * this.intervalUs);
    for (let j = 0; j < c.length; j++) row[j] = c[j] - this.previous[j];
    row[6] = round(row[6] / span);
    row[7] = round(row[7] / span);
    row[19] = round(row[19] / span);
    row[13] = flow.stock.committedLevel;
    this.previous.set(c);
    this.rows.push(row);
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
