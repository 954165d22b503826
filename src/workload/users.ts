import type { ResolvedConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RandomSource, RandomStream } from '../kernel/random.js';
import { inverseNormalCdf, largestDraw, samplerOf, type Sampler } from '../kernel/distributions.js';
import { LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import { CdnObject, type Cdn, type CdnListener } from '../system/cdn.js';
import { GEN_MASK, OriginKind, packTag, type OriginPool } from '../system/origin.js';
import { OrderAnswer, TokenKind, type OrderFlow, type OrderFlowListener } from '../system/order-flow.js';
import { cacheAlignedBuffer } from '../kernel/aligned-buffer.js';
import { STREAM } from '../system/streams.js';
import { arrivalSampler } from './arrivals.js';

/** Where a user is in its life. */
export const enum UserState {
  New = 0,
  Thinking = 1,
  AwaitingPage = 2,
  AwaitingScript = 3,
  Reacting = 4,
  Ordering = 5,
  RetryWait = 6,
  Done = 7,
  /** In the waiting room's line: no patience timer runs until let through. */
  InRoom = 8,
}

/** A user's final outcome (stored per user). */
export const enum Outcome {
  Pending = 0,
  Won = 1,
  SoldOut = 2,
  SaleEnded = 3,
  Blocked = 4,
  GaveUp = 5,
}

/** Bit layout of the second event argument of a script delivery. */
const ENABLED_BIT = 1 << 26;
const ANONYMOUS_BIT = 1 << 27;
/** The script greys the button out: the sale is sold out (buttonScript.soldOutDelay). */
const SOLD_OUT_BIT = 1 << 28;
/** Generation reserved for bots' early attempts, so only their "won" counts. */
const EARLY_GEN = GEN_MASK;

/*
 * Per-user state lives in one 64-byte record per user (a cache line) rather
 * than one typed array per field: an event for a user then touches one line
 * instead of up to a dozen scattered ones, which at a million users is most
 * of an event's cost. Views over the one buffer address the record's fields:
 * float64 slots at user·8 + k, int32 slots at user·16 + k, bytes at user·64 + k.
 */
/**
 * Bytes per user record. Offsets `user << U8_SHIFT` are 32-bit: LIMITS.users
 * (src/scenario/schema.ts) keeps every record's last byte below 2^31.
 */
export const RECORD_BYTES = 64;
const F64_SHIFT = 3;
const I32_SHIFT = 4;
const U8_SHIFT = 6;
// float64 slots (bytes 0..39)
/** When the current request was sent (patience runs from here), µs. */
const SENT_AT = 0;
/**
 * When the user decided to look at the page (arrival, refresh, retry after
 * an error), µs. Impatient re-sends of the page keep it: page latency runs
 * from the intention to the page, however many requests that took. A
 * refresh after the button script failed (the page had come) is a new
 * intention: the script's wait is script latency.
 */
const INTENDED_AT = 1;
/** When the token in hand was issued, µs. */
const TOKEN_ISSUED_AT = 2;
/** First click time (µs; Infinity if never clicked): fairness by click rank. */
const FIRST_CLICK_AT = 3;
/** T0 by this user's skewed clock, µs; NaN until first needed. */
const PERCEIVED_START = 4;
// int32 slots (bytes 40..51)
const GEN = 10;
/** Round trip, whole µs. */
const RTT = 11;
const REFRESHES = 12;
// bytes (52..63)
const STATE = 52;
const OUTCOME = 53;
const BOT = 54;
const LATE_REFRESHES = 55;
const ATTEMPTS = 56;
/** Failed page loads in a row (timeouts, error pages). */
const FAILURES = 57;
/** 1 when the current origin request's patience timer is scheduled (else it is armed only if the answer turns out late). */
const TIMER_ARMED = 58;
const TOKEN_KIND = 59;
/** 1 once the user has had a definite answer (see {@link Users.decisionLatency}). */
const DECIDED = 60;

/** A definite answer to a buyer: the outcomes after which they know where they stand. */
function isDefinite(outcome: Outcome): boolean {
  return outcome === Outcome.Won || outcome === Outcome.SoldOut || outcome === Outcome.SaleEnded || outcome === Outcome.Blocked;
}

/** "Within 2 s" of the answer metrics, µs. */
const TWO_SECONDS_US = 2_000_000;

/**
 * The user population as a state machine over typed arrays (no object or
 * closure per user): arrival, page refreshes with think time, the button
 * script, reaction, order attempts with patience and retries, and bots.
 *
 * Behaviour draws come from streams keyed by (user, count) — think time by
 * refresh number, reaction and retry delay by attempt number — so every
 * strategy sees the same users doing the same things until the system
 * answers them differently (common random numbers).
 *
 * Requests carry a generation number: a user who loses patience bumps it and
 * refreshes, and any answer to the old request is ignored when it arrives —
 * except "won", because that order exists.
 *
 * Latencies are measured from the intended send time (the scheduled refresh
 * or click), so a slow system cannot hide its delay (coordinated omission).
 * The request's trip to the system is folded into the response: page and
 * script requests are processed when sent and the user's round trip is
 * added to the answer; order requests travel half a round trip each way, so
 * a nearer user's click arrives first.
 */
export class Users {
  /** Population size, bots included. */
  readonly count: number;
  /** µs from the intention to see the page to its arrival (or to giving up / the close, for pages that never came). */
  readonly pageLatency = new LatencyHistogram();
  /** µs from sending the script request to its arrival, failure or the close. */
  readonly scriptLatency = new LatencyHistogram();
  /** µs from each click to its answer reaching the user, including answers to attempts already given up on; a request never answered (still in the waiting room's line at the end) counts its wait until then. */
  readonly orderLatency = new LatencyHistogram();
  /**
   * µs from a user's first click to the first definite answer reaching them
   * (won, sold out, sale ended, blocked), retries and their waits included:
   * how long a buyer waits to learn where they stand. Users who gave up or
   * were still waiting at the end have no sample; see {@link decidedWithin2s}.
   */
  readonly decisionLatency = new LatencyHistogram();

  /** Page requests sent (arrivals, refreshes, retries). */
  pageViews = 0;
  /** Button-script requests sent. */
  scriptRequests = 0;
  /** Requests given up for lack of patience: page, script and order. */
  timeouts = 0;
  /** Of {@link timeouts}, the page and script requests. */
  pageTimeouts = 0;
  /** Error pages (page or script request refused) that reached a still-waiting user. */
  pageErrors = 0;
  /** Of {@link orderAnswers}, those whose {@link orderLatency} was at most 2 s. */
  ordersAnsweredWithin2s = 0;
  /** Order answers sent, including those to attempts already given up on. */
  orderAnswers = 0;
  /** Users who clicked "buy" at least once (bots' early shots at a static URL are not clicks). */
  clickers = 0;
  /** Of {@link clickers}, those whose first definite answer came within 2 s of their first click. */
  decidedWithin2s = 0;
  /** Users drawn as bots. */
  botsCount = 0;

  /** The user records (see RECORD_BYTES), through three views of one buffer. */
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;

  private readonly think: Sampler;
  private readonly reaction: Sampler;
  private readonly thinkDraws: RandomStream;
  private readonly reactionDraws: RandomStream;
  private readonly retryDraws: RandomStream;
  private readonly lateDraws: RandomStream;
  private readonly skewDraws: RandomStream;
  private readonly saleStart: number;
  private readonly patience: number;
  private readonly viaCdn: boolean;
  private readonly scriptViaCdn: boolean;
  private readonly staticUrl: boolean;
  private readonly botRefresh: number;
  private readonly botReaction: number;
  private readonly clockSkew: number;
  /** Before this time no user's clock can be near T0 (8 standard deviations). */
  private readonly skewHorizon: number;
  private readonly lateRefreshLimit: number;
  private readonly giveUpAfter: number;
  /**
   * Whether an origin service can take as long as the user's patience: then a
   * request served at once may still be given up on before its service ends,
   * so its patience timer is always armed (not only once the answer is late).
   */
  private readonly originMayOutlastPatience: boolean;
  private closing = false;
  private hitScheduled = false;

  private readonly arriveKind: number;
  private readonly refreshKind: number;
  private readonly pageKind: number;
  private readonly scriptKind: number;
  private readonly timeoutKind: number;
  private readonly errorKind: number;
  private readonly retryPageKind: number;
  private readonly clickKind: number;
  private readonly orderAnswerKind: number;
  private readonly orderTimeoutKind: number;
  private readonly earlyKind: number;

  /**
   * Allocates the user records and schedules every user's arrival.
   * @param cdn the edges, or null when there is no CDN.
   */
  constructor(
    private readonly sim: Simulation,
    private readonly config: ResolvedConfig,
    random: RandomSource,
    private readonly cdn: Cdn | null,
    private readonly origin: OriginPool,
    private readonly flow: OrderFlow,
  ) {
    const users = config.users;
    const n = users.count;
    this.count = n;
    // Aligned, so that each record is one cache line (the buffer may be
    // longer than asked: the views cover the records only).
    const records = cacheAlignedBuffer(n * RECORD_BYTES);
    this.f64 = new Float64Array(records, 0, n * (RECORD_BYTES >> F64_SHIFT));
    this.i32 = new Int32Array(records, 0, n * (RECORD_BYTES >> 2));
    this.u8 = new Uint8Array(records, 0, n * RECORD_BYTES);

    this.think = samplerOf(users.refresh);
    this.reaction = samplerOf(users.reaction);
    this.thinkDraws = random.stream(STREAM.think);
    this.reactionDraws = random.stream(STREAM.reaction);
    this.retryDraws = random.stream(STREAM.retry);
    this.lateDraws = random.stream(STREAM.lateRefresh);
    this.skewDraws = random.stream(STREAM.clockSkew);
    this.saleStart = config.sale.start;
    this.patience = users.patience;
    this.viaCdn = cdn !== null;
    this.scriptViaCdn = cdn !== null && config.system.buttonScript.servedBy === 'cdn';
    this.staticUrl = config.system.tokenGate.mode === 'static';
    this.botRefresh = users.bots.refresh;
    this.botReaction = users.bots.reaction;
    this.clockSkew = users.clockSkew;
    this.skewHorizon = this.saleStart - 8 * users.clockSkew;
    this.lateRefreshLimit = users.lateRefreshes;
    this.giveUpAfter = users.giveUpAfter;
    const originConfig = config.system.origin;
    this.originMayOutlastPatience = Math.max(largestDraw(originConfig.service), largestDraw(originConfig.scriptService)) >= users.patience;

    // Every user event's first argument is the user: its record can be warmed.
    const locality = { bytes: this.u8, shift: U8_SHIFT };
    this.arriveKind = sim.register('user.arrive', (u) => this.arrive(u), locality);
    this.refreshKind = sim.register('user.refresh', (u, g) => this.refresh(u, g), locality);
    this.pageKind = sim.register('user.page', (u, g) => this.pageArrived(u, g), locality);
    this.scriptKind = sim.register('user.script', (u, b) => this.scriptArrived(u, b), locality);
    this.timeoutKind = sim.register('user.timeout', (u, g) => this.timedOut(u, g), locality);
    this.errorKind = sim.register('user.error-page', (u, g) => this.errorPage(u, g), locality);
    this.retryPageKind = sim.register('user.retry-page', (u, g) => this.retryPage(u, g), locality);
    this.clickKind = sim.register('user.click', (u, g) => this.click(u, g), locality);
    this.orderAnswerKind = sim.register('user.order-answer', (u, b) => this.orderAnswered(u, b), locality);
    this.orderTimeoutKind = sim.register('user.order-timeout', (u, g) => this.orderTimedOut(u, g), locality);
    this.earlyKind = sim.register('bot.early-attempt', (u, k) => this.earlyAttempt(u, k), locality);

    // Per-user constants and the first arrival, all from keyed draws.
    const arrival = arrivalSampler(users.arrival);
    const rtt = samplerOf(users.rtt);
    const arrivalDraws = random.stream(STREAM.arrival);
    const rttDraws = random.stream(STREAM.rtt);
    const botDraws = random.stream(STREAM.bot);
    const botShare = users.bots.share;
    for (let u = 0; u < n; u++) {
      this.f64[(u << F64_SHIFT) + FIRST_CLICK_AT] = Infinity;
      this.f64[(u << F64_SHIFT) + PERCEIVED_START] = NaN;
      this.i32[(u << I32_SHIFT) + RTT] = Math.round(rtt(rttDraws.uniform(u, 0)));
      if (botDraws.uniform(u, 0) < botShare) {
        this.u8[(u << U8_SHIFT) + BOT] = 1;
        this.botsCount++;
      }
      // A user who would first look after the run's end never takes part:
      // no event (it would only find the run closed, and drag the clock on).
      const arrivesAt = Math.round(arrival(arrivalDraws.uniform(u, 0)));
      if (arrivesAt <= config.duration) sim.scheduleAt(arrivesAt, this.arriveKind, u);
    }
  }

  /** User `user`'s final outcome ({@link Outcome.Pending} while undecided). */
  outcomeOf(user: number): Outcome {
    return this.u8[(user << U8_SHIFT) + OUTCOME];
  }

  /** Whether user `user` ended with an order. */
  won(user: number): boolean {
    return this.outcomeOf(user) === Outcome.Won;
  }

  /** Whether user `user` is a bot. */
  isBot(user: number): boolean {
    return this.u8[(user << U8_SHIFT) + BOT] === 1;
  }

  /** User `user`'s first click, µs (Infinity if they never clicked): fairness by click rank. */
  firstClickAt(user: number): number {
    return this.f64[(user << F64_SHIFT) + FIRST_CLICK_AT];
  }

  /**
   * Stops all user activity (the simulated duration is over). Order answers
   * in flight still land; page and script answers are ignored, their waits
   * recorded here as latencies so far.
   */
  close(): void {
    this.closing = true;
    // Users still waiting for a page have waited at least this long: record
    // it, or a site that never answers would show no page latency at all.
    // Likewise users still waiting for the script, since they sent it.
    const now = this.sim.now;
    for (let u = 0; u < this.count; u++) {
      const state = this.u8[(u << U8_SHIFT) + STATE];
      if (state === UserState.AwaitingPage) this.pageLatency.record(now - this.f64[(u << F64_SHIFT) + INTENDED_AT]);
      else if (state === UserState.AwaitingScript) this.scriptLatency.record(now - this.f64[(u << F64_SHIFT) + SENT_AT]);
    }
  }

  // ---- CDN and origin answers --------------------------------------------

  /** The CDN side of the user model. */
  readonly cdnListener: CdnListener = {
    onEdgeResponse: (user, gen, object, edgeDoneUs, generatedAtUs) => {
      const f = user << F64_SHIFT,
        i = user << I32_SHIFT;
      if (this.i32[i + GEN] !== gen) return;
      const deliverAt = edgeDoneUs + this.i32[i + RTT];
      if (deliverAt - this.f64[f + SENT_AT] > this.patience) {
        // The user gives up first. On a hit no timer runs yet: start it.
        if (this.hitPending()) this.sim.scheduleAt(this.f64[f + SENT_AT] + this.patience, this.timeoutKind, user, gen);
        return;
      }
      this.hitPending();
      if (object === CdnObject.Page) {
        this.sim.scheduleAt(deliverAt, this.pageKind, user, gen);
      } else {
        const enabled = generatedAtUs >= this.saleStart;
        const soldOut = generatedAtUs >= this.flow.scriptSoldOutFrom;
        this.f64[f + TOKEN_ISSUED_AT] = generatedAtUs;
        this.sim.scheduleAt(
          deliverAt,
          this.scriptKind,
          user,
          gen | (enabled ? ENABLED_BIT : 0) | ANONYMOUS_BIT | (soldOut ? SOLD_OUT_BIT : 0),
        );
      }
    },
    onEdgeError: (user, gen, _object, nowUs) => {
      const i = user << I32_SHIFT;
      if (this.i32[i + GEN] !== gen) return;
      this.sim.scheduleAt(nowUs + this.i32[i + RTT], this.errorKind, user, gen);
    },
  };

  /** Whether `user` still waits for its request `gen` (else its connection is closed). */
  stillWaiting(user: number, gen: number): boolean {
    const i = user << I32_SHIFT;
    return this.i32[i + GEN] === gen;
  }

  /**
   * A page or script answer from the origin for `user`: kinds PageDirect and
   * ScriptDirect only (edge fetches are answered through the CDN).
   * `linkDoneUs` is when the response's last byte leaves the origin link,
   * `generatedUs` when the origin made it (the script's state and token time).
   */
  originAnswer(user: number, gen: number, kind: OriginKind, linkDoneUs: number, ok: boolean, generatedUs: number): void {
    const f = user << F64_SHIFT,
      i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    if (this.i32[i + GEN] !== gen) return;
    const now = this.sim.now;
    if (!ok) {
      // Counted when the error page reaches the user (errorPage), as for CDN errors.
      this.sim.scheduleAt(now + this.i32[i + RTT], this.errorKind, user, gen);
      return;
    }
    const deliverAt = linkDoneUs + this.i32[i + RTT];
    if (deliverAt - this.f64[f + SENT_AT] > this.patience) {
      // The user gives up first: at its timer, armed now if it was not.
      if (!this.u8[b + TIMER_ARMED]) {
        this.u8[b + TIMER_ARMED] = 1;
        this.sim.scheduleAt(Math.max(now, this.f64[f + SENT_AT] + this.patience), this.timeoutKind, user, gen);
      }
      return;
    }
    if (kind === OriginKind.PageDirect) {
      this.sim.scheduleAt(deliverAt, this.pageKind, user, gen);
    } else {
      // The script is enabled if the origin made it from T0, with a token issued then.
      const enabled = generatedUs >= this.saleStart;
      // And it greys the button out if the origin made it once it knew the stock was gone.
      const soldOut = generatedUs >= this.flow.scriptSoldOutFrom;
      this.f64[f + TOKEN_ISSUED_AT] = generatedUs;
      this.sim.scheduleAt(deliverAt, this.scriptKind, user, gen | (enabled ? ENABLED_BIT : 0) | (soldOut ? SOLD_OUT_BIT : 0));
    }
  }

  /** The order servers' side of the user model. */
  readonly orderListener: Required<OrderFlowListener> = {
    onOrderAnswer: (user, gen, answer, clickedAtUs) => {
      const i = user << I32_SHIFT;
      const deliverAt = this.sim.now + this.i32[i + RTT] / 2;
      if (answer === OrderAnswer.Queued) {
        // A place in line, not an answer: no latency sample.
        if (this.i32[i + GEN] === gen) this.sim.scheduleAt(deliverAt, this.orderAnswerKind, user, (gen << 3) | answer);
        return;
      }
      const latency = deliverAt - clickedAtUs;
      this.orderLatency.record(latency);
      this.orderAnswers++;
      if (latency <= TWO_SECONDS_US) this.ordersAnsweredWithin2s++;
      if (answer !== OrderAnswer.Won && this.i32[i + GEN] !== gen) return;
      this.sim.scheduleAt(deliverAt, this.orderAnswerKind, user, (gen << 3) | answer);
    },
    onLetThrough: (user, gen) => {
      const i = user << I32_SHIFT,
        b = user << U8_SHIFT;
      const state = this.u8[b + STATE];
      if (this.closing || this.i32[i + GEN] !== gen || (state !== UserState.InRoom && state !== UserState.Ordering)) return gen;
      // Out of the line: the request is with the servers from now, and the
      // user's patience runs from here, under a new generation so that the
      // timer of the click (if it has not fired yet) is void.
      const released = this.nextGen(user);
      this.u8[b + STATE] = UserState.Ordering;
      this.sim.schedule(this.patience, this.orderTimeoutKind, user, released);
      return released;
    },
    onUnanswered: (_user, clickedAtUs) => {
      // As for pages that never came: the wait so far is a latency sample,
      // or a room too slow to serve anyone would show no order latency at all.
      this.orderLatency.record(this.sim.now - clickedAtUs);
    },
  };

  // ---- the state machine -------------------------------------------------

  private arrive(user: number): void {
    const f = user << F64_SHIFT,
      b = user << U8_SHIFT;
    if (this.closing) return;
    if (this.u8[b + BOT] && this.sim.now < this.saleStart) this.planEarlyAttempts(user);
    this.f64[f + INTENDED_AT] = this.sim.now;
    this.sendPage(user);
  }

  private refresh(user: number, gen: number): void {
    const f = user << F64_SHIFT,
      i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    if (this.closing || this.i32[i + GEN] !== gen || this.u8[b + STATE] !== UserState.Thinking) return;
    this.f64[f + INTENDED_AT] = this.sim.now;
    this.sendPage(user);
  }

  private sendPage(user: number): void {
    const f = user << F64_SHIFT,
      b = user << U8_SHIFT;
    const gen = this.nextGen(user);
    const now = this.sim.now;
    this.u8[b + STATE] = UserState.AwaitingPage;
    this.f64[f + SENT_AT] = now;
    this.pageViews++;
    this.send(user, gen, CdnObject.Page, this.viaCdn, OriginKind.PageDirect);
  }

  private sendScript(user: number): void {
    const f = user << F64_SHIFT,
      b = user << U8_SHIFT;
    const gen = this.nextGen(user);
    this.u8[b + STATE] = UserState.AwaitingScript;
    this.f64[f + SENT_AT] = this.sim.now;
    this.scriptRequests++;
    this.send(user, gen, CdnObject.Script, this.scriptViaCdn, OriginKind.ScriptDirect);
  }

  /** Sends a page or script request through the CDN or to the origin, with a patience timer unless the answer is already known. */
  private send(user: number, gen: number, object: CdnObject, viaCdn: boolean, kind: OriginKind): void {
    const f = user << F64_SHIFT,
      b = user << U8_SHIFT;
    if (viaCdn) {
      this.hitScheduled = true;
      this.cdn!.request(user, gen, object);
      // A hit was answered synchronously (and armed a timer itself if slow).
      if (!this.hitScheduled) return;
      this.hitScheduled = false;
    } else {
      const waiting = this.origin.queue.waiting;
      this.origin.request(user, packTag(gen, kind));
      if (this.origin.queue.waiting === waiting && !this.originMayOutlastPatience) {
        // Served at once (or refused, with the error page on its way): the
        // answer time is known when the service ends, well within patience
        // (no service can take that long), so the timer is armed then, and
        // only if the answer will be late.
        this.u8[b + TIMER_ARMED] = 0;
        return;
      }
    }
    this.u8[b + TIMER_ARMED] = 1;
    this.sim.scheduleAt(this.f64[f + SENT_AT] + this.patience, this.timeoutKind, user, gen);
  }

  /** Clears the "answered synchronously" mark; true if the call was synchronous. */
  private hitPending(): boolean {
    const synchronous = this.hitScheduled;
    this.hitScheduled = false;
    return synchronous;
  }

  private pageArrived(user: number, gen: number): void {
    const f = user << F64_SHIFT,
      i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    if (this.closing || this.i32[i + GEN] !== gen || this.u8[b + STATE] !== UserState.AwaitingPage) return;
    this.pageLatency.record(this.sim.now - this.f64[f + INTENDED_AT]);
    this.sendScript(user);
  }

  private scriptArrived(user: number, bits: number): void {
    const f = user << F64_SHIFT,
      i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    const gen = bits & GEN_MASK;
    if (this.closing || this.i32[i + GEN] !== gen || this.u8[b + STATE] !== UserState.AwaitingScript) return;
    const now = this.sim.now;
    this.scriptLatency.record(now - this.f64[f + SENT_AT]);
    // The page has loaded, script and all: the failed loads in a row end here
    // (not at the page: a script that never comes is a failed load too).
    this.u8[b + FAILURES] = 0;
    if (bits & SOLD_OUT_BIT) {
      // A greyed-out button: the user knows the sale is over without clicking.
      this.finish(user, Outcome.SoldOut);
      return;
    }
    if (bits & ENABLED_BIT) {
      this.u8[b + TOKEN_KIND] = this.staticUrl ? TokenKind.Static : bits & ANONYMOUS_BIT ? TokenKind.Anonymous : TokenKind.Genuine;
      this.u8[b + STATE] = UserState.Reacting;
      const delay = this.u8[b + BOT] ? this.botReaction : this.reaction(this.reactionDraws.uniform(user, this.u8[b + ATTEMPTS]));
      this.sim.schedule(delay, this.clickKind, user, gen);
      return;
    }
    this.scheduleRefresh(user, gen);
  }

  /** Button still disabled: when does this user look again? */
  private scheduleRefresh(user: number, gen: number): void {
    const f = user << F64_SHIFT,
      i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    const now = this.sim.now;
    let next: number;
    if (this.u8[b + BOT]) {
      next = now + this.botRefresh;
    } else {
      const refreshes = this.i32[i + REFRESHES]++;
      const thought = now + this.think(this.thinkDraws.uniform(user, refreshes));
      // The herd: a user refreshes at T0 by their own (skewed) clock. Far
      // from T0 the skew cannot matter, so it is only drawn (once) near it.
      let perceivedStart = Infinity;
      if (thought >= this.skewHorizon) {
        perceivedStart = this.f64[f + PERCEIVED_START];
        if (perceivedStart !== perceivedStart) {
          perceivedStart = this.saleStart + this.clockSkew * inverseNormalCdf(this.skewDraws.uniform(user, 0));
          this.f64[f + PERCEIVED_START] = perceivedStart;
        }
      }
      if (now < perceivedStart) {
        next = Math.min(thought, perceivedStart);
      } else {
        const late = this.u8[b + LATE_REFRESHES]++;
        if (late >= this.lateRefreshLimit) {
          this.finish(user, Outcome.GaveUp);
          return;
        }
        next = now + this.reaction(this.lateDraws.uniform(user, late));
      }
    }
    this.u8[b + STATE] = UserState.Thinking;
    this.sim.scheduleAt(Math.max(now, Math.round(next)), this.refreshKind, user, gen);
  }

  private timedOut(user: number, gen: number): void {
    const f = user << F64_SHIFT,
      i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    if (this.closing || this.i32[i + GEN] !== gen) return;
    const state = this.u8[b + STATE];
    if (state !== UserState.AwaitingPage && state !== UserState.AwaitingScript) return;
    this.timeouts++;
    this.pageTimeouts++;
    const scriptFailed = this.scriptFailed(user, state);
    if (this.failedAgain(user, !scriptFailed)) return;
    // Impatient refresh: the retry storm. After a page that never came, the
    // same intention to see it; after a script, a new look at the page.
    if (scriptFailed) this.f64[f + INTENDED_AT] = this.sim.now;
    this.sendPage(user);
  }

  private errorPage(user: number, gen: number): void {
    const f = user << F64_SHIFT,
      i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    if (this.closing || this.i32[i + GEN] !== gen) return;
    this.pageErrors++;
    const scriptFailed = this.scriptFailed(user, this.u8[b + STATE]);
    if (this.failedAgain(user, !scriptFailed)) return;
    this.u8[b + STATE] = UserState.Thinking;
    const retryAt = this.sim.now + Math.round(this.reaction(this.lateDraws.uniform(user, 1000 + this.i32[i + REFRESHES]++)));
    // After a script error the retry is a new look at the page (the page did come).
    if (scriptFailed) this.f64[f + INTENDED_AT] = retryAt;
    this.sim.scheduleAt(retryAt, this.retryPageKind, user, gen);
  }

  /**
   * A script request in `state` failed now (given up on, or an error): it is
   * a script latency sample — at least this long for one given up on, so
   * that a script server too slow to answer cannot hide behind the requests
   * it did answer in time. True if it was a script request.
   */
  private scriptFailed(user: number, state: number): boolean {
    if (state !== UserState.AwaitingScript) return false;
    this.scriptLatency.record(this.sim.now - this.f64[(user << F64_SHIFT) + SENT_AT]);
    return true;
  }

  /**
   * Counts a failed page load (page or script); true (and the user has left)
   * after `giveUpAfter` in a row. A user who leaves while waiting for the
   * page (`pageUnanswered`) records how long the page took to not come.
   */
  private failedAgain(user: number, pageUnanswered: boolean): boolean {
    const f = user << F64_SHIFT,
      b = user << U8_SHIFT;
    const failures = this.u8[b + FAILURES] + 1;
    this.u8[b + FAILURES] = failures;
    if (failures < this.giveUpAfter) return false;
    if (pageUnanswered) this.pageLatency.record(this.sim.now - this.f64[f + INTENDED_AT]);
    this.finish(user, Outcome.GaveUp);
    return true;
  }

  /** Retry after an error page: the same intention to see the page, so its latency keeps running. */
  private retryPage(user: number, gen: number): void {
    const i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    if (this.closing || this.i32[i + GEN] !== gen || this.u8[b + STATE] !== UserState.Thinking) return;
    this.sendPage(user);
  }

  private click(user: number, gen: number): void {
    const f = user << F64_SHIFT,
      i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    if (this.closing || this.i32[i + GEN] !== gen) return;
    const state = this.u8[b + STATE];
    if (state !== UserState.Reacting && state !== UserState.RetryWait) return;
    const now = this.sim.now;
    const attempt = this.u8[b + ATTEMPTS];
    if (attempt < 255) this.u8[b + ATTEMPTS] = attempt + 1;
    if (this.f64[f + FIRST_CLICK_AT] === Infinity) {
      this.f64[f + FIRST_CLICK_AT] = now;
      this.clickers++;
    }
    const orderGen = this.nextGen(user);
    this.u8[b + STATE] = UserState.Ordering;
    this.flow.send(user, orderGen, attempt, this.u8[b + TOKEN_KIND], this.f64[f + TOKEN_ISSUED_AT], now, now + this.i32[i + RTT] / 2);
    this.sim.schedule(this.patience, this.orderTimeoutKind, user, orderGen);
  }

  private orderTimedOut(user: number, gen: number): void {
    const i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    if (this.closing || this.i32[i + GEN] !== gen || this.u8[b + STATE] !== UserState.Ordering) return;
    this.timeouts++;
    if (this.u8[b + ATTEMPTS] >= this.config.users.retry.maxAttempts) {
      this.finish(user, Outcome.GaveUp);
      return;
    }
    this.u8[b + STATE] = UserState.RetryWait;
    this.click(user, gen); // impatient re-click
  }

  private orderAnswered(user: number, bits: number): void {
    const f = user << F64_SHIFT,
      i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    const answer = (bits & 7) as OrderAnswer;
    const gen = bits >>> 3;
    if (answer === OrderAnswer.Won) {
      this.finish(user, Outcome.Won);
      return;
    }
    if (this.i32[i + GEN] !== gen || this.u8[b + STATE] !== UserState.Ordering) return;
    switch (answer) {
      case OrderAnswer.SoldOut:
        this.finish(user, Outcome.SoldOut);
        return;
      case OrderAnswer.Blocked:
        this.finish(user, Outcome.Blocked);
        return;
      case OrderAnswer.Queued:
        this.u8[b + STATE] = UserState.InRoom;
        return;
      case OrderAnswer.Duplicate:
        // An earlier attempt of this user holds the per-user count, but it
        // may still be at the stock step and fail there (sold out): this is
        // not a definite answer. Ask again later, as after "sale ended"; if
        // the earlier attempt wins, its "won" ends the user before that.
        this.retryOrFinish(user, gen, Outcome.GaveUp);
        return;
      case OrderAnswer.Expired:
        if (this.closing) return;
        if (this.u8[b + ATTEMPTS] >= this.config.users.retry.maxAttempts) {
          this.finish(user, Outcome.GaveUp);
          return;
        }
        this.f64[f + INTENDED_AT] = this.sim.now;
        this.sendPage(user); // a fresh page brings a fresh token
        return;
      case OrderAnswer.SaleEnded:
      case OrderAnswer.Error:
        this.retryOrFinish(user, gen, answer === OrderAnswer.SaleEnded ? Outcome.SaleEnded : Outcome.GaveUp);
        return;
    }
  }

  private retryOrFinish(user: number, gen: number, finalOutcome: Outcome): void {
    const b = user << U8_SHIFT;
    const retry = this.config.users.retry;
    const attempt = this.u8[b + ATTEMPTS];
    if (this.closing || retry.policy === 'none' || attempt >= retry.maxAttempts) {
      this.finish(user, finalOutcome);
      return;
    }
    let delay: number;
    if (this.u8[b + BOT]) delay = this.botRefresh;
    else if (retry.policy === 'fixed') delay = retry.delay;
    else {
      delay = Math.min(retry.cap, retry.delay * 2 ** (attempt - 1));
      if (retry.policy === 'jittered') delay *= this.retryDraws.uniform(user, attempt);
    }
    this.u8[b + STATE] = UserState.RetryWait;
    this.sim.schedule(delay, this.clickKind, user, gen);
  }

  /**
   * Final state: a new generation voids every pending event of the user.
   * (A late "won" can still come after another ending: the order exists.)
   */
  private finish(user: number, outcome: Outcome): void {
    const b = user << U8_SHIFT;
    this.u8[b + STATE] = UserState.Done;
    this.nextGen(user);
    if (this.u8[b + OUTCOME] !== Outcome.Won) this.u8[b + OUTCOME] = outcome;
    if (isDefinite(outcome)) this.decided(user);
  }

  /** A definite answer reached `user` now: their first one after a click is their decision time. */
  private decided(user: number): void {
    const b = user << U8_SHIFT;
    const firstClick = this.f64[(user << F64_SHIFT) + FIRST_CLICK_AT];
    if (this.u8[b + DECIDED] || firstClick === Infinity) return;
    this.u8[b + DECIDED] = 1;
    const latency = this.sim.now - firstClick;
    this.decisionLatency.record(latency);
    if (latency <= TWO_SECONDS_US) this.decidedWithin2s++;
  }

  private nextGen(user: number): number {
    const i = user << I32_SHIFT;
    let gen = (this.i32[i + GEN] + 1) & GEN_MASK;
    if (gen === EARLY_GEN) gen = 0;
    this.i32[i + GEN] = gen;
    return gen;
  }

  // ---- bots --------------------------------------------------------------

  /**
   * A bot that knows the static order URL fires it before T0, one attempt
   * per refresh interval, the last one just before T0. Against a static URL
   * without a start-time check these become orders; against dynamic tokens
   * they are forgeries and are refused.
   */
  private planEarlyAttempts(user: number): void {
    const bots = this.config.users.bots;
    if (!bots.knowsStaticUrl || bots.earlyAttempts === 0) return;
    const now = this.sim.now;
    for (let k = bots.earlyAttempts; k >= 1; k--) {
      const at = this.saleStart - k * bots.refresh;
      if (at >= now) this.sim.scheduleAt(at, this.earlyKind, user, k);
    }
  }

  private earlyAttempt(user: number, k: number): void {
    const i = user << I32_SHIFT,
      b = user << U8_SHIFT;
    if (this.closing || this.u8[b + STATE] === UserState.Done) return;
    const now = this.sim.now;
    const kind = this.staticUrl ? TokenKind.Static : TokenKind.Forged;
    this.flow.send(user, EARLY_GEN, 200 + k, kind, now, now, now + this.i32[i + RTT] / 2);
  }
}
