import type { ResolvedConfig } from '../scenario/schema.js';
import type { Cdn } from '../system/cdn.js';
import type { Link } from '../system/link.js';
import type { MainSite } from '../system/main-site.js';
import type { OrderFlow } from '../system/order-flow.js';
import type { OriginPool } from '../system/origin.js';
import type { Stock } from '../system/stock.js';
import type { Users } from '../workload/users.js';
import { OriginKind } from '../system/origin.js';
import type { ClickRecords } from './fairness.js';

/**
 * What measurement (the time series and the result) reads of the wired
 * model: the components' counters, levels and histograms, as read-only
 * views. The sampling and the result builder take these, not the
 * components, so that measuring a run cannot change it; the figures are
 * read once per interval or once at the end, never per event.
 */

/** A typed array of counters, read only. */
export type ReadonlyCounters = { readonly [index: number]: number; readonly length: number };

/** A member's type as measurement sees it: counter arrays and lists read only. */
type ReadOnly<V> = V extends Float64Array ? ReadonlyCounters : V extends Array<infer E> ? readonly E[] : V;

/** The named members of `T`, read only. */
type View<T, K extends keyof T> = { readonly [P in K]: ReadOnly<T[P]> };

/** What measurement reads of the population. */
export type UsersStats = View<
  Users,
  | 'count'
  | 'pageViews'
  | 'scriptRequests'
  | 'timeouts'
  | 'pageTimeouts'
  | 'pageErrors'
  | 'orderAnswers'
  | 'ordersAnsweredWithin2s'
  | 'clickers'
  | 'decidedWithin2s'
  | 'botsCount'
  | 'outcomeOf'
  | 'pageLatency'
  | 'scriptLatency'
  | 'orderLatency'
  | 'decisionLatency'
> &
  ClickRecords;

/** What measurement reads of a link (bytes sent; busy time, µs). */
export type LinkStats = View<Link, 'bytes' | 'busyUntil'>;

/** What measurement reads of the CDN edges. */
export type CdnStats = View<Cdn, 'hitsByObject' | 'missesByObject' | 'staleHitsByObject' | 'coalesced' | 'originFetches'> & {
  readonly links: readonly LinkStats[];
};

/** What measurement reads of the origin pool. */
export type OriginStats = View<OriginPool, 'requests' | 'errors'> & {
  readonly queue: { readonly busyGauge: { integral(nowUs: number): number } };
  readonly link: LinkStats;
};

/** What measurement reads of the stock store. */
export type StockStats = View<
  Stock,
  'initial' | 'level' | 'minLevel' | 'sold' | 'returned' | 'operations' | 'serial' | 'committedLevel' | 'busyUntil'
>;

type Flow = OrderFlow;

/** What measurement reads of the order flow (order servers, stock, orders, ledger). */
export type FlowStats = View<
  Flow,
  | 'attempts'
  | 'admitted'
  | 'rejected'
  | 'soldOutAnswers'
  | 'strandedSoldOut'
  | 'errors'
  | 'earlyAttempts'
  | 'soldOutAtUs'
  | 'lostMessages'
  | 'leakedUnits'
  | 'duplicatedMessages'
  | 'droppedDuplicates'
  | 'unitsHandedOut'
  | 'wonResponses'
  | 'queueWait'
> & {
  readonly servers: View<Flow['servers'], 'asked' | 'queued' | 'heldArea' | 'linedArea'>;
  readonly tokenRejected: Readonly<Flow['tokenRejected']>;
  readonly stock: StockStats;
  readonly ledger: View<Flow['ledger'], 'size' | 'cancelled' | 'toArray'>;
  readonly buffers: View<NonNullable<Flow['buffers']>, 'sold' | 'held'> | null;
  readonly room: View<NonNullable<Flow['room']>, 'entries' | 'peak'> | null;
  readonly payments: View<NonNullable<Flow['payments']>, 'unpaid' | 'cancelled' | 'awaitingAtEnd'> | null;
};

/** What measurement reads of the main site; `syncTo` brings an isolated one's clock up to the sale's before its counters are read. */
export type MainSiteStats = View<MainSite, 'requests' | 'errors' | 'latency' | 'syncTo'>;

/** The read-only view of a wired model that measurement takes. */
export interface MeasuredModel {
  readonly config: ResolvedConfig;
  readonly users: UsersStats;
  readonly cdn: CdnStats | null;
  readonly origin: OriginStats;
  readonly flow: FlowStats;
  readonly mainSite: MainSiteStats;
}

/** Page and script requests the origin refused (queue full); main-site ones excluded. */
export function originPageScriptErrors(origin: OriginStats): number {
  let errors = 0;
  for (let k = 0; k < OriginKind.MainSite; k++) errors += origin.errors[k];
  return errors;
}

/** Page requests that reached the origin: direct, and edge fetches. */
export function originPageRequests(origin: OriginStats): number {
  const req = origin.requests;
  return req[OriginKind.PageDirect] + req[OriginKind.EdgePageShared] + req[OriginKind.EdgePageSingle];
}

/** Script requests that reached the origin: direct, and edge fetches. */
export function originScriptRequests(origin: OriginStats): number {
  const req = origin.requests;
  return req[OriginKind.ScriptDirect] + req[OriginKind.EdgeScriptShared] + req[OriginKind.EdgeScriptSingle];
}
