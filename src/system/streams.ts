/**
 * The names of a run's random streams (RandomSource.stream) and derived
 * integers (RandomSource.derivedInt), each listed once. A name keys its
 * draws: renaming one changes every result that draws from it, so these
 * strings are part of the results' contract (docs/architecture.md, "The
 * component contract"). The user model's streams are listed here too: this
 * is the lowest layer that knows the flash sale, and the workload imports it.
 */
export const STREAM = {
  /** Origin service times, in arrival order. */
  originService: 'origin-service',
  /** Gaps between main-site requests. */
  mainSiteArrivals: 'main-site-arrivals',
  /** Main-site service times in its own pool. */
  mainSiteService: 'main-site-service',
  /** The random balancer's pick, keyed by (user, attempt). */
  balancer: 'balancer',
  /** Order-server service times, in admission order. */
  orderService: 'order-service',
  /** Order-creation times, in submission order. */
  orderCreate: 'order-create',
  /** Which accepted async order messages are lost (orders.lossRate), in acceptance order. */
  orderLoss: 'order-loss',
  /** Which async order messages are delivered twice (orders.duplicateRate), keyed by (user, message). */
  orderDuplicate: 'order-duplicate',
  /** Which created orders go unpaid (orders.unpaid), keyed by (user, n-th order). */
  orderPayment: 'order-payment',
  /** The waiting room's lottery tickets, keyed by user. */
  roomTicket: 'room-ticket',
  /** Think times between refreshes, keyed by (user, refresh). */
  think: 'think',
  /** Reaction times from the enabled button to the click, keyed by (user, attempt). */
  reaction: 'reaction',
  /** The jitter of retry delays (retry.policy jittered), keyed by (user, attempt). */
  retry: 'retry',
  /** Delays of refreshes after T0 (a stale page, a retried page), keyed by (user, n). */
  lateRefresh: 'late-refresh',
  /** Each user's clock error. */
  clockSkew: 'clock-skew',
  /** Each user's first arrival. */
  arrival: 'arrival',
  /** Each user's round trip. */
  rtt: 'rtt',
  /** Which users are bots. */
  bot: 'bot',
} as const;

/** The names of a run's derived integers (RandomSource.derivedInt). */
export const DERIVED = {
  /** Seed of the token gate's HMAC secret. */
  tokenGateSecret: 'token-gate-secret',
} as const;

/**
 * Streams of `sim calibrate`'s replay of a measured closed loop
 * (src/calibrate/predict.ts): not a run's, so not in {@link STREAM}, but
 * named here with the rest so that no two names collide.
 */
export const CALIBRATE_STREAM = {
  /** Round trips outside the store and the client, in the order the takes ask for them. */
  roundTrip: 'calibrate-round-trip',
} as const;

/** A stream name of {@link STREAM}. */
export type StreamName = (typeof STREAM)[keyof typeof STREAM];

/**
 * The stream of `sim plan`'s draws of an uncertain input (src/app/plan.ts),
 * one per key path: replication r of every candidate draws the same value,
 * from the scenario's seed and r. Not a run's stream; the `plan.` prefix
 * keeps it apart from every name above.
 */
export const planUncertainStream = (path: string): string => `plan.uncertain.${path}`;
