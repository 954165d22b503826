/**
 * The named metrics of a run: what thresholds can test and what reports
 * show. One table, so the README, threshold validation, the comparison's
 * gate and the result builder cannot drift apart. How each metric is
 * computed from a finished run is keyed by these names in
 * src/model/metric-compute.ts (which the compiler holds to this table).
 *
 * Kinds decide which threshold aggregations apply (k6 style):
 * - latency: a histogram in µs; `p(N)`, `avg`, `min`, `max`, `med`, `count`;
 * - rate: a fraction in [0, 1]; `rate`;
 * - count: an integer total; `count`;
 * - value: a single number (its unit given); `value`.
 */
export type MetricKind = 'latency' | 'rate' | 'count' | 'value';

/**
 * Which way a metric gets worse, for `sim compare`'s gate: more of a
 * lower-is-better metric is worse, less of a higher-is-better one; a
 * neutral one (selling out sooner, buyers not paying) is shown, never gated.
 */
export type Direction = 'lower-is-better' | 'higher-is-better' | 'neutral';

/** The values a figure can take: `min`/`max` absent means unbounded on that side. */
export interface ValueRange {
  /** Smallest possible value. */
  min?: number;
  /** Largest possible value. */
  max?: number;
}

/** One catalogue entry. */
export interface MetricInfo {
  /** Which threshold aggregations apply (see above). */
  kind: MetricKind;
  /** Unit of `value` metrics (µs for times); informational for others. */
  unit: string;
  /** Which way is worse (see {@link Direction}). */
  direction: Direction;
  /**
   * The values the metric (and so the mean across replications) can take;
   * a confidence interval is cut to it (see {@link metricRange}).
   */
  range: Readonly<ValueRange>;
  /** One line for the README and reports. */
  description: string;
}

const LOWER = 'lower-is-better';
const HIGHER = 'higher-is-better';
const NEUTRAL = 'neutral';
/** Rates, fractions and probabilities. */
const FRACTION: Readonly<ValueRange> = { min: 0, max: 1 };
/** Latencies, counts and rates per second. */
const NON_NEGATIVE: Readonly<ValueRange> = { min: 0 };
/** A time from T0, negative when it came before. */
const UNBOUNDED: Readonly<ValueRange> = {};

/** Every named metric, in report order. */
export const METRIC_CATALOGUE = {
  page_latency: {
    kind: 'latency',
    unit: 'µs',
    direction: LOWER,
    range: NON_NEGATIVE,
    description: 'Product page response time, from the intended send time (includes RTT, queueing at edge/origin/link).',
  },
  script_latency: {
    kind: 'latency',
    unit: 'µs',
    direction: LOWER,
    range: NON_NEGATIVE,
    description:
      'Button script response time, from the intended send time; a script request given up on, refused or unanswered at the end counts its wait so far.',
  },
  order_latency: {
    kind: 'latency',
    unit: 'µs',
    direction: LOWER,
    range: NON_NEGATIVE,
    description:
      "Order attempt response time, from the click to the answer (won, sold out, sale ended, rejected); a request still in a waiting room's line at the end counts its wait until then.",
  },
  decision_latency: {
    kind: 'latency',
    unit: 'µs',
    direction: LOWER,
    range: NON_NEGATIVE,
    description:
      'Per buyer, from the first click to the first definite answer reaching them (won, sold out, sale ended, blocked), retries and their waits included; buyers who gave up or were still waiting at the end have no sample (see decided_within_2s).',
  },
  main_site_latency: {
    kind: 'latency',
    unit: 'µs',
    direction: LOWER,
    range: NON_NEGATIVE,
    description:
      "Main-site background request latency, from arrival to the response's last byte leaving its link (its own when isolated, the origin link when shared).",
  },
  orders_created: { kind: 'count', unit: 'orders', direction: HIGHER, range: NON_NEGATIVE, description: 'Orders in the ledger.' },
  oversell: {
    kind: 'count',
    unit: 'units',
    direction: LOWER,
    range: NON_NEGATIVE,
    description:
      "Units sold beyond the stock: the most orders standing at once beyond it, or the counter's net takes beyond it (must be 0).",
  },
  undersell: {
    kind: 'count',
    unit: 'units',
    direction: LOWER,
    range: NON_NEGATIVE,
    description:
      'Units not held by any standing order at the end (left in stock or in order-server stock buffers, taken and never ordered: a refused order not compensated, a lost message, or returned by an unpaid order and not sold again) while some buyer was turned away. An order awaiting payment at the end holds its unit.',
  },
  duplicate_orders: {
    kind: 'count',
    unit: 'orders',
    direction: LOWER,
    range: NON_NEGATIVE,
    description: 'Orders beyond the per-user limit.',
  },
  early_orders: {
    kind: 'count',
    unit: 'orders',
    direction: LOWER,
    range: NON_NEGATIVE,
    description: 'Orders accepted or created before T0, or (behind a waiting room) presented at its door before T0.',
  },
  lost_orders: {
    kind: 'count',
    unit: 'orders',
    direction: LOWER,
    range: NON_NEGATIVE,
    description: 'Mismatches between "won" responses and ledger orders.',
  },
  // Set by the buyers who do not pay, not by the design under test.
  orders_cancelled: {
    kind: 'count',
    unit: 'orders',
    direction: NEUTRAL,
    range: NON_NEGATIVE,
    description:
      'Orders cancelled for non-payment (orders.unpaid) at created + orders.paymentTimeout, each returning its unit to the stock; 0 when every order is paid.',
  },
  page_error_rate: {
    kind: 'rate',
    unit: 'fraction',
    direction: LOWER,
    range: FRACTION,
    description:
      'Page and button-script requests answered with an error (origin queue full, failed edge fetch) or given up for lack of patience, out of all page and script requests.',
  },
  order_reject_rate: {
    kind: 'rate',
    unit: 'fraction',
    direction: LOWER,
    range: FRACTION,
    description: 'Order attempts turned away (sale ended / server full); null (unmeasured, fails its threshold) with no attempt.',
  },
  // Order-server occupancy (the queueing-theory checks of docs/model.md, "Theory checks: order servers").
  order_wait_rate: {
    kind: 'rate',
    unit: 'fraction',
    direction: LOWER,
    range: FRACTION,
    description:
      'Order requests that found every slot of their server busy and waited in its line (onFull: queue), out of those that asked a server for a slot (all but answers from the sold-out flag, tokens refused at the door and spent quotas); 0 with reject or unbounded; null when none asked. P(wait) of M/M/c.',
  },
  order_queue_wait: {
    kind: 'value',
    unit: 'µs',
    direction: LOWER,
    range: NON_NEGATIVE,
    description:
      "Mean time an order request waited in its server's line for a slot, µs, over the requests that asked for one (0 for those served at once; one that gave up at maxWait counts its wait); null when none asked.",
  },
  order_queue_length: {
    kind: 'value',
    unit: 'requests',
    direction: LOWER,
    range: NON_NEGATIVE,
    description: "Time-average number of order requests waiting in the servers' lines (all servers), from T0 to duration.",
  },
  order_slots_busy: {
    kind: 'value',
    unit: 'requests',
    direction: LOWER,
    range: NON_NEGATIVE,
    description:
      "Time-average number of order requests holding a slot (all servers; the carried load in Erlangs), from T0 to duration; divided by servers × slots, the slots' utilisation (above 1 is possible with onFull: unbounded).",
  },
  main_site_error_rate: {
    kind: 'rate',
    unit: 'fraction',
    direction: LOWER,
    range: FRACTION,
    description: 'Main-site requests that failed (queue full).',
  },
  cdn_hit_ratio: {
    kind: 'rate',
    unit: 'fraction',
    direction: HIGHER,
    range: FRACTION,
    description: 'Page views served by a CDN edge from cache.',
  },
  bot_share: {
    kind: 'rate',
    unit: 'fraction',
    direction: LOWER,
    range: FRACTION,
    description: 'Share of the sold stock bought by bots; null (unmeasured, fails its threshold) when nothing sold.',
  },
  answered_within_2s: {
    kind: 'rate',
    unit: 'fraction',
    direction: HIGHER,
    range: FRACTION,
    description:
      'Order answers (won, sold out, sale ended, refused, duplicate or error) that reached the user within 2 s of the click, out of all order answers; null (unmeasured, fails its threshold) with no answer.',
  },
  decided_within_2s: {
    kind: 'rate',
    unit: 'fraction',
    direction: HIGHER,
    range: FRACTION,
    description:
      'Buyers (users who clicked) whose first definite answer (won, sold out, sale ended, blocked) reached them within 2 s of their first click, out of all buyers; those who gave up or were still waiting count as not. null (unmeasured, fails its threshold) when nobody clicked.',
  },
  sell_out_time: {
    kind: 'value',
    unit: 'µs',
    direction: NEUTRAL,
    range: UNBOUNDED,
    description:
      'Time from T0 until as many units were handed out as there was stock, µs (null if stock remains; negative if it sold out before T0). A racy counter may still show stock at that moment.',
  },
  origin_peak_rps: {
    kind: 'value',
    unit: 'requests/s',
    direction: LOWER,
    range: NON_NEGATIVE,
    description: 'Highest origin request rate in any interval.',
  },
  origin_utilisation: {
    kind: 'value',
    unit: 'fraction',
    direction: LOWER,
    range: FRACTION,
    description: 'Peak per-interval busy fraction of origin slots.',
  },
  link_utilisation: {
    kind: 'value',
    unit: 'fraction',
    direction: LOWER,
    range: FRACTION,
    description: 'Peak per-interval utilisation of the origin link.',
  },
  stock_peak_ops: {
    kind: 'value',
    unit: 'operations/s',
    direction: LOWER,
    range: NON_NEGATIVE,
    description:
      'Highest rate of operations asked of the stock store in any interval (every take, successful or not, when it reaches the store: a serial store above its ceiling of 1/service queues them).',
  },
  stock_utilisation: {
    kind: 'value',
    unit: 'fraction',
    direction: LOWER,
    range: FRACTION,
    description:
      'Serial stock stores (single-thread-server, row-lock): peak per-interval busy fraction, against their ceiling of 1/service operations per second; 1 means buyers queue for the store. null (unmeasured) for atomic and check-then-decrement, which run operations in parallel with no modelled ceiling.',
  },
  attempts_per_order: {
    kind: 'value',
    unit: 'attempts',
    direction: LOWER,
    range: NON_NEGATIVE,
    description: 'Order attempts per order created.',
  },
  amplification: {
    kind: 'value',
    unit: 'requests/user',
    direction: LOWER,
    range: NON_NEGATIVE,
    description: 'All requests (pages, scripts, orders) per user.',
  },
  fairness_click_order: {
    kind: 'value',
    unit: 'probability',
    direction: HIGHER,
    range: FRACTION,
    description:
      'Chance that a human winner clicked before a human non-winner: 1 = first come, first served, 0.5 = a lottery, 0 = the last clickers win.',
  },
} as const satisfies Record<string, MetricInfo>;

/** A catalogue metric's name. */
export type MetricName = keyof typeof METRIC_CATALOGUE;

/** A latency metric's name: its value is a distribution, kept in `RunResult.latency`. */
export type LatencyMetricName = { [K in MetricName]: (typeof METRIC_CATALOGUE)[K]['kind'] extends 'latency' ? K : never }[MetricName];

/** A metric with one value per run (every kind but latency), kept in `RunResult.metrics`. */
export type ValueMetricName = Exclude<MetricName, LatencyMetricName>;

/** Metric names as a non-empty tuple (for schema enums). */
export const METRIC_NAMES = Object.keys(METRIC_CATALOGUE) as [MetricName, ...MetricName[]];

/** The non-latency metric names, catalogue order. */
export const VALUE_METRIC_NAMES: readonly ValueMetricName[] = METRIC_NAMES.filter(
  (name): name is ValueMetricName => METRIC_CATALOGUE[name].kind !== 'latency',
);

/**
 * The range of a catalogue metric's values (and so of the mean across
 * replications): the entry's `range`. A confidence interval is cut to it:
 * the Student-t interval of a mean near 0 or 1 reaches beyond it, and a
 * hit ratio of "100.1%" or a reject rate of "−0.04%" is not a possible value.
 * Names outside the catalogue are unbounded.
 */
export function metricRange(name: string): ValueRange {
  const info = (METRIC_CATALOGUE as Record<string, MetricInfo | undefined>)[name];
  return info ? { ...info.range } : {};
}
