import type { ResolvedConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RandomSequence, RandomSource, RandomStream } from '../kernel/random.js';
import { samplerOf, type Sampler } from '../kernel/distributions.js';
import { Admission, OrderServers } from './order-servers.js';
import { Stock } from './stock.js';
import { ANONYMOUS, STATIC_TOKEN, TokenGate, type TokenVerdict } from './token-gate.js';
import { OrderSubsystem } from './order-subsystem.js';
import { Ledger } from './ledger.js';
import { WaitingRoom } from './waiting-room.js';
import { StockBuffers } from './stock-buffers.js';
import { StoreStep, type StockStep, type StockStepListener } from './stock-step.js';
import { PaymentDeadlines } from './payments.js';
import { OrderBroker } from './order-broker.js';
import { Delivery, OrderRequests, RequestState } from './order-requests.js';
import { STREAM } from './streams.js';

/**
 * The answer an order server gives. Users packs an answer into the low 3
 * bits of an event argument, under the request generation: 7 ({@link
 * OrderAnswer.Queued}) is the largest value that fits, so a new answer needs
 * a wider field there.
 */
export const enum OrderAnswer {
  /** Order placed (sync: created; async: accepted onto the queue). */
  Won = 0,
  /** No stock: from the local sold-out flag or a failed stock take. */
  SoldOut = 1,
  /** Server full (the "sale ended" page), or waited past maxWait. */
  SaleEnded = 2,
  /** Token refused: forged, foreign, early or missing. */
  Blocked = 3,
  /** Token expired: a fresh page gives a new one. */
  Expired = 4,
  /** The order step failed (queue full); its unit was given back unless orders.compensate is false. */
  Error = 5,
  /** This user already has `sale.perUserLimit` orders: nothing taken. */
  Duplicate = 6,
  /**
   * Not an answer to the order: the request has a place in the waiting
   * room's line (the user waits there without giving up), and the answer
   * follows once it is let through.
   */
  Queued = 7,
}

/** What the user presents as the order URL's token. */
export const enum TokenKind {
  /** Issued by the button script to this user. */
  Genuine = 0,
  /** Issued by a CDN-cached script: bound to nobody. */
  Anonymous = 1,
  /** The static URL. */
  Static = 2,
  /** Made up by a bot. */
  Forged = 3,
}

/** Receives the answers, at the moment the server sends them. */
export interface OrderFlowListener {
  /** `gen` is the request generation given to {@link OrderFlow.send}; `clickedAtUs` the click time, µs. */
  onOrderAnswer(user: number, gen: number, answer: OrderAnswer, clickedAtUs: number): void;
  /**
   * The waiting room let `user`'s request of generation `gen` through to the
   * servers now. Returns the generation to answer it with: the user may
   * start waiting afresh under a new one (default: `gen`).
   */
  onLetThrough?(user: number, gen: number): number;
  /**
   * The run ended with `user`'s request, sent at `clickedAtUs` (µs), never
   * answered: it was still in the waiting room's line (which closes with
   * the run). Called from {@link OrderFlow.close}.
   */
  onUnanswered?(user: number, clickedAtUs: number): void;
}

/** The order flow's random streams, by use. */
export interface OrderFlowStreams {
  /** The random balancer's picks, keyed by (user, attempt). */
  balancer: RandomStream;
  /** Order-server service times, in admission order. */
  service: RandomSequence;
  /** Order-creation times, in submission order. */
  create: RandomSequence;
  /** Which accepted async order messages are lost (orders.lossRate). */
  loss: RandomSequence;
  /** Which async order messages are delivered twice (orders.duplicateRate), keyed by (user, message). */
  duplicate: RandomStream;
  /** Which created orders go unpaid (orders.unpaid), keyed by (user, the user's n-th order). */
  payment: RandomStream;
  /** The waiting room's lottery tickets (random mode), keyed by user. */
  roomTicket: RandomStream;
}

/** The order flow's streams of a replication, by their names in streams.ts. */
export function orderFlowStreams(random: RandomSource): OrderFlowStreams {
  return {
    balancer: random.stream(STREAM.balancer),
    service: random.stream(STREAM.orderService).sequence(),
    create: random.stream(STREAM.orderCreate).sequence(),
    loss: random.stream(STREAM.orderLoss).sequence(),
    duplicate: random.stream(STREAM.orderDuplicate),
    payment: random.stream(STREAM.orderPayment),
    roomTicket: random.stream(STREAM.roomTicket),
  };
}

/** What an order flow is built from. */
export interface OrderFlowDependencies {
  /** The sale's simulation: the flow and its parts register their event kinds on it. */
  sim: Simulation;
  /** The run's configuration: `sale`, `duration` and `system` (order servers, token gate, waiting room, stock, orders). */
  config: ResolvedConfig;
  /** Population size (per-user order counts). */
  users: number;
  /** Strategy name, written into the ledger. */
  strategy: string;
  /** Seed of the token HMAC secret (tokenSecretSeed in token-gate.ts). */
  tokenSecret: number;
  /** The random streams ({@link orderFlowStreams}). */
  streams: OrderFlowStreams;
  /** Receives the answers. */
  listener: OrderFlowListener;
}

/**
 * One order attempt's path through the system, with the real logic of each
 * step: balancer → local sold-out flag → token check (HMAC, expiry,
 * binding, start time; after the service instead with tokenGate.checkAt:
 * after-service) → server admission (quota spent? slots: reject / queue /
 * unbounded) → service → per-user limit → the server's quota → stock step → order subsystem
 * (through the broker when async) → ledger → answer. A request holds its slot from admission to its answer.
 *
 * The per-user step counts the user's order before the stock step (an
 * atomic check-and-increment, like a unique index or a Redis SETNX when the
 * limit is 1) and takes it back on failure, so an attempt beyond the limit
 * never consumes stock.
 *
 * This class is the step sequence; its parts are the request records
 * (order-requests.ts), the stock step (stock-step.ts: the store, or the
 * servers' buffers), the broker's delivery semantics (order-broker.ts) and
 * the components of each step. Events carry the record index, and the
 * maxWait deadline also a serial number that detects reuse (the other
 * events cannot outlive their record).
 */
export class OrderFlow {
  /** Slot accounting, quotas and balancing. */
  readonly servers: OrderServers;
  /** The stock counter and its primitive. */
  readonly stock: Stock;
  /** Token checks of the order URL. */
  readonly gate: TokenGate;
  /** Order creation after a successful stock take. */
  readonly orders: OrderSubsystem;
  /** Orders created, for the audit. */
  readonly ledger: Ledger;
  /** The waiting room in front of the servers; null when system.waitingRoom.mode is off. */
  readonly room: WaitingRoom | null;
  /** The order servers' stock buffers; null when system.stock.buffer is 0 (every take is a store operation). */
  readonly buffers: StockBuffers | null;
  /** Payment deadlines of created orders; null when orders.unpaid is 0% (every order is paid). */
  readonly payments: PaymentDeadlines | null;

  #attempts = 0;
  #admitted = 0;
  #rejected = 0;
  #soldOutAnswers = 0;
  #strandedSoldOut = 0;
  #duplicates = 0;
  #errors = 0;
  #earlyAttempts = 0;
  #leakedUnits = 0;
  #queueWait = 0;
  #soldOutAtUs: number | null = null;
  #scriptSoldOutFrom = Infinity;
  readonly #wonResponses: number[] = [];
  readonly #tokenRejected: Record<Exclude<TokenVerdict, 'ok'>, number> = {
    forged: 0,
    expired: 0,
    foreign: 0,
    early: 0,
    missing: 0,
  };

  private readonly sim: Simulation;
  private readonly config: ResolvedConfig;
  private readonly listener: OrderFlowListener;
  private readonly requests = new OrderRequests();
  /** Where units come from: the servers' buffers, or the store directly. */
  private readonly stockStep: StockStep;
  private readonly broker: OrderBroker;
  /** Per user, orders counted against sale.perUserLimit. */
  private readonly ordered: Uint8Array;
  /**
   * Whether the balancer picks a server at the click (random: a keyed draw,
   * blind to load, the same whenever it is made) rather than when the
   * request reaches the servers (round-robin, least-loaded: they balance
   * what arrives, counting the requests each server holds at that moment).
   */
  private readonly pickAtClick: boolean;
  /** Whether the token is checked on arrival at the servers (tokenGate.checkAt admission, the default) rather than after the service. */
  private readonly checkAtAdmission: boolean;
  /** Whether ledger orders carry the time their token was judged at (presentedUs): behind a room, or checked at admission. */
  private readonly recordsPresented: boolean;
  private readonly service: Sampler;
  private readonly serviceDraws: RandomSequence;

  private readonly arriveKind: number;
  private readonly serviceDoneKind: number;
  private readonly deadlineKind: number;
  private readonly isWaiting = (request: number): boolean => {
    if (this.requests.state[request] === RequestState.Waiting) return true;
    this.release(request);
    return false;
  };

  /** Builds the flow and its parts; registers their event kinds on `deps.sim`. */
  constructor(deps: OrderFlowDependencies) {
    const { sim, config, users, streams } = deps;
    this.sim = sim;
    this.config = config;
    this.listener = deps.listener;
    const system = config.system;
    this.servers = new OrderServers(system.orderServers, streams.balancer, { fromUs: config.sale.start, toUs: config.duration });
    this.stock = new Stock(config.sale.stock, system.stock);
    this.gate = new TokenGate(system.tokenGate, config.sale.start, deps.tokenSecret);
    this.ledger = new Ledger(deps.strategy);
    this.orders = new OrderSubsystem(sim, system.orders, streams.create, {
      onOrderCreated: (request) => this.created(request),
    });
    this.broker = new OrderBroker(system.orders, users, this.orders, streams.loss, streams.duplicate);
    this.ordered = new Uint8Array(users);
    this.pickAtClick = system.orderServers.balancer === 'random';
    this.checkAtAdmission = system.tokenGate.checkAt !== 'after-service';
    this.recordsPresented = this.checkAtAdmission || system.waitingRoom.mode !== 'off';
    this.service = samplerOf(system.orderServers.service);
    this.serviceDraws = streams.service;
    this.arriveKind = sim.register('order.arrive', (r) => this.arrive(r));
    this.serviceDoneKind = sim.register('order.service-done', (r) => this.serviceDone(r));
    this.deadlineKind = sim.register('order.deadline', (r, s) => this.deadline(r, s));
    this.room =
      system.waitingRoom.mode === 'off'
        ? null
        : new WaitingRoom(sim, system.waitingRoom, config.sale.start, config.duration, users, streams.roomTicket, {
            onLetThrough: (r) => this.letThrough(r),
            soldOut: () => this.servers.knowsSoldOut(this.sim.now),
            // Its user's newer request holds the place now: this one never reaches the servers (nor gets an answer: the user waits on the newer one).
            onReplaced: (r) => this.requests.free(r),
          });
    const units: StockStepListener = {
      onUnit: (r) => this.unitTaken(r),
      onNone: (r) => this.noUnit(r),
      onRanOut: (now) => this.stockRanOut(now),
    };
    this.buffers = system.stock.buffer === 0 ? null : new StockBuffers(sim, this.stock, system.stock.buffer, this.servers.count, units);
    this.stockStep = this.buffers ?? new StoreStep(sim, this.stock, this.requests, units);
    // Only with unpaid orders (its deadline event kind is registered then), as for the buffers.
    this.payments =
      system.orders.unpaid > 0
        ? new PaymentDeadlines(sim, system.orders, config.duration, streams.payment, {
            onCancelled: (orderId, user) => this.cancelled(orderId, user),
          })
        : null;
  }

  /** Requests that reached the order servers. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Requests given a slot, on arrival or later from a line. */
  get admitted(): number {
    return this.#admitted;
  }

  /** "Sale ended" answers: server full, its quota spent (on arrival or at the check), or waited past maxWait. */
  get rejected(): number {
    return this.#rejected;
  }

  /** "Sold out" answers. */
  get soldOutAnswers(): number {
    return this.#soldOutAnswers;
  }

  /** "Sold out" answers given while some order server's buffer still held units (stock.buffer only). */
  get strandedSoldOut(): number {
    return this.#strandedSoldOut;
  }

  /** Attempts refused by the per-user limit. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /** Orders refused by a full order queue (stock given back unless orders.compensate is false). */
  get errors(): number {
    return this.#errors;
  }

  /** Time requests spent in the servers' lines (onFull: queue), µs in all: to their slot, or to their deadline for those that gave up. */
  get queueWait(): number {
    return this.#queueWait;
  }

  /** Requests that reached the servers, or the waiting room's door, before T0. */
  get earlyAttempts(): number {
    return this.#earlyAttempts;
  }

  /** Token refusals, by verdict. */
  get tokenRejected(): Readonly<Record<Exclude<TokenVerdict, 'ok'>, number>> {
    return this.#tokenRejected;
  }

  /** When the units handed out reached the stock, µs (null while units remain; the racy primitive may oversell after it). */
  get soldOutAtUs(): number | null {
    return this.#soldOutAtUs;
  }

  /**
   * From when button scripts say "sold out", µs: buttonScript.soldOutDelay
   * after the stock ran out; Infinity while the stock lasts, or always
   * without the knob. A script made at or after it greys the button out.
   */
  get scriptSoldOutFrom(): number {
    return this.#scriptSoldOutFrom;
  }

  /** Users told "won", in answer order. */
  get wonResponses(): readonly number[] {
    return this.#wonResponses;
  }

  /** Async order messages lost after "won" (orders.lossRate): no order, and the unit is never given back. */
  get lostMessages(): number {
    return this.broker.lostMessages;
  }

  /** Units taken from the stock that no order holds and nobody gave back: refused orders without compensation, and lost messages. */
  get leakedUnits(): number {
    return this.#leakedUnits;
  }

  /** Async order messages the broker delivered a second time (orders.duplicateRate). */
  get duplicatedMessages(): number {
    return this.broker.duplicatedMessages;
  }

  /** Second deliveries an idempotent consumer recognised and dropped (orders.idempotent); the others created a second order. */
  get droppedDuplicates(): number {
    return this.broker.droppedDuplicates;
  }

  /**
   * Units handed out to requests (successful takes) minus units given
   * back: the store's count without buffers; with them, units sold from the
   * buffers (those still in buffers or on their way are not handed out).
   */
  get unitsHandedOut(): number {
    return this.stockStep.sold - this.stock.returned;
  }

  /**
   * `user` clicked at `clickedAtUs`; the request reaches the order servers
   * at `arrivesAtUs` (µs, not in the past). `gen` is echoed in the answer;
   * `attempt` (the user's order attempt number) keys the random balancer;
   * `tokenIssuedAtUs` is when the presented token was issued, µs.
   */
  send(
    user: number,
    gen: number,
    attempt: number,
    kind: TokenKind,
    tokenIssuedAtUs: number,
    clickedAtUs: number,
    arrivesAtUs: number,
  ): void {
    const q = this.requests;
    const r = q.allocate();
    q.user[r] = user;
    q.gen[r] = gen;
    // A load-aware pick at the click would see the load half a round trip
    // before the request lands (behind a room, the load when it joined the
    // line): every click in that window would go to the same server.
    q.server[r] = this.pickAtClick ? this.servers.pick(user, attempt) : -1;
    q.tokenKind[r] = kind;
    q.tokenIssuedAt[r] = tokenIssuedAtUs;
    q.clickedAt[r] = clickedAtUs;
    this.sim.scheduleAt(arrivesAtUs, this.arriveKind, r);
  }

  /**
   * The run is over (`duration`): reports every request that will never be
   * answered — those still in the waiting room's line — to the listener.
   * Requests with the servers are answered while the run drains.
   */
  close(): void {
    this.servers.closeWindow(this.sim.now);
    const { listener, room, requests: q } = this;
    if (room === null || listener.onUnanswered === undefined) return;
    room.forEachWaiting((r) => listener.onUnanswered?.(q.user[r], q.clickedAt[r]));
  }

  /**
   * Order `orderId` of `user` went unpaid past its deadline: the ledger
   * records the cancellation, its unit goes back on sale, and the user may
   * buy again.
   */
  private cancelled(orderId: number, user: number): void {
    this.ledger.cancel(orderId, this.sim.now);
    this.unitBack();
    // A mark released, not a count lowered below 0: a consumer that is not
    // idempotent made two orders of one accepted attempt (one mark), and
    // each cancellation releases the mark; a second would wrap the Uint8
    // to 255 and refuse the user as a duplicate for the rest of the run.
    if (this.ordered[user] > 0) this.ordered[user]--;
  }

  /**
   * A unit goes back on sale (a refused order's compensation, a cancelled
   * unpaid order): to the store, not a server's buffer, so that any server
   * can sell it again; the sale is no longer sold out, and with
   * orderServers.reopenOnReturn the servers forget they sold out.
   */
  private unitBack(): void {
    this.stock.giveBack();
    if (this.unitsHandedOut < this.stock.initial) this.#soldOutAtUs = null;
    this.servers.reopen();
    // The button reopens with the servers' flag, and greys out again when the stock next runs out.
    if (this.config.system.orderServers.reopenOnReturn) this.#scriptSoldOutFrom = Infinity;
  }

  private arrive(r: number): void {
    const now = this.sim.now;
    // Counted where the request meets the sale: the room's door, or the servers (a room lets nobody through before T0).
    if (now < this.config.sale.start) this.#earlyAttempts++;
    if (this.room !== null) {
      const q = this.requests;
      q.presentedAt[r] = now;
      this.room.enter(r, q.user[r]);
      this.listener.onOrderAnswer(q.user[r], q.gen[r], OrderAnswer.Queued, q.clickedAt[r]);
      return;
    }
    this.reachServers(r);
  }

  /** The waiting room lets request `r` through: it reaches the servers now, answered under the generation the user waits on. */
  private letThrough(r: number): void {
    const q = this.requests;
    if (this.listener.onLetThrough) q.gen[r] = this.listener.onLetThrough(q.user[r], q.gen[r]);
    this.reachServers(r);
  }

  /** Request `r` reaches the order servers now. */
  private reachServers(r: number): void {
    this.#attempts++;
    const q = this.requests;
    // (The attempt number keys only the random balancer's pick, made at the click.)
    if (q.server[r] < 0) q.server[r] = this.servers.pick(q.user[r], 0);
    const s = q.server[r];
    // With buffers the flag says the store is empty: a server still selling
    // from its buffer goes on, one with an empty buffer says "sold out" (even
    // with a refill on its way: counting on it would keep every server's
    // refills going, each new arrival reaching the stock step as the last
    // refill came back empty).
    if (this.servers.knowsSoldOut(this.sim.now) && this.stockStep.unitsAt(s) === 0) {
      this.answer(r, OrderAnswer.SoldOut);
      this.requests.free(r);
      return;
    }
    if (this.checkAtAdmission) {
      // The cheap check at the door: a refused token holds no slot and costs no service.
      if (this.room === null) q.presentedAt[r] = this.sim.now;
      const verdict = this.verifyToken(r);
      if (verdict !== 'ok') {
        this.refuseToken(r, verdict);
        this.requests.free(r);
        return;
      }
    }
    switch (this.servers.admit(s, r, this.sim.now)) {
      case Admission.Admitted:
        this.#admitted++;
        this.startService(r);
        break;
      case Admission.Queued:
        q.state[r] = RequestState.Waiting;
        q.queuedAt[r] = this.sim.now;
        this.sim.schedule(this.config.system.orderServers.maxWait, this.deadlineKind, r, this.requests.serial[r]);
        break;
      case Admission.Rejected:
        this.#rejected++;
        this.answer(r, OrderAnswer.SaleEnded);
        this.requests.free(r);
        break;
    }
  }

  private startService(r: number): void {
    const q = this.requests;
    q.state[r] = RequestState.Active;
    const slowdown = this.servers.slowdown(q.server[r]);
    this.sim.schedule(this.service(this.serviceDraws.next()) * slowdown, this.serviceDoneKind, r);
  }

  private deadline(r: number, serial: number): void {
    const q = this.requests;
    if (q.serial[r] !== serial || q.state[r] !== RequestState.Waiting) return;
    q.state[r] = RequestState.Abandoned;
    this.#rejected++;
    this.#queueWait += this.sim.now - q.queuedAt[r];
    this.servers.abandoned(q.server[r], this.sim.now);
    this.answer(r, OrderAnswer.SaleEnded);
    // The record stays allocated until the server's line reaches it.
  }

  private serviceDone(r: number): void {
    const q = this.requests;
    const now = this.sim.now;
    const user = q.user[r];
    if (!this.checkAtAdmission) {
      const verdict = this.verifyToken(r);
      if (verdict !== 'ok') {
        this.refuseToken(r, verdict);
        this.releaseSlot(r);
        this.requests.free(r);
        return;
      }
    }
    if (this.ordered[user] >= this.config.sale.perUserLimit) {
      this.#duplicates++;
      this.finish(r, OrderAnswer.Duplicate);
      return;
    }
    if (!this.servers.passOn(q.server[r])) {
      this.#rejected++;
      this.finish(r, OrderAnswer.SaleEnded);
      return;
    }
    this.ordered[user]++;
    q.acceptedAt[r] = now;
    this.stockStep.take(q.server[r], r);
  }

  /**
   * Checks request `r`'s token now. Behind a waiting room it is judged as
   * of when it was presented at the room's door: a place in line does not
   * expire while it waits (the room vouches for it), and a shot before T0
   * is still early.
   */
  private verifyToken(r: number): TokenVerdict {
    const q = this.requests;
    const at = this.room !== null ? q.presentedAt[r] : this.sim.now;
    // Kept for the ledger, should the order be accepted: one HMAC less than making it again.
    const token = (q.token[r] = this.presentedToken(r));
    return this.gate.verify(token, q.user[r], at);
  }

  /** Counts and answers request `r`'s refused token (the caller frees its slot, if it holds one, and its record). */
  private refuseToken(r: number, verdict: Exclude<TokenVerdict, 'ok'>): void {
    this.#tokenRejected[verdict]++;
    this.answer(r, verdict === 'expired' ? OrderAnswer.Expired : OrderAnswer.Blocked);
  }

  /** Request `r`'s stock take found no unit: sold out. */
  private noUnit(r: number): void {
    this.ordered[this.requests.user[r]]--;
    this.finish(r, OrderAnswer.SoldOut);
  }

  /** Request `r` got its unit (from the store, or from its server's buffer): on to the order step. */
  private unitTaken(r: number): void {
    // Sold out when the units handed out reach the stock, whatever the
    // counter says: a racy counter that lost updates still shows stock
    // while orders exceed it.
    if (this.unitsHandedOut === this.stock.initial) this.#soldOutAtUs = this.sim.now;
    const synchronous = this.orders.synchronous;
    if (!synchronous && this.broker.loses()) {
      // Accepted by the broker, then lost: the buyer is told "won", no
      // consumer ever sees the order, and nothing gives the unit back.
      this.#leakedUnits++;
      this.answer(r, OrderAnswer.Won);
      this.releaseSlot(r);
      this.requests.free(r);
      return;
    }
    const q = this.requests;
    if (!this.orders.submit(r)) {
      if (this.config.system.orders.compensate) {
        this.unitBack();
      } else {
        this.#leakedUnits++;
      }
      this.ordered[q.user[r]]--;
      this.finish(r, OrderAnswer.Error);
      return;
    }
    if (!synchronous) {
      q.state[r] = RequestState.Creating;
      q.delivery[r] = this.broker.deliveryOf(q.user[r]);
      this.answer(r, OrderAnswer.Won);
      this.releaseSlot(r);
    }
  }

  /** The stock ran out at `now`: the servers learn it after soldOutFlagDelay, and the waiting room with them; the button script after buttonScript.soldOutDelay. */
  private stockRanOut(now: number): void {
    const scriptDelay = this.config.system.buttonScript.soldOutDelay;
    if (scriptDelay !== undefined && this.#scriptSoldOutFrom === Infinity) this.#scriptSoldOutFrom = now + scriptDelay;
    if (this.servers.soldOutFlagAt !== Infinity) return;
    this.servers.stockRanOut(now);
    if (this.room !== null && this.config.system.orderServers.soldOutFlag) this.room.soldOutKnownAt(this.servers.soldOutFlagAt);
  }

  /** A consumer is done with request `r`'s order (its delivery, when async). */
  private created(r: number): void {
    const q = this.requests;
    if (this.broker.creates(q.delivery[r])) {
      const orderId = this.ledger.append(
        q.user[r],
        this.sim.now,
        q.acceptedAt[r],
        q.token[r],
        q.server[r],
        this.recordsPresented ? q.presentedAt[r] : undefined,
      );
      if (this.payments !== null) this.payments.created(orderId, q.user[r]);
    }
    if (this.orders.synchronous) {
      this.finish(r, OrderAnswer.Won);
    } else if (q.delivery[r] === Delivery.FirstOfTwo) {
      q.delivery[r] = Delivery.Redelivery;
      this.broker.redeliver(r);
    } else {
      q.free(r);
    }
  }

  /** Answers, frees the slot and the record. */
  private finish(r: number, answer: OrderAnswer): void {
    this.answer(r, answer);
    this.releaseSlot(r);
    this.requests.free(r);
  }

  private answer(r: number, answer: OrderAnswer): void {
    const q = this.requests;
    if (answer === OrderAnswer.Won) this.#wonResponses.push(q.user[r]);
    if (answer === OrderAnswer.SoldOut) {
      this.#soldOutAnswers++;
      if (this.stockStep.held > 0) this.#strandedSoldOut++;
    }
    if (answer === OrderAnswer.Error) this.#errors++;
    this.listener.onOrderAnswer(q.user[r], q.gen[r], answer, q.clickedAt[r]);
  }

  private releaseSlot(r: number): void {
    const now = this.sim.now;
    const next = this.servers.release(this.requests.server[r], this.isWaiting, now);
    if (next >= 0) {
      this.#queueWait += now - this.requests.queuedAt[next];
      this.#admitted++;
      this.startService(next);
    }
  }

  /** A queued request the line reached after its deadline: only the record is left to free. */
  private release(r: number): void {
    if (this.requests.state[r] === RequestState.Abandoned) this.requests.free(r);
  }

  private presentedToken(r: number): string {
    const q = this.requests;
    const user = q.user[r];
    switch (q.tokenKind[r] as TokenKind) {
      case TokenKind.Genuine:
        return this.gate.issue(user, q.tokenIssuedAt[r]);
      case TokenKind.Anonymous:
        return this.gate.issue(ANONYMOUS, q.tokenIssuedAt[r]);
      case TokenKind.Static:
        return STATIC_TOKEN;
      default:
        return this.gate.forge(user, this.sim.now);
    }
  }
}
