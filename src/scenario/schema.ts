import { z } from 'zod';
import {
  parseBandwidth,
  parseBytes,
  parseDistribution,
  parseDuration,
  parseFineDuration,
  parsePercent,
  parseRate,
  type Quantity,
} from '../kernel/units.js';
import { largestDraw, type DistributionSpec } from '../kernel/distributions.js';
import { formatDuration, UnitError } from '../kernel/units.js';
import { parseCount } from '../kernel/units.js';
import { METRIC_NAMES } from '../metrics/catalogue.js';
import { isThresholdSyntax, THRESHOLD_SYNTAX } from '../metrics/thresholds.js';
import { PlanBlockSchema, replicationLimit } from './plan-schema.js';

/**
 * The scenario schema: the one source of the scenario's types, defaults and
 * field documentation. The YAML side takes human units ("250kB", "15ms",
 * "lognormal(5s, 0.6)"); parsing turns them into plain numbers:
 * durations in integer µs, sizes in bytes, bandwidths in bytes/s, rates in
 * events/s, shares as fractions, distributions as {@link DistributionSpec}
 * in the same units. `sim schema` prints the input side as JSON Schema.
 *
 * Defaults follow the seed design and the published figures of
 * docs/domain.md; each says where it comes from in its description.
 */

type Input = string | number;

/**
 * Limits on scenario values. Each one keeps a run that `sim validate`
 * accepts from hanging, exhausting memory or overflowing the simulated
 * clock (integer µs, exact below 2^53 ≈ 285 years), and is far beyond any
 * real flash sale. Every limit is stated in its field's description, so
 * `sim schema` shows it.
 */
export const LIMITS = {
  /**
   * `duration`: 7 days. A sale is minutes to hours; the main site alone
   * generates rps × duration events.
   */
  durationUs: 7 * 24 * 3_600_000_000,
  /**
   * Every other duration, and the largest value a duration distribution can
   * draw: 300000h (1.08e15 µs, ~34 years). A simulated time plus a few such
   * delays stays below 2^53 µs (~285 years), and lognormal(5s, 3) still fits.
   */
  anyDurationUs: 300_000 * 3_600_000_000,
  /**
   * Time-series rows of one run (duration ÷ interval). summary.json holds
   * about 0.7 kB per row and strategy (1.5 kB with replications): 100,000
   * rows are ~70-150 MB; 1,000,000 exceed what one JSON string can hold.
   * Enough for 1 s buckets over a day, or 10 ms over 15 minutes.
   */
  intervals: 100_000,
  /** Time-series rows of all the strategies of one file or run together (summary.json stays below ~400 MB). */
  totalIntervals: 250_000,
  /**
   * users.count: 2^25 (33,554,432) users; each takes ~100 bytes (10M users
   * ~1 GB). The user model addresses its 64-byte records by byte offsets
   * `user << 6` (32-bit, hot path): from 2^25 users on they wrap negative and
   * users vanish from the run, and beyond 2^26 the records' byte view would
   * exceed the 2^32 elements a Node 20 typed array can have.
   */
  users: 2 ** 25,
  /** system.cdn.edges: per-edge state is allocated up front. Real CDNs serve one site from hundreds of PoPs. */
  edges: 10_000,
  /** system.orderServers.servers: per-server state up front, and least-loaded scans every server per order. */
  orderServers: 10_000,
  /** users.bots.earlyAttempts: planned one by one per bot (10,000 at the 200ms default is half an hour of polling). */
  earlyAttempts: 10_000,
  /** replications: each replication's results stay in memory until the report; 1000 give CIs of ~3% of the spread. */
  replications: 1_000,
  /** system.mainSite.rps: 1M requests/s, more than the largest shops' total traffic. */
  rps: 1_000_000,
  /** Main-site requests in a run (rps × duration): one event each, ~2e9 are a few minutes of simulation. */
  mainSiteRequests: 2_000_000_000,
  /**
   * system.stock.buffer: 1,000,000,000 units per batch. The order flow keeps
   * buffer levels and the stock it reads in int32 fields; a batch never
   * holds more than the stock, and real buffers hold tens to thousands.
   */
  stockBuffer: 1_000_000_000,
} as const;

const ANY_DURATION_TEXT = '300000h';
const MAIN_SITE_REQUESTS_TEXT = '2e9';

/**
 * A field whose text goes through a unit parser; parse errors become zod
 * issues. `check` may refuse a parsed value with a message (the caller's
 * "(got …)" quotes what was written).
 */
function unit<T>(parse: (value: Input) => T, what: string, check?: (parsed: T) => string | undefined) {
  return z
    .union([z.string(), z.number()])
    .transform((value, ctx): T => {
      try {
        const parsed = parse(value);
        const why = check?.(parsed);
        if (why !== undefined) throw new UnitError(why);
        return parsed;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message, input: value });
        return z.NEVER;
      }
    })
    .meta({ description: what });
}

const atMostAnyDuration = (us: number) => (us > LIMITS.anyDurationUs ? `must be at most ${ANY_DURATION_TEXT}` : undefined);

const duration = (what: string) => unit(parseDuration, `${what} At most ${ANY_DURATION_TEXT}.`, atMostAnyDuration);
const bytes = (what: string) => unit(parseBytes, what);
const bandwidth = (what: string) => unit(parseBandwidth, what);
/** A bandwidth that must be > 0: a link of 0 bytes/s never delivers anything. */
const positiveBandwidth = (what: string) =>
  unit(parseBandwidth, `${what} Must be greater than 0.`, (bps) =>
    bps > 0 ? undefined : 'must be greater than 0: a link of 0 bytes/s never delivers a response',
  );
const percent = (what: string) => unit(parsePercent, what);
const distribution = (quantity: Quantity, what: string) =>
  unit(
    (value): DistributionSpec => parseDistribution(value, quantity),
    quantity === 'duration'
      ? `${what} Lognormal sigma at most 5; the largest value the distribution can draw must be at most ${ANY_DURATION_TEXT}.`
      : what,
    (spec) => {
      if (quantity !== 'duration') return undefined;
      const largest = largestDraw(spec);
      return largest <= LIMITS.anyDurationUs
        ? undefined
        : `can draw up to ${Number.isFinite(largest) ? `about ${Math.round(largest / 3_600_000_000).toLocaleString('en-US')}h` : 'infinity'} in its far tail (1 draw in 2^33), beyond the limit of ${ANY_DURATION_TEXT}: lower its sigma (lognormal), sd, mean or max`;
    },
  );

const positiveInt = (what: string) =>
  z.number().int('must be a whole number').positive('must be a positive integer').meta({ description: what });
const nonNegativeInt = (what: string) =>
  z.number().int('must be a whole number').nonnegative('must be zero or a positive integer').meta({ description: what });
/** A count with an upper limit, stated in the description. */
const boundedInt = (least: 0 | 1, what: string, max: number) => {
  const shown = max.toLocaleString('en-US');
  const int = z.number().int('must be a whole number');
  return (least === 1 ? int.positive('must be a positive integer') : int.nonnegative('must be zero or a positive integer'))
    .max(max, `must be at most ${shown}`)
    .meta({ description: `${what} At most ${shown}.` });
};

const sale = z
  .strictObject({
    start: duration('T0: when the sale opens, from the start of the simulation; must be before the end of `duration`.').prefault('10m'),
    stock: positiveInt('Units for sale.').default(1000),
    perUserLimit: positiveInt('Units one user may buy (the seed design: 1).').default(1),
  })
  .meta({ description: 'The sale itself.' });

/** The default end of the arrival ramp, µs: 30 s after the default T0 (10m). */
const DEFAULT_RAMP_END_US = 630_000_000;

const arrival = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('ramp'),
      from: duration('First arrival; must be before the end of `duration`, and not after `to`.').prefault('0s'),
      to: duration(
        'Last arrival; at most `duration` (later users would never be simulated); arrivals are densest here when shape is exponential.',
      ).prefault(formatDuration(DEFAULT_RAMP_END_US)),
      shape: z
        .enum(['uniform', 'linear', 'exponential'])
        .default('exponential')
        .meta({ description: 'Density over [from, to]: flat, rising linearly, or rising exponentially towards `to`.' }),
      scale: duration('For the exponential shape: the e-folding time of the density (time for it to grow e-fold).').prefault('60s'),
    }),
    z.strictObject({
      kind: z.literal('burst'),
      at: duration('Centre of the burst (usually T0); must be before the end of `duration`.').prefault('10m'),
      spread: duration('Standard deviation of arrival times around `at` (normal).').prefault('2s'),
    }),
  ])
  .meta({ description: 'When users first load the product page.' });

const retry = z
  .strictObject({
    policy: z.enum(['none', 'fixed', 'exponential', 'jittered']).default('jittered').meta({
      description:
        'How a user re-clicks after an error or "sale ended": not at all, after a fixed delay, doubling, or doubling with full jitter.',
    }),
    delay: duration('Base delay before a retry.').prefault('1s'),
    cap: duration('Longest delay between retries.').prefault('30s'),
    maxAttempts: positiveInt('Order attempts a user makes at most (up to 100).').max(100, 'must be at most 100').default(5),
  })
  .meta({ description: 'Retry behaviour for order attempts.' });

const bots = z
  .strictObject({
    share: percent('Share of the users that are bots.').prefault('0%'),
    refresh: duration('Bots poll the page (and script) this often; no think time.').prefault('200ms'),
    reaction: duration('From button enabled to click.').prefault('5ms'),
    knowsStaticUrl: z
      .boolean()
      .default(true)
      .meta({ description: 'Bots know the static order URL in advance (only matters when tokenGate.mode is static).' }),
    earlyAttempts: boundedInt(
      0,
      'Order attempts a bot fires at a known static URL before T0, one per refresh interval.',
      LIMITS.earlyAttempts,
    ).default(20),
  })
  .meta({ description: 'Automated buyers: perfect clocks, zero think time.' });

const users = z
  .strictObject({
    count: unit(
      parseCount,
      'Users in the storm (each arrives once and refreshes until T0): 100000, 100k or 1M, as --users. Each takes ~100 bytes of memory (10M users ~1 GB); 2^25 users at most, the most 32-bit byte offsets of 64-byte user records address. At most 33,554,432.',
      (n) => (n > LIMITS.users ? `must be at most ${LIMITS.users.toLocaleString('en-US')}` : undefined),
    ).default(1_000_000),
    arrival: arrival.prefault({ kind: 'ramp' }),
    refresh: distribution('duration', 'Think time between page refreshes before the button is enabled.').prefault('lognormal(5s, 0.6)'),
    patience: duration(
      'A page or order response slower than this makes the user refresh/retry (the retry storm); people give up after about 2-3 s (docs/domain.md).',
    ).prefault('3s'),
    reaction: distribution('duration', 'From the enabled button to the click.').prefault('lognormal(600ms, 0.5)'),
    clockSkew: duration("Standard deviation of the users' clock error (normal, centred); shifts when they refresh around T0.").prefault(
      '500ms',
    ),
    rtt: distribution('duration', 'Network round trip of a user (fixed per user): added to every request.').prefault(
      'lognormal(40ms, 0.5)',
    ),
    lateRefreshes: nonNegativeInt(
      'Refreshes a user keeps doing after T0 when the button is still disabled (stale page) before giving up.',
    ).default(10),
    giveUpAfter: positiveInt(
      'Failed page loads in a row (patience ran out, or an error page) after which a user leaves for good. Bounds the retry storm of a site that never answers.',
    )
      .max(255, 'must be at most 255')
      .default(10),
    retry: retry.prefault({}),
    bots: bots.prefault({}),
  })
  .meta({ description: 'The population refreshing the product page.' });

const cdn = z
  .strictObject({
    edges: boundedInt(0, 'CDN edge servers; 0 means no CDN: every page view goes to the origin.', LIMITS.edges).default(20),
    ttl: duration('How long an edge keeps the page before re-fetching it from the origin.').prefault('60s'),
    coalesce: z
      .boolean()
      .default(true)
      .meta({ description: 'Concurrent misses at an edge wait for one origin fetch instead of each fetching (stampede protection).' }),
    pageBytes: bytes('Size of the product page (HTML and assets served by the edge).').prefault('250kB'),
    edgeBandwidth: positiveBandwidth('Egress bandwidth of each edge.').prefault('10Gbps'),
    hitLatency: duration('Edge processing time for a cache hit.').prefault('2ms'),
    edgeDiscipline: z.enum(['fifo', 'fair']).optional().meta({
      description:
        'How responses share each edge link: fifo (the default when omitted) or fair (processor sharing), as system.originLink.discipline.',
    }),
    originRtt: duration(
      'Network round trip between an edge and the origin, added to every miss and background fetch (the fetch reaches the edge this much later than its last byte leaves the origin link); 0s when omitted.',
    ).optional(),
    purgeAt: duration('Purge every edge at this time (e.g. at T0), forcing a refetch; omit for none.').optional(),
    staleWhileRevalidate: duration(
      'Stale-while-revalidate: for this long after its TTL an edge still serves its expired copy at once (a hit) while one background fetch refreshes it; 0s: never. A purge drops the copy, so there is nothing stale to serve then; an object with TTL 0 (buttonScript.cdnTtl: 0s) is never served stale.',
    ).prefault('0s'),
  })
  .meta({ description: 'The static product page in a CDN.' });

const origin = z
  .strictObject({
    servers: positiveInt('Origin application servers.').default(8),
    concurrency: positiveInt('Requests one origin server works on at once.').default(64),
    service: distribution('duration', 'Service time of one page or script request at the origin.').prefault('lognormal(20ms, 0.5)'),
    scriptService: distribution('duration', 'Service time of the small button script.').prefault('lognormal(1ms, 0.5)'),
    queue: nonNegativeInt('Requests that may wait for a free origin slot; beyond that, an error response.').default(1000),
  })
  .meta({ description: 'Origin pool (dedicated to the sale unless mainSite.deployment is shared).' });

const originLink = z
  .strictObject({
    bandwidth: positiveBandwidth('Origin uplink bandwidth.').prefault('1Gbps'),
    leased: bandwidth('Extra bandwidth leased for the sale, added to `bandwidth`.').prefault('0Gbps'),
    discipline: z.enum(['fifo', 'fair']).optional().meta({
      description:
        'How responses share the link: fifo (the default when omitted: one after another, a small script waits behind every page ahead of it) or fair (processor sharing, as TCP flows share a bottleneck: n transfers get bandwidth/n each). Throughput and utilisation are the same; latency of small responses is not.',
    }),
  })
  .meta({ description: "The origin's network link; transfers queue on it." });

const buttonScript = z
  .strictObject({
    servedBy: z
      .enum(['origin', 'cdn'])
      .default('origin')
      .meta({ description: 'Where the button script comes from: origin (never cached, the seed design) or the CDN with cdnTtl.' }),
    bytes: bytes('Size of the button script.').prefault('1kB'),
    cdnTtl: duration('TTL when served by the CDN; the button can be enabled that much late.').prefault('0s'),
    soldOutDelay: duration(
      'When set, scripts the origin makes this long or more after the stock runs out grey the button out ("sold out"): users who load the page then leave without clicking, which takes the post-sell-out clicks off the order servers. The delay is the time the sold-out state takes to reach the script servers (a push, a config reload); a CDN-cached script keeps an enabled copy up to cdnTtl longer. A unit given back reopens the button only with orderServers.reopenOnReturn. Omitted: the button stays enabled after sell-out (the seed design).',
    ).optional(),
  })
  .meta({ description: 'The small script that enables the buy button at T0 and hands out the order URL.' });

const tokenGate = z
  .strictObject({
    mode: z
      .enum(['dynamic', 'static'])
      .default('dynamic')
      .meta({ description: 'dynamic: HMAC token issued from T0 (the seed design); static: a fixed order URL that can leak.' }),
    bindToUser: z.boolean().default(true).meta({ description: 'Dynamic tokens carry the user id; a foreign token is rejected.' }),
    ttl: duration('Dynamic token lifetime.').prefault('30s'),
    checkStartTime: z
      .boolean()
      .default(false)
      .meta({ description: 'Static mode only: order servers refuse orders before T0 (a partial defence).' }),
    checkAt: z.enum(['admission', 'after-service']).optional().meta({
      description:
        'When an order server checks the token (HMAC, expiry, user binding, start time). admission (absent: the default): on arrival, before it takes a slot, so a forged, early, foreign or expired token is answered at once and costs no service. after-service: only after the full order service, the refused request having held a slot for it (how flashsim modelled it before; for comparisons).',
    }),
  })
  .meta({ description: 'How the order URL is protected.' });

const orderServers = z
  .strictObject({
    servers: boundedInt(1, 'Order servers.', LIMITS.orderServers).default(10),
    slots: positiveInt('Concurrent requests per order server.').default(10),
    quota: z
      .number()
      .int('must be a whole number')
      .positive('must be a positive integer')
      .nullable()
      .optional()
      // null is "no quota" too, and leaves no key in the resolved config (summaries stay as they were).
      .transform((quota) => quota ?? undefined)
      .meta({
        description:
          'Admission quota: each order server passes only its first `quota` orders of the run on to the stock and order steps, and answers every later request "sale ended" at once on arrival, free slots or not (one already in service when the last place went is told so after its service): at most servers × quota orders reach the stock. An order counts once it passed the token check and sale.perUserLimit, so forged, expired or early tokens and duplicates spend nothing (counting arrivals would let bots\' forged shots before T0 spend every quota). Works beside `slots`, or alone with onFull: unbounded. Absent or null (default): no quota.',
      }),
    onFull: z.enum(['reject', 'queue', 'unbounded']).default('reject').meta({
      description:
        'Chosen server full: reject with "sale ended" (seed design), queue up to maxWait, or admit everything (naive; service slows with load).',
    }),
    maxWait: duration('With onFull: queue, the longest wait before "sale ended".').prefault('500ms'),
    service: distribution('duration', 'Order server work per request (besides stock and order steps).').prefault('lognormal(15ms, 0.4)'),
    balancer: z.enum(['random', 'round-robin', 'least-loaded']).default('random').meta({
      description:
        'How requests are spread over order servers. random: a blind pick at the click (DNS-level or client-side balancing: it sees no load). round-robin and least-loaded: a balancer in front of the servers, deciding when the request reaches them; least-loaded sends it to the server holding the fewest requests (in service or waiting), a least-connections balancer, which with onFull: reject turns away only when every slot is busy (Erlang B on servers × slots).',
    }),
    soldOutFlag: z.boolean().default(true).meta({ description: 'Servers answer "sold out" locally once they learn stock is gone.' }),
    soldOutFlagDelay: duration('Delay before a server learns that stock is gone.').prefault('100ms'),
    reopenOnReturn: z.boolean().default(false).meta({
      description:
        "Clear the servers' sold-out flag when a unit comes back to the stock (an unpaid order cancelled, a failed order compensated), so the unit can be sold again; the flag is set anew when the stock runs out again. false (default): the flag, once set, stays set and returned units are never sold, the bug of many seckill systems.",
    }),
    overloadFactor: z
      .number()
      .nonnegative()
      .default(0.05)
      .meta({ description: 'With onFull: unbounded, service time grows by this fraction per request beyond `slots` (contention).' }),
  })
  .meta({ description: 'Bounded order servers.' });

const waitingRoom = z
  .strictObject({
    mode: z.enum(['off', 'fifo', 'random']).default('off').meta({
      description:
        'A waiting room in front of the order servers. off: clicks go straight to the servers (seed design). fifo: every clicker takes a place in line (one per user: a later click takes over the user\'s place) and is let through at `rate`, in the order they reached the room, from T0. random: those who reach the room before T0 + `window` are let through in a random order (a lottery: reacting in 5 ms is no advantage), from T0 + window, and later ones behind them in order. People in line wait there without giving up; once the servers know stock is gone, everyone still in line is let through to hear "sold out". The room closes with the run: those still in line at `duration` end without an answer.',
    }),
    window: duration(
      'random mode: clicks reaching the room before T0 + window share the lottery; nobody is let through before it ends.',
    ).prefault('3s'),
    rate: unit(parseRate, "Clicks let through to the order servers per second (the room's outflow); more than 0.", (rps) =>
      rps > 0 ? undefined : 'must be more than 0/s: a room that lets nobody through sells nothing',
    ).prefault('5000/s'),
  })
  .meta({ description: 'An optional waiting room (Queue-it style) between the clicks and the order servers.' });

const stock = z
  .strictObject({
    primitive: z.enum(['atomic', 'check-then-decrement', 'row-lock', 'single-thread-server']).default('atomic').meta({
      description:
        'atomic decrement-if-positive; check-then-decrement (racy: the negative control); a database hot row; a Redis-Lua-style single-threaded server.',
    }),
    service: duration('Time of one stock operation (for row-lock: lock hold time).').prefault('50us'),
    buffer: boundedInt(
      0,
      'Units per batch each order server takes from the stock store into a local buffer (sharded stock with a buffer per node): it sells from its buffer without a store operation and refills with one operation taking min(buffer, level) units, so the store sees about one operation per `buffer` sales. The price: once the store is empty, a server with an empty buffer answers "sold out" while others still hold units (stranded units, later clickers winning on a luckier server), and units left in buffers at the end are unsold. 0 (default): no buffers, every sale is a store operation.',
      LIMITS.stockBuffer,
    ).default(0),
    soldOutService: duration(
      'Time of a stock operation that finds no stock, when it differs from `service` (PostgreSQL: an `UPDATE … WHERE n > 0` that matches no row takes no row lock and writes no WAL). `sim calibrate stock` fits it. Absent (default): `service`.',
    ).optional(),
    perWaiter: unit(
      parseFineDuration,
      `Serial primitives (row-lock, single-thread-server): extra store time of an operation per operation queued ahead of it, not yet begun, when it reaches the store (a row lock's hand-over wakes every waiting backend, and they share the cores), in ns, us, ms or s, fractions allowed: 210ns, 0.21us. \`sim calibrate stock\` fits it. At most 1s. Absent (default): 0.`,
      (us) => (us <= 1e6 ? undefined : 'must be at most 1s'),
    ).optional(),
  })
  .superRefine((stock, ctx) => {
    if ((stock.perWaiter ?? 0) > 0 && stock.primitive !== 'row-lock' && stock.primitive !== 'single-thread-server') {
      ctx.addIssue({
        code: 'custom',
        path: ['perWaiter'],
        message: `operations queue only at a serial store: set primitive: row-lock or single-thread-server, or remove perWaiter (primitive is ${stock.primitive})`,
      });
    }
  })
  .meta({ description: 'The stock counter.' });

const orders = z
  .strictObject({
    mode: z.enum(['sync', 'async']).default('async').meta({ description: 'Create the order inline, or enqueue it for consumers.' }),
    consumers: positiveInt('Order-creating consumers (async) or concurrent writers (sync).').default(4),
    service: distribution('duration', 'Time to create one order.').prefault('5ms'),
    queue: nonNegativeInt(
      'Async queue capacity; a full queue fails the order (and returns its stock, unless compensate is false).',
    ).default(100_000),
    unpaid: percent(
      'Share of created orders never paid (a published figure, docs/domain.md: up to 43% of grabbed tickets at one ticketing site). Each is cancelled `paymentTimeout` after its creation and its unit goes back on sale, to whoever still clicks: by then the herd told "sold out" has left, so returned units mostly stay unsold (undersell), and behind a set sold-out flag they cannot be sold at all unless orderServers.reopenOnReturn. A keyed draw per order: every strategy sees the same buyers not paying. 0% (default): every order is paid.',
    ).prefault('0%'),
    paymentTimeout: duration(
      'How long after its creation an unpaid order waits for payment before it is cancelled and its unit returned. Shorter returns units while buyers are still clicking; longer holds them past the rush (a deadline at or after `duration` is never reached in the run: the order ends awaiting payment, its unit held).',
    ).prefault('15m'),
    compensate: z.boolean().default(true).meta({
      description:
        'When the order step fails after the stock step (a full async queue), give the unit back to the sale. false: the unit stays taken and the stock leaks away, the classic undersell bug.',
    }),
    lossRate: percent(
      'Share of async order messages lost after the buyer was told "won" (a broker failover): no order is created and nobody gives the unit back, so the audit finds a lost order and the sale undersells. 0% in a correct system.',
    ).prefault('0%'),
    duplicateRate: percent(
      "Share of async order messages the broker delivers twice (at-least-once delivery: the first delivery's acknowledgement is lost, so the message goes back to the tail of the queue as its order is created). The second delivery takes a consumer for another order-creation time; see `idempotent` for what it does. A message is duplicated at most once; a lost one (lossRate) is not duplicated. 0% by default.",
    ).prefault('0%'),
    idempotent: z.boolean().default(true).meta({
      description:
        'Whether consumers recognise a redelivered message whose order already exists (by its request and token, like a unique index) and drop it. true (default): the correct system, duplicates cost consumer time only. false: a redelivery creates a second order for the same buyer and unit, which the audit catches (one-per-user, ledger-matches-responses). Without duplicateRate it changes nothing.',
    }),
  })
  .superRefine((orders, ctx) => {
    if (orders.mode === 'sync' && orders.lossRate > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['lossRate'],
        message: 'messages are lost only in an async order queue: set mode: async, or lossRate: 0%',
      });
    }
    if (orders.mode === 'sync' && orders.duplicateRate > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['duplicateRate'],
        message: 'messages are redelivered only in an async order queue: set mode: async, or duplicateRate: 0%',
      });
    }
  })
  .meta({ description: 'The order subsystem and its ledger.' });

const mainSite = z
  .strictObject({
    deployment: z
      .enum(['isolated', 'shared'])
      .default('isolated')
      .meta({ description: 'isolated: the sale has its own servers (seed design); shared: main-site traffic uses the same origin pool.' }),
    rps: unit(
      parseRate,
      `Main-site background requests per second (Poisson). At most ${LIMITS.rps.toLocaleString('en-US')}/s, and rps × duration at most ${MAIN_SITE_REQUESTS_TEXT} requests (one event each).`,
      (rps) => (rps <= LIMITS.rps ? undefined : `must be at most ${LIMITS.rps.toLocaleString('en-US')}/s`),
    ).prefault('2000/s'),
    service: distribution('duration', 'Main-site request service time.').prefault('lognormal(30ms, 0.5)'),
    servers: positiveInt('Main-site servers when isolated.').default(8),
    concurrency: positiveInt('Concurrent requests per main-site server when isolated.').default(64),
    queue: nonNegativeInt('Main-site requests that may wait when isolated; beyond that, an error.').default(1000),
    bytes: bytes('Main-site response size: over the origin link when shared, over its own `bandwidth` when isolated.').prefault('50kB'),
    bandwidth: positiveBandwidth(
      "The main site's own uplink when isolated (its responses cross it, so latency is measured to the last byte as when shared). 2,000 requests/s of 50kB are 0.8Gbps.",
    ).prefault('10Gbps'),
  })
  .meta({ description: 'The main shop, which must not suffer from the sale.' });

const system = z
  .strictObject({
    cdn: cdn.prefault({}),
    origin: origin.prefault({}),
    originLink: originLink.prefault({}),
    buttonScript: buttonScript.prefault({}),
    tokenGate: tokenGate.prefault({}),
    orderServers: orderServers.prefault({}),
    waitingRoom: waitingRoom.prefault({}),
    stock: stock.prefault({}),
    orders: orders.prefault({}),
    mainSite: mainSite.prefault({}),
  })
  .superRefine((system, ctx) => {
    // A script cached by the CDN hands the same token to everyone, so a
    // token bound to its user can only be refused: nobody could ever buy.
    const cached = system.buttonScript.servedBy === 'cdn' && system.cdn.edges > 0;
    if (cached && system.tokenGate.mode === 'dynamic' && system.tokenGate.bindToUser) {
      ctx.addIssue({
        code: 'custom',
        path: ['buttonScript', 'servedBy'],
        message:
          'a CDN-cached button script gives every user the same token, which tokenGate.bindToUser refuses: serve the script from the origin or set tokenGate.bindToUser: false',
      });
    }
  })
  .meta({ description: 'The flash-sale system; every defence is a knob.' });

/** Invariants the auditor can check; all apply unless the scenario lists some. */
export const INVARIANTS = [
  'no-oversell',
  'one-per-user',
  'no-early-orders',
  'valid-tokens',
  'ledger-matches-responses',
  'conservation',
] as const;
/** One of {@link INVARIANTS}. */
export type InvariantName = (typeof INVARIANTS)[number];

const thresholdExpression = z.string().refine(isThresholdSyntax, THRESHOLD_SYNTAX);

/** Threshold expressions by metric; `least` is the fewest expressions a metric may list. */
function thresholdsBlock(least: number) {
  return z.partialRecord(z.enum(METRIC_NAMES), z.array(thresholdExpression).min(least)).default({});
}

/**
 * Keys of a strategy that are not overlay paths: what the strategy is
 * checked against rather than what it runs with (see docs/verdicts.md).
 */
export const STRATEGY_CHECK_KEYS = ['expect', 'thresholds'] as const;

const strategyExpect = z
  .strictObject({
    violates: z.array(z.string().min(1, 'must name an invariant or a metric')).default([]).meta({
      description:
        'Invariants (e.g. no-oversell) and threshold metrics (e.g. order_latency: every expression on it) this strategy exists to break. A listed violation that happens is the audit working ("caught", passes); one that does not happen fails the run (exit 1).',
    }),
  })
  .meta({ description: 'What a negative control is expected to break.' });

/** One strategy: overlay paths to values, plus the optional {@link STRATEGY_CHECK_KEYS}. */
const strategy = z.looseObject({
  expect: strategyExpect.optional(),
  thresholds: thresholdsBlock(0).optional().meta({
    description:
      "Per-metric overrides of the scenario's thresholds for this strategy: a metric listed here replaces the scenario's expressions on it; an empty list removes them.",
  }),
});
/** A strategy's `expect` block, parsed. */
export type StrategyExpect = z.output<typeof strategyExpect>;

/** The fields of one scenario's shared part (everything but strategies, thresholds, invariants). */
const baseFields = {
  version: z.literal(1).default(1).meta({ description: 'Scenario format version.' }),
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a file-name-safe word (letters, digits, . _ -)')
    .meta({ description: 'Scenario name; reports go under reports/<name>/.' }),
  description: z.string().optional().meta({ description: 'What the scenario shows.' }),
  // An empty seed is what `--seed "$SEED"` gives with the variable unset: a seed nobody chose.
  seed: z
    .union([z.number().int(), z.string().regex(/\S/, 'must be a number or a word such as 42 or nightly')])
    .default(42)
    .meta({
      description:
        "Master seed: same seed, same results. The run's, shared by every strategy (common random numbers): set here or with --seed, not in an overlay or --set.",
    }),
  duration: unit(
    parseDuration,
    'Simulated time. More than 0s, at most 7 days (168h); sale.start and the first arrivals must fall inside it.',
    (us) => (us <= 0 ? 'must be greater than 0s' : us > LIMITS.durationUs ? 'must be at most 168h (7 days)' : undefined),
  ).prefault('15m'),
  interval: unit(
    parseDuration,
    `Time-series bucket width. More than 0s and at most duration; duration ÷ interval (the rows of timeseries.csv) at most ${LIMITS.intervals.toLocaleString('en-US')}, and ${LIMITS.totalIntervals.toLocaleString('en-US')} over all strategies.`,
    (us) => (us <= 0 ? 'must be greater than 0s' : atMostAnyDuration(us)),
  ).prefault('1s'),
  replications: boundedInt(
    1,
    "Independent replications of every strategy, the run's: set here or with --replications, not in an overlay or --set (confidence intervals need 2 or more).",
    LIMITS.replications,
  ).default(1),
  maxReplications: replicationLimit(
    "Most replications of every strategy when `sim run --precision` adds them until each threshold's interval decides (default max(12, 4 × the first batch); --max-replications overrides it), and of one `sim plan` candidate unless plan.maxReplications says otherwise. The run's, like replications: not in an overlay or --set.",
  ),
  sale: sale.prefault({}),
  users: users.prefault({}),
  system: system.prefault({}),
};

/** Time-series rows of a run: one per interval, the last one possibly short. */
export function intervalsOf(config: { duration: number; interval: number }): number {
  return Math.ceil(config.duration / config.interval);
}

/**
 * Checks between fields of a configuration (run when every field is valid
 * on its own), each reported at the key to change.
 */
function checkConfig(config: z.output<typeof BaseSchema>, ctx: z.core.$RefinementCtx<z.output<typeof BaseSchema>>): void {
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const end = formatDuration(config.duration);
  if (config.interval > config.duration) {
    issue(['interval'], `must be at most duration (${end}) (got ${formatDuration(config.interval)})`);
  } else if (intervalsOf(config) > LIMITS.intervals) {
    const least = Math.ceil(config.duration / LIMITS.intervals);
    issue(
      ['interval'],
      `gives ${intervalsOf(config).toLocaleString('en-US')} time-series rows over ${end}; at most ${LIMITS.intervals.toLocaleString('en-US')}: use an interval of at least ${formatDuration(least)} (got ${formatDuration(config.interval)})`,
    );
  }
  if (config.sale.start >= config.duration) {
    issue(
      ['sale', 'start'],
      `must be before the end of the run (duration: ${end}), or the sale never opens (got ${formatDuration(config.sale.start)})`,
    );
  }
  const arrival = config.users.arrival;
  if (arrival.kind === 'ramp') {
    if (arrival.from > arrival.to) {
      issue(['users', 'arrival', 'from'], `must not be after to (${formatDuration(arrival.to)}) (got ${formatDuration(arrival.from)})`);
    } else if (arrival.from >= config.duration) {
      issue(
        ['users', 'arrival', 'from'],
        `must be before the end of the run (duration: ${end}), or no user ever arrives (got ${formatDuration(arrival.from)})`,
      );
    } else if (arrival.to > config.duration) {
      // Users drawn after the end are never simulated: the sale would run on a fraction of the population and pass.
      issue(
        ['users', 'arrival', 'to'],
        `must be at most the end of the run (duration: ${end}): users arriving after it are never simulated, so the sale would see only part of users.count; set users.arrival.to (default ${formatDuration(DEFAULT_RAMP_END_US)}) within duration, or lengthen duration (got ${formatDuration(arrival.to)})`,
      );
    }
  } else if (arrival.at >= config.duration) {
    issue(
      ['users', 'arrival', 'at'],
      `must be before the end of the run (duration: ${end}), or most users arrive after it (got ${formatDuration(arrival.at)})`,
    );
  } else if (arrival.at + 3 * arrival.spread > config.duration) {
    issue(
      ['users', 'arrival', 'spread'],
      `puts the burst's tail (at + 3 × spread = ${formatDuration(arrival.at + 3 * arrival.spread)}) after the end of the run (duration: ${end}): those users are never simulated; narrow the spread, move users.arrival.at earlier, or lengthen duration (got ${formatDuration(arrival.spread)})`,
    );
  }
  const room = config.system.waitingRoom;
  if (room.mode === 'random' && config.sale.start + room.window >= config.duration) {
    issue(
      ['system', 'waitingRoom', 'window'],
      `must end before the end of the run (duration: ${end}): the lottery is drawn at T0 + window (${formatDuration(config.sale.start + room.window)}), so nobody would be let through (got ${formatDuration(room.window)})`,
    );
  }
  const requests = config.system.mainSite.rps * (config.duration / 1_000_000);
  if (requests > LIMITS.mainSiteRequests) {
    issue(
      ['system', 'mainSite', 'rps'],
      `over ${end} gives ${requests.toExponential(2).replace('e+', 'e')} main-site requests, at most ${MAIN_SITE_REQUESTS_TEXT} (one event each): lower rps or duration (got ${config.system.mainSite.rps}/s)`,
    );
  }
}

/**
 * The shape of one scenario's shared part, field by field, without the
 * checks between fields ({@link ConfigSchema} adds them). Walked by
 * paths.ts; tests build hand-made configurations with it.
 */
export const BaseSchema = z.strictObject(baseFields);

/** One strategy's configuration, fields and the checks between them: what a run is validated with. */
export const ConfigSchema = BaseSchema.superRefine(checkConfig);

/** The whole scenario file; the base part is checked as {@link ConfigSchema} is. */
export const ScenarioSchema = BaseSchema.extend({
  strategies: z
    .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'strategy names must be file-name-safe words'), strategy)
    .default({ base: {} })
    .meta({
      description:
        "Named overlays on the base: dotted paths to values, e.g. { system.cdn.edges: 0 }. Run side by side, all with the run's seed and replications (an overlay may not set them). Two keys are not paths: `expect` (the violations a negative control exists to show) and `thresholds` (per-metric overrides of the scenario's).",
    }),
  thresholds: thresholdsBlock(1).meta({
    description:
      "k6-style pass/fail criteria per metric, checked for every strategy (a strategy's `thresholds` override them per metric); a failure exits 99.",
  }),
  invariants: z
    .array(z.enum(INVARIANTS))
    .default([...INVARIANTS])
    .meta({ description: 'Invariants the auditor checks after every run; a violation exits 1 unless the strategy expects it.' }),
  plan: PlanBlockSchema.optional(),
}).superRefine(checkConfig);

/** A scenario after parsing: units resolved, defaults filled. */
export type Scenario = z.output<typeof ScenarioSchema>;
/** The configuration one strategy runs with: the base with the overlay applied, parsed. */
export type ResolvedConfig = z.output<typeof BaseSchema>;
/** `sale`: start (T0) in µs from the start of the run, stock in units, perUserLimit. */
export type SaleConfig = ResolvedConfig['sale'];
/** `users`: durations in µs, distributions as DistributionSpec over µs, bot share a fraction 0–1. */
export type UsersConfig = ResolvedConfig['users'];
/** `users.bots`: share a fraction 0–1, refresh and reaction in µs. */
export type BotsConfig = UsersConfig['bots'];
/** `users.retry`: delay and cap in µs. */
export type RetryConfig = UsersConfig['retry'];
/** `users.arrival`: first page load times, every time in µs (see workload/arrivals.ts). */
export type ArrivalConfig = UsersConfig['arrival'];
/** `system`: every defence's knobs; durations in µs, sizes in bytes, bandwidths in bytes/s. */
export type SystemConfig = ResolvedConfig['system'];
/** `system.cdn`: ttl, hitLatency, purgeAt and staleWhileRevalidate in µs, pageBytes in bytes, edgeBandwidth in bytes/s. */
export type CdnConfig = SystemConfig['cdn'];
/** `system.origin`: service times as DistributionSpec over µs. */
export type OriginConfig = SystemConfig['origin'];
/** `system.originLink`: bandwidth and leased in bytes/s. */
export type OriginLinkConfig = SystemConfig['originLink'];
/** `system.buttonScript`: bytes in bytes, cdnTtl and soldOutDelay in µs. */
export type ButtonScriptConfig = SystemConfig['buttonScript'];
/** `system.tokenGate`: ttl in µs. */
export type TokenGateConfig = SystemConfig['tokenGate'];
/** `system.orderServers`: maxWait and soldOutFlagDelay in µs, service a DistributionSpec over µs. */
export type OrderServersConfig = SystemConfig['orderServers'];
/** `system.stock`: the primitive, service (one operation or lock hold) in µs, buffer (units per order-server batch; 0 = off), and the optional soldOutService (µs) and perWaiter (fractional µs). */
export type StockConfig = SystemConfig['stock'];
/** `system.orders`: sync/async, queue length, service a DistributionSpec over µs. */
export type OrdersConfig = SystemConfig['orders'];
/** `system.waitingRoom`: window in µs, rate in clicks/s. */
export type WaitingRoomConfig = SystemConfig['waitingRoom'];
/** `system.mainSite`: rps in requests/s, service a DistributionSpec over µs, bytes in bytes. */
export type MainSiteConfig = SystemConfig['mainSite'];
/** The scenario as written (before parsing). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;

/** JSON Schema (draft 2020-12) of scenario files, for editors. */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' });
}
