import type { ResolvedConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RandomSource, RandomStream } from '../kernel/random.js';
import { inverseNormalCdf, samplerOf, type Sampler } from '../kernel/distributions.js';
import { LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import { CdnObject, type Cdn, type CdnListener } from '../system/cdn.js';
import { GEN_MASK, OriginKind, packTag, type OriginPool } from '../system/origin.js';
import { OrderAnswer, TokenKind, type OrderFlow, type OrderFlowListener } from '../system/order-flow.js';
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
/** Generation reserved for bots' early attempts, so only their "won" counts. */
const EARLY_GEN = GEN_MASK;

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
  readonly count: number;
  readonly pageLatency = new LatencyHistogram();
  readonly scriptLatency = new LatencyHistogram();
  readonly orderLatency = new LatencyHistogram();

  pageViews = 0;
  scriptRequests = 0;
  timeouts = 0;
  pageErrors = 0;
  ordersAnsweredWithin2s = 0;
  orderAnswers = 0;
  botsCount = 0;

  readonly state: Uint8Array;
  readonly outcome: Uint8Array;
  readonly isBot: Uint8Array;
  /** First click time (µs; Infinity if never clicked): fairness by click rank. */
  readonly firstClickAt: Float64Array;
  private readonly gen: Int32Array;
  /** When the current request was sent (patience runs from here), µs. */
  private readonly sentAt: Float64Array;
  /**
   * When the user decided to look at the page (arrival, refresh, retry
   * after an error), µs. Impatient re-sends keep it: page latency runs from
   * the intention to the page, however many requests that took.
   */
  private readonly intendedAt: Float64Array;
  /** Round trip per user, whole µs. */
  private readonly rtt: Int32Array;
  private readonly refreshes: Int32Array;
  private readonly lateRefreshes: Uint8Array;
  private readonly attempts: Uint8Array;
  /** 1 when the current origin request's patience timer is scheduled (else it is armed only if the answer turns out late). */
  private readonly timerArmed: Uint8Array;
  /** Failed page loads in a row (timeouts, error pages). */
  private readonly failures: Uint8Array;
  private readonly tokenKind: Uint8Array;
  private readonly tokenIssuedAt: Float64Array;

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
    this.state = new Uint8Array(n);
    this.outcome = new Uint8Array(n);
    this.isBot = new Uint8Array(n);
    this.firstClickAt = new Float64Array(n).fill(Infinity);
    this.gen = new Int32Array(n);
    this.sentAt = new Float64Array(n);
    this.intendedAt = new Float64Array(n);
    this.rtt = new Int32Array(n);
    this.refreshes = new Int32Array(n);
    this.lateRefreshes = new Uint8Array(n);
    this.attempts = new Uint8Array(n);
    this.failures = new Uint8Array(n);
    this.timerArmed = new Uint8Array(n);
    this.tokenKind = new Uint8Array(n);
    this.tokenIssuedAt = new Float64Array(n);

    this.think = samplerOf(users.refresh);
    this.reaction = samplerOf(users.reaction);
    this.thinkDraws = random.stream('think');
    this.reactionDraws = random.stream('reaction');
    this.retryDraws = random.stream('retry');
    this.lateDraws = random.stream('late-refresh');
    this.skewDraws = random.stream('clock-skew');
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

    this.arriveKind = sim.register('user.arrive', (u) => this.arrive(u));
    this.refreshKind = sim.register('user.refresh', (u, g) => this.refresh(u, g));
    this.pageKind = sim.register('user.page', (u, g) => this.pageArrived(u, g));
    this.scriptKind = sim.register('user.script', (u, b) => this.scriptArrived(u, b));
    this.timeoutKind = sim.register('user.timeout', (u, g) => this.timedOut(u, g));
    this.errorKind = sim.register('user.error-page', (u, g) => this.errorPage(u, g));
    this.retryPageKind = sim.register('user.retry-page', (u, g) => this.retryPage(u, g));
    this.clickKind = sim.register('user.click', (u, g) => this.click(u, g));
    this.orderAnswerKind = sim.register('user.order-answer', (u, b) => this.orderAnswered(u, b));
    this.orderTimeoutKind = sim.register('user.order-timeout', (u, g) => this.orderTimedOut(u, g));
    this.earlyKind = sim.register('bot.early-attempt', (u, k) => this.earlyAttempt(u, k));

    // Per-user constants and the first arrival, all from keyed draws.
    const arrival = arrivalSampler(users.arrival);
    const rtt = samplerOf(users.rtt);
    const arrivalDraws = random.stream('arrival');
    const rttDraws = random.stream('rtt');
    const botDraws = random.stream('bot');
    const botShare = users.bots.share;
    for (let u = 0; u < n; u++) {
      this.rtt[u] = Math.round(rtt(rttDraws.uniform(u, 0)));
      if (botDraws.uniform(u, 0) < botShare) {
        this.isBot[u] = 1;
        this.botsCount++;
      }
      sim.scheduleAt(Math.round(arrival(arrivalDraws.uniform(u, 0))), this.arriveKind, u);
    }
  }

  /** Stops all user activity (the simulated duration is over); answers in flight still land. */
  close(): void {
    this.closing = true;
    // Users still waiting for a page have waited at least this long: record
    // it, or a site that never answers would show no page latency at all.
    const now = this.sim.now;
    for (let u = 0; u < this.count; u++) {
      const state = this.state[u];
      if (state === UserState.AwaitingPage || state === UserState.AwaitingScript) this.pageLatency.record(now - this.intendedAt[u]);
    }
  }

  // ---- CDN and origin answers --------------------------------------------

  /** The CDN side of the user model. */
  readonly cdnListener: CdnListener = {
    onEdgeResponse: (user, gen, object, edgeDoneUs, generatedAtUs) => {
      if (this.gen[user] !== gen) return;
      const deliverAt = edgeDoneUs + this.rtt[user];
      if (deliverAt - this.sentAt[user] > this.patience) {
        // The user gives up first. On a hit no timer runs yet: start it.
        if (this.hitPending()) this.sim.scheduleAt(this.sentAt[user] + this.patience, this.timeoutKind, user, gen);
        return;
      }
      this.hitPending();
      if (object === CdnObject.Page) {
        this.sim.scheduleAt(deliverAt, this.pageKind, user, gen);
      } else {
        const enabled = generatedAtUs >= this.saleStart;
        this.tokenIssuedAt[user] = generatedAtUs;
        this.sim.scheduleAt(deliverAt, this.scriptKind, user, gen | (enabled ? ENABLED_BIT : 0) | ANONYMOUS_BIT);
      }
    },
    onEdgeError: (user, gen, _object, nowUs) => {
      if (this.gen[user] !== gen) return;
      this.sim.scheduleAt(nowUs + this.rtt[user], this.errorKind, user, gen);
    },
  };

  /** Whether `user` still waits for its request `gen` (else its connection is closed). */
  stillWaiting(user: number, gen: number): boolean {
    return this.gen[user] === gen;
  }

  /** A page or script answer from the origin for `user` (kinds PageDirect, ScriptDirect and the edge's single fetches are routed elsewhere). */
  originAnswer(user: number, gen: number, kind: OriginKind, linkDoneUs: number, ok: boolean): void {
    if (this.gen[user] !== gen) return;
    const now = this.sim.now;
    if (!ok) {
      // Counted when the error page reaches the user (errorPage), as for CDN errors.
      this.sim.scheduleAt(now + this.rtt[user], this.errorKind, user, gen);
      return;
    }
    const deliverAt = linkDoneUs + this.rtt[user];
    if (deliverAt - this.sentAt[user] > this.patience) {
      // The user gives up first: at its timer, armed now if it was not.
      if (!this.timerArmed[user]) {
        this.timerArmed[user] = 1;
        this.sim.scheduleAt(Math.max(now, this.sentAt[user] + this.patience), this.timeoutKind, user, gen);
      }
      return;
    }
    if (kind === OriginKind.PageDirect) {
      this.sim.scheduleAt(deliverAt, this.pageKind, user, gen);
    } else {
      // The script is generated now: enabled from T0, with a token issued now.
      const enabled = now >= this.saleStart;
      this.tokenIssuedAt[user] = now;
      this.sim.scheduleAt(deliverAt, this.scriptKind, user, gen | (enabled ? ENABLED_BIT : 0));
    }
  }

  /** The order servers' side of the user model. */
  readonly orderListener: OrderFlowListener = {
    onOrderAnswer: (user, gen, answer, clickedAtUs) => {
      const deliverAt = this.sim.now + this.rtt[user] / 2;
      const latency = deliverAt - clickedAtUs;
      this.orderLatency.record(latency);
      this.orderAnswers++;
      if (latency <= 2_000_000) this.ordersAnsweredWithin2s++;
      if (answer !== OrderAnswer.Won && this.gen[user] !== gen) return;
      this.sim.scheduleAt(deliverAt, this.orderAnswerKind, user, (gen << 3) | answer);
    },
  };

  // ---- the state machine -------------------------------------------------

  private arrive(user: number): void {
    if (this.closing) return;
    if (this.isBot[user] && this.sim.now < this.saleStart) this.planEarlyAttempts(user);
    this.intendedAt[user] = this.sim.now;
    this.sendPage(user);
  }

  private refresh(user: number, gen: number): void {
    if (this.closing || this.gen[user] !== gen || this.state[user] !== UserState.Thinking) return;
    this.intendedAt[user] = this.sim.now;
    this.sendPage(user);
  }

  private sendPage(user: number): void {
    const gen = this.nextGen(user);
    const now = this.sim.now;
    this.state[user] = UserState.AwaitingPage;
    this.sentAt[user] = now;
    this.pageViews++;
    this.send(user, gen, CdnObject.Page, this.viaCdn, OriginKind.PageDirect);
  }

  private sendScript(user: number): void {
    const gen = this.nextGen(user);
    this.state[user] = UserState.AwaitingScript;
    this.sentAt[user] = this.sim.now;
    this.scriptRequests++;
    this.send(user, gen, CdnObject.Script, this.scriptViaCdn, OriginKind.ScriptDirect);
  }

  /** Sends a page or script request through the CDN or to the origin, with a patience timer unless the answer is already known. */
  private send(user: number, gen: number, object: CdnObject, viaCdn: boolean, kind: OriginKind): void {
    if (viaCdn) {
      this.hitScheduled = true;
      this.cdn!.request(user, gen, object);
      // A hit was answered synchronously (and armed a timer itself if slow).
      if (!this.hitScheduled) return;
      this.hitScheduled = false;
    } else {
      const waiting = this.origin.queue.waiting;
      this.origin.request(user, packTag(gen, kind));
      if (this.origin.queue.waiting === waiting) {
        // Served at once (or refused, with the error page on its way): the
        // answer time is known when the service ends, well within patience,
        // so the timer is armed then, and only if the answer will be late.
        this.timerArmed[user] = 0;
        return;
      }
    }
    this.timerArmed[user] = 1;
    this.sim.scheduleAt(this.sentAt[user] + this.patience, this.timeoutKind, user, gen);
  }

  /** Clears the "answered synchronously" mark; true if the call was synchronous. */
  private hitPending(): boolean {
    const synchronous = this.hitScheduled;
    this.hitScheduled = false;
    return synchronous;
  }

  private pageArrived(user: number, gen: number): void {
    if (this.closing || this.gen[user] !== gen || this.state[user] !== UserState.AwaitingPage) return;
    this.pageLatency.record(this.sim.now - this.intendedAt[user]);
    this.failures[user] = 0;
    this.sendScript(user);
  }

  private scriptArrived(user: number, bits: number): void {
    const gen = bits & GEN_MASK;
    if (this.closing || this.gen[user] !== gen || this.state[user] !== UserState.AwaitingScript) return;
    const now = this.sim.now;
    this.scriptLatency.record(now - this.sentAt[user]);
    if (bits & ENABLED_BIT) {
      this.tokenKind[user] = this.staticUrl
        ? TokenKind.Static
        : bits & ANONYMOUS_BIT
          ? TokenKind.Anonymous
          : TokenKind.Genuine;
      this.state[user] = UserState.Reacting;
      const delay = this.isBot[user] ? this.botReaction : this.reaction(this.reactionDraws.uniform(user, this.attempts[user]));
      this.sim.schedule(delay, this.clickKind, user, gen);
      return;
    }
    this.scheduleRefresh(user, gen);
  }

  /** Button still disabled: when does this user look again? */
  private scheduleRefresh(user: number, gen: number): void {
    const now = this.sim.now;
    let next: number;
    if (this.isBot[user]) {
      next = now + this.botRefresh;
    } else {
      const refreshes = this.refreshes[user]++;
      const thought = now + this.think(this.thinkDraws.uniform(user, refreshes));
      // The herd: a user refreshes at T0 by their own (skewed) clock. Far
      // from T0 the skew cannot matter, so it is only drawn near it.
      const perceivedStart =
        thought < this.skewHorizon ? Infinity : this.saleStart + this.clockSkew * inverseNormalCdf(this.skewDraws.uniform(user, 0));
      if (now < perceivedStart) {
        next = Math.min(thought, perceivedStart);
      } else {
        const late = this.lateRefreshes[user]++;
        if (late >= this.lateRefreshLimit) {
          this.finish(user, Outcome.GaveUp);
          return;
        }
        next = now + this.reaction(this.lateDraws.uniform(user, late));
      }
    }
    this.state[user] = UserState.Thinking;
    this.sim.scheduleAt(Math.max(now, Math.round(next)), this.refreshKind, user, gen);
  }

  private timedOut(user: number, gen: number): void {
    if (this.closing || this.gen[user] !== gen) return;
    const state = this.state[user];
    if (state !== UserState.AwaitingPage && state !== UserState.AwaitingScript) return;
    this.timeouts++;
    if (this.failedAgain(user)) return;
    this.sendPage(user); // impatient refresh: the retry storm
  }

  private errorPage(user: number, gen: number): void {
    if (this.closing || this.gen[user] !== gen) return;
    this.pageErrors++;
    if (this.failedAgain(user)) return;
    this.state[user] = UserState.Thinking;
    const delay = this.reaction(this.lateDraws.uniform(user, 1000 + this.refreshes[user]++));
    this.sim.schedule(delay, this.retryPageKind, user, gen);
  }

  /** Counts a failed page load; true (and the user has left) after `giveUpAfter` in a row. */
  private failedAgain(user: number): boolean {
    const failures = this.failures[user] + 1;
    this.failures[user] = failures;
    if (failures < this.giveUpAfter) return false;
    this.pageLatency.record(this.sim.now - this.intendedAt[user]);
    this.finish(user, Outcome.GaveUp);
    return true;
  }

  /** Retry after an error page: the same intention to see the page, so its latency keeps running. */
  private retryPage(user: number, gen: number): void {
    if (this.closing || this.gen[user] !== gen || this.state[user] !== UserState.Thinking) return;
    this.sendPage(user);
  }

  private click(user: number, gen: number): void {
    if (this.closing || this.gen[user] !== gen) return;
    const state = this.state[user];
    if (state !== UserState.Reacting && state !== UserState.RetryWait) return;
    const now = this.sim.now;
    const attempt = this.attempts[user];
    if (attempt < 255) this.attempts[user] = attempt + 1;
    if (this.firstClickAt[user] === Infinity) this.firstClickAt[user] = now;
    const orderGen = this.nextGen(user);
    this.state[user] = UserState.Ordering;
    this.flow.send(user, orderGen, attempt, this.tokenKind[user], this.tokenIssuedAt[user], now, now + this.rtt[user] / 2);
    this.sim.schedule(this.patience, this.orderTimeoutKind, user, orderGen);
  }

  private orderTimedOut(user: number, gen: number): void {
    if (this.closing || this.gen[user] !== gen || this.state[user] !== UserState.Ordering) return;
    this.timeouts++;
    if (this.attempts[user] >= this.config.users.retry.maxAttempts) {
      this.finish(user, Outcome.GaveUp);
      return;
    }
    this.state[user] = UserState.RetryWait;
    this.click(user, gen); // impatient re-click
  }

  private orderAnswered(user: number, bits: number): void {
    const answer = (bits & 7) as OrderAnswer;
    const gen = bits >>> 3;
    if (answer === OrderAnswer.Won) {
      this.finish(user, Outcome.Won);
      return;
    }
    if (this.gen[user] !== gen || this.state[user] !== UserState.Ordering) return;
    switch (answer) {
      case OrderAnswer.SoldOut:
        this.finish(user, Outcome.SoldOut);
        return;
      case OrderAnswer.Blocked:
        this.finish(user, Outcome.Blocked);
        return;
      case OrderAnswer.Duplicate:
        // An earlier attempt of this user holds the order; its "won" is on the way.
        this.finish(user, Outcome.Pending);
        return;
      case OrderAnswer.Expired:
        if (this.closing) return;
        if (this.attempts[user] >= this.config.users.retry.maxAttempts) {
          this.finish(user, Outcome.GaveUp);
          return;
        }
        this.intendedAt[user] = this.sim.now;
        this.sendPage(user); // a fresh page brings a fresh token
        return;
      case OrderAnswer.SaleEnded:
      case OrderAnswer.Error:
        this.retryOrFinish(user, gen, answer === OrderAnswer.SaleEnded ? Outcome.SaleEnded : Outcome.GaveUp);
        return;
    }
  }

  private retryOrFinish(user: number, gen: number, finalOutcome: Outcome): void {
    const retry = this.config.users.retry;
    const attempt = this.attempts[user];
    if (this.closing || retry.policy === 'none' || attempt >= retry.maxAttempts) {
      this.finish(user, finalOutcome);
      return;
    }
    let delay: number;
    if (this.isBot[user]) delay = this.botRefresh;
    else if (retry.policy === 'fixed') delay = retry.delay;
    else {
      delay = Math.min(retry.cap, retry.delay * 2 ** (attempt - 1));
      if (retry.policy === 'jittered') delay *= this.retryDraws.uniform(user, attempt);
    }
    this.state[user] = UserState.RetryWait;
    this.sim.schedule(delay, this.clickKind, user, gen);
  }

  /** Final state: a new generation voids every pending event of the user. */
  private finish(user: number, outcome: Outcome): void {
    this.state[user] = UserState.Done;
    this.nextGen(user);
    if (this.outcome[user] !== Outcome.Won) this.outcome[user] = outcome;
  }

  private nextGen(user: number): number {
    let gen = (this.gen[user] + 1) & GEN_MASK;
    if (gen === EARLY_GEN) gen = 0;
    this.gen[user] = gen;
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
    if (this.closing || this.state[user] === UserState.Done) return;
    const now = this.sim.now;
    const kind = this.staticUrl ? TokenKind.Static : TokenKind.Forged;
    this.flow.send(user, EARLY_GEN, 200 + k, kind, now, now, now + this.rtt[user] / 2);
  }
}
