import { CdnObject } from '../system/cdn.js';
import { originPageRequests, originPageScriptErrors, originScriptRequests, type MeasuredModel } from './measured-model.js';

/**
 * How a time-series column is sampled at the end of each row:
 * - `count`: a cumulative counter, differenced per interval (a count per interval);
 * - `busy`: a cumulative busy time (µs, or slot·µs over the slots),
 *   differenced and divided by the row's span: the interval's mean busy
 *   fraction, rounded to 6 decimals;
 * - `level`: a level read at the end of the row, as it stands.
 */
export type Sampling = 'count' | 'busy' | 'level';

/** One column of the per-interval series. */
export interface SeriesColumn {
  /** Column name, as written in timeseries.csv and summary.json. */
  readonly name: string;
  /** Unit of a row's value. */
  readonly unit: string;
  /** How a row's value comes from {@link read} (see {@link Sampling}). */
  readonly sampling: Sampling;
  /** The cumulative figure (or the level) at `nowUs`, µs. */
  readonly read: (model: MeasuredModel, nowUs: number) => number;
}

/**
 * The columns of a run's series, in order: the only list of them, from
 * which the column names and the sampling both come. Page views, hits and
 * misses are of the product page only (script requests through the edges
 * are counted apart); `stock` is the level the store shows at the end of
 * the row (operations finished by then: a serial store's backlog has not
 * taken its units yet); `stock_busy` is 0 but for serial stock stores.
 */
export const SERIES_COLUMNS = [
  { name: 'page_views', unit: 'requests', sampling: 'count', read: (m) => m.users.pageViews },
  { name: 'cdn_hits', unit: 'requests', sampling: 'count', read: (m) => (m.cdn ? m.cdn.hitsByObject[CdnObject.Page] : 0) },
  { name: 'cdn_misses', unit: 'requests', sampling: 'count', read: (m) => (m.cdn ? m.cdn.missesByObject[CdnObject.Page] : 0) },
  { name: 'origin_page_requests', unit: 'requests', sampling: 'count', read: (m) => originPageRequests(m.origin) },
  { name: 'origin_script_requests', unit: 'requests', sampling: 'count', read: (m) => originScriptRequests(m.origin) },
  { name: 'origin_errors', unit: 'requests', sampling: 'count', read: (m) => originPageScriptErrors(m.origin) },
  { name: 'origin_busy', unit: 'fraction', sampling: 'busy', read: (m, now) => m.origin.queue.busyGauge.integral(now) / originSlots(m) },
  { name: 'link_busy', unit: 'fraction', sampling: 'busy', read: (m, now) => m.origin.link.busyUntil(now) },
  { name: 'script_requests', unit: 'requests', sampling: 'count', read: (m) => m.users.scriptRequests },
  { name: 'order_attempts', unit: 'requests', sampling: 'count', read: (m) => m.flow.attempts },
  { name: 'order_admitted', unit: 'requests', sampling: 'count', read: (m) => m.flow.admitted },
  { name: 'order_rejected', unit: 'requests', sampling: 'count', read: (m) => m.flow.rejected },
  { name: 'orders_created', unit: 'orders', sampling: 'count', read: (m) => m.flow.ledger.size },
  { name: 'stock', unit: 'units', sampling: 'level', read: (m) => m.flow.stock.committedLevel },
  { name: 'main_site_requests', unit: 'requests', sampling: 'count', read: (m) => m.mainSite.requests },
  { name: 'main_site_errors', unit: 'requests', sampling: 'count', read: (m) => m.mainSite.errors },
  { name: 'user_timeouts', unit: 'requests', sampling: 'count', read: (m) => m.users.timeouts },
  { name: 'bytes_origin_link', unit: 'bytes', sampling: 'count', read: (m) => m.origin.link.bytes },
  { name: 'stock_ops', unit: 'operations', sampling: 'count', read: (m) => m.flow.stock.operations },
  { name: 'stock_busy', unit: 'fraction', sampling: 'busy', read: (m, now) => m.flow.stock.busyUntil(now) },
] as const satisfies readonly SeriesColumn[];

/** One column name of {@link SERIES_COLUMNS}. */
export type TimeSeriesColumn = (typeof SERIES_COLUMNS)[number]['name'];

/** The column names of a run's series, in order. */
export const TIMESERIES_COLUMNS: readonly TimeSeriesColumn[] = SERIES_COLUMNS.map((c) => c.name);

/** A column's index in a run's series rows. */
export function seriesIndex(name: TimeSeriesColumn): number {
  return TIMESERIES_COLUMNS.indexOf(name);
}

/** Origin slots: servers × concurrency each. */
function originSlots(m: MeasuredModel): number {
  const origin = m.config.system.origin;
  return origin.servers * origin.concurrency;
}
