import type { ResolvedConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RandomSequence, RandomStream } from '../kernel/random.js';
import { samplerOf, type Sampler } from '../kernel/distributions.js';
import { Admission, OrderServers } from './order-servers.js';
import { Stock } from './stock.js';
import { ANONYMOUS, STATIC_TOKEN, TokenGate, type TokenVerdict } from './token-gate.js';
import { OrderSubsystem } from './order-subsystem.js';
import { Ledger } from './ledger.js';
import { grownTo } from '../kernel/typed-arrays.js';
import { WaitingRoom } from './waiting-room.js';
import { StockBuffers } from './stock-buffers.js';
import { PaymentDeadlines, type PaymentListener } from './payments.js';

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

/** Request record states. */
const FREE = 0;
const WAITING = 1;
const ACTIVE = 2;
/** Answered "sale ended" at its deadline while still in a server's line. */
const ABANDONED = 3;
/** Answered "won" (async) and waiting for its order to be created. */
const CREATING = 4;

/** Deliveries of a request's async order message (orders.duplicateRate). */
const DELIVERED_ONCE = 0;
/** The broker will deliver it again once its first delivery has been consumed. */
const FIRST_OF_TWO = 1;
/** This is the second delivery. */
const REDELIVERY = 2;

/**
 * One order attempt's path through the system, with the real logic of each
 * step: balancer → local sold-out flag → slot admission (reject / queue /
 * unbounded) → service → token check (HMAC) → per-user limit → stock
 * primitive → order subsystem → ledger → answer. A request holds its slot
 * from admission to its answer.
 *
 * The per-user step counts the user's order before the stock step (an
 * atomic check-and-increment, like a unique index or a Redis SETNX when the
 * limit is 1) and takes it back on failure, so an attempt beyond the limit
 * never consumes stock.
 *
 * Requests are records in growable typed arrays with a free list; events
 * carry the record index, and the maxWait deadline also a serial number
 * that detects reuse (the other events cannot outlive their record).
 */
export class OrderFlow implements PaymentListener {
  /** Slot accounting and balancing. */
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
  /** Users told "won", in answer order. */
  readonly wonResponses: number[] = [];
  /** Payment deadlines of created orders; null when orders.unpaid is 0% (every order is paid). */
  readonly payments: PaymentDeadlines | null;

  /** Requests that reached the order servers. */
  attempts = 0;
  /** Requests given a slot, on arrival or later from a line. */
  admitted = 0;
  /** "Sale ended" answers: server full, or waited past maxWait. */
  rejected = 0;
  /** "Sold out" answers. */
  soldOutAnswers = 0;
  /** "Sold out" answers given while some order server's buffer still held units (stock.buffer only). */
  strandedSoldOut = 0;
  /** Attempts refused by the per-user limit. */
  duplicates = 0;
  /** Orders refused by a full order queue (stock given back). */
  errors = 0;
  /** Requests that reached the servers, or the waiting room's door, before T0. */
  earlyAttempts = 0;
  /** Token refusals, by verdict. */
  readonly tokenRejected: Record<Exclude<TokenVerdict, 'ok'>, number> = {
    forged: 0,
    expired: 0,
    foreign: 0,
    early: 0,
    missing: 0,
  };
  /** When the units handed out reached the stock, µs (null while units remain; the racy primitive may oversell after it). */
  soldOutAtUs: number | null = null;
  /** Answers that turned a request away (anything but won or duplicate); the user may still buy later. */
  turnedAway = 0;
  /** Async order messages lost after "won" (orders.lossRate): no order, and the unit is never given back. */
  lostMessages = 0;
  /** Units taken from the stock that no order holds and nobody gave back: refused orders without compensation, and lost messages. */
  leakedUnits = 0;
  /** Async order messages the broker delivered a second time (orders.duplicateRate). */
  duplicatedMessages = 0;
  /** Second deliveries an idempotent consumer recognised and dropped (orders.idempotent); the others created a second order. */
  droppedDuplicates = 0;

  private readonly ordered: Uint8Array;
  /** Per user, async order messages accepted so far: keys the duplicate draw (empty without orders.duplicateRate). */
  private readonly messagesOf: Int32Array;
  /**
   * Whether the balancer picks a server when the room lets the request
   * through (round-robin, least-loaded: they balance what reaches the
   * servers) rather than at the click (no room, or the random balancer,
   * whose keyed pick is the same whenever it is made).
   */
  private readonly pickWhenLetThrough: boolean;
  private readonly service: Sampler;
  private capacity = 0;
  private freeHead = -1;
  private user = new Int32Array(0);
  private gen = new Int32Array(0);
  private server = new Int32Array(0);
  private serial = new Int32Array(0);
  private state = new Uint8Array(0);
  private tokenKind = new Uint8Array(0);
  private stockRead = new Int32Array(0);
  private stockOk = new Uint8Array(0);
  private delivery = new Uint8Array(0);
  private tokenIssuedAt = new Float64Array(0);
  private clickedAt = new Float64Array(0);
  private acceptedAt = new Float64Array(0);
  /** When the request took its place in the waiting room's line, µs (with a room only). */
  private enteredRoomAt = new Float64Array(0);
  private readonly tokens: string[] = [];

  private readonly arriveKind: number;
  private readonly serviceDoneKind: number;
  private readonly stockDoneKind: number;
  private readonly deadlineKind: number;
  private readonly isWaiting = (request: number): boolean => {
    if (this.state[request] === WAITING) return true;
    this.release(request);
    return false;
  };

  /**
   * @param users population size (per-user order counts).
   * @param strategy written into the ledger.
   * @param tokenSecret seed of the token HMAC secret (tokenSecretSeed in token-gate.ts).
   * @param serviceDraws draws for order-server service times.
   * @param orderDraws draws for order-creation times.
   * @param lossDraws draws deciding which async order messages are lost (orders.lossRate).
   * @param duplicateDraws draws deciding which async order messages are delivered twice (orders.duplicateRate), keyed by (user, message).
   * @param paymentDraws draws deciding which created orders go unpaid (orders.unpaid), keyed by (user, the user's n-th order).
   * @param roomDraws the waiting room's lottery tickets (random mode).
   */
  constructor(
    private readonly sim: Simulation,
    private readonly config: ResolvedConfig,
    users: number,
    strategy: string,
    tokenSecret: number,
    balancerDraws: RandomStream,
    private readonly serviceDraws: RandomSequence,
    orderDraws: RandomSequence,
    private readonly lossDraws: RandomSequence,
    private readonly duplicateDraws: RandomStream,
    paymentDraws: RandomStream,
    roomDraws: RandomStream,
    private readonly listener: OrderFlowListener,
  ) {
    const system = config.system;
    this.servers = new OrderServers(system.orderServers, balancerDraws);
    this.stock = new Stock(config.sale.stock, system.stock);
    this.gate = new TokenGate(system.tokenGate, config.sale.start, tokenSecret);
    this.ledger = new Ledger(strategy);
    this.orders = new OrderSubsystem(sim, system.orders, orderDraws, {
      onOrderCreated: (request) => this.created(request),
    });
    this.ordered = new Uint8Array(users);
    this.messagesOf = new Int32Array(system.orders.duplicateRate > 0 ? users : 0);
    this.pickWhenLetThrough = system.waitingRoom.mode !== 'off' && system.orderServers.balancer !== 'random';
    this.service = samplerOf(system.orderServers.service);
    this.grow(64);
    this.arriveKind = sim.register('order.arrive', (r) => this.arrive(r));
    this.serviceDoneKind = sim.register('order.service-done', (r) => this.serviceDone(r));
    this.stockDoneKind = sim.register('order.stock-done', (r) => this.stockDone(r));
    this.deadlineKind = sim.register('order.deadline', (r, s) => this.deadline(r, s));
    this.room =
      system.waitingRoom.mode === 'off'
        ? null
        : new WaitingRoom(sim, system.waitingRoom, config.sale.start, config.duration, users, roomDraws, {
            onLetThrough: (r) => this.letThrough(r),
            soldOut: () => this.servers.knowsSoldOut(this.sim.now),
            // Its user's newer request holds the place now: this one never reaches the servers (nor gets an answer: the user waits on the newer one).
            onReplaced: (r) => this.free(r),
          });
    this.buffers =
      system.stock.buffer === 0
        ? null
        : new StockBuffers(sim, this.stock, system.stock.buffer, this.servers.count, {
            onUnit: (r) => this.unitTaken(r),
            onNone: (r) => this.noUnit(r),
            onRefilled: (now, taken) => {
              if (taken === 0 || this.stock.level <= 0) this.stockRanOut(now);
            },
          });
    // Only with unpaid orders (its deadline event kind is registered then), as for the buffers.
    this.payments = system.orders.unpaid > 0 ? new PaymentDeadlines(sim, system.orders, config.duration, paymentDraws, this) : null;
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
    const r = this.allocate();
    this.user[r] = user;
    this.gen[r] = gen;
    // Behind a room a pick at the click would balance the line's entries on the servers' load then (all idle during a lottery window).
    this.server[r] = this.pickWhenLetThrough ? -1 : this.servers.pick(user, attempt);
    this.tokenKind[r] = kind;
    this.tokenIssuedAt[r] = tokenIssuedAtUs;
    this.clickedAt[r] = clickedAtUs;
    this.sim.scheduleAt(arrivesAtUs, this.arriveKind, r);
  }

  /**
   * The run is over (`duration`): reports every request that will never be
   * answered — those still in the waiting room's line — to the listener.
   * Requests with the servers are answered while the run drains.
   */
  close(): void {
    const unanswered = this.listener.onUnanswered;
    if (this.room === null || unanswered === undefined) return;
    this.room.forEachWaiting((r) => unanswered.call(this.listener, this.user[r], this.clickedAt[r]));
  }

  /**
   * Order `orderId` of `user` went unpaid past its deadline: the ledger
   * records the cancellation, its unit goes back to the store (not a
   * server's buffer: any server may sell it), the user may buy again, and
   * with orderServers.reopenOnReturn the servers forget they sold out.
   */
  onCancelled(orderId: number, user: number): void {
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
    if (this.unitsHandedOut < this.stock.initial) this.soldOutAtUs = null;
    this.servers.reopen();
  }

  /**
   * Units handed out to requests (successful takes) minus units given
   * back: the store's count without buffers; with them, units sold from the
   * buffers (those still in buffers or on their way are not handed out).
   */
  get unitsHandedOut(): number {
    return this.buffers === null ? this.stock.handedOut : this.buffers.sold - this.stock.returned;
  }

  /** Orders accepted but not yet in the ledger. */
  get pendingOrders(): number {
    return this.orders.backlog;
  }

  private arrive(r: number): void {
    if (this.room !== null) {
      const now = this.sim.now;
      if (now < this.config.sale.start) this.earlyAttempts++;
      this.enteredRoomAt[r] = now;
      this.room.enter(r, this.user[r]);
      this.listener.onOrderAnswer(this.user[r], this.gen[r], OrderAnswer.Queued, this.clickedAt[r]);
      return;
    }
    this.reachServers(r);
  }

  /** The waiting room lets request `r` through: it reaches the servers now, answered under the generation the user waits on. */
  private letThrough(r: number): void {
    if (this.listener.onLetThrough) this.gen[r] = this.listener.onLetThrough(this.user[r], this.gen[r]);
    // (The attempt number keys only the random balancer's pick, made at the click.)
    if (this.pickWhenLetThrough) this.server[r] = this.servers.pick(this.user[r], 0);
    this.reachServers(r);
  }

  /** Request `r` reaches the order servers now. */
  private reachServers(r: number): void {
    const now = this.sim.now;
    this.attempts++;
    // (Behind a room, counted at its door: nothing is let through before T0.)
    if (now < this.config.sale.start && this.room === null) this.earlyAttempts++;
    const s = this.server[r];
    // With buffers the flag says the store is empty: a server still selling
    // from its buffer goes on, one with an empty buffer says "sold out" (even
    // with a refill on its way: counting on it would keep every server's
    // refills going, each new arrival reaching the stock step as the last
    // refill came back empty).
    if (this.servers.knowsSoldOut(now) && (this.buffers === null || this.buffers.unitsAt(s) === 0)) {
      this.answer(r, OrderAnswer.SoldOut);
      this.free(r);
      return;
    }
    switch (this.servers.admit(s, r)) {
      case Admission.Admitted:
        this.admitted++;
        this.startService(r);
        break;
      case Admission.Queued:
        this.state[r] = WAITING;
        this.sim.schedule(this.config.system.orderServers.maxWait, this.deadlineKind, r, this.serial[r]);
        break;
      case Admission.Rejected:
        this.rejected++;
        this.answer(r, OrderAnswer.SaleEnded);
        this.free(r);
        break;
    }
  }

  private startService(r: number): void {
    this.state[r] = ACTIVE;
    const slowdown = this.servers.slowdown(this.server[r]);
    this.sim.schedule(this.service(this.serviceDraws.next()) * slowdown, this.serviceDoneKind, r);
  }

  private deadline(r: number, serial: number): void {
    if (this.serial[r] !== serial || this.state[r] !== WAITING) return;
    this.state[r] = ABANDONED;
    this.rejected++;
    this.servers.abandoned(this.server[r]);
    this.answer(r, OrderAnswer.SaleEnded);
    // The record stays allocated until the server's line reaches it.
  }

  private serviceDone(r: number): void {
    const now = this.sim.now;
    const user = this.user[r];
    const token = this.presentedToken(r);
    // Behind a waiting room the token is judged as of when it was presented
    // at the room's door: a place in line does not expire while it waits
    // (the room vouches for it), and a shot before T0 is still early.
    const verdict = this.gate.verify(token, user, this.room !== null ? this.enteredRoomAt[r] : now);
    if (verdict !== 'ok') {
      this.tokenRejected[verdict]++;
      this.finish(r, verdict === 'expired' ? OrderAnswer.Expired : OrderAnswer.Blocked);
      return;
    }
    if (this.ordered[user] >= this.config.sale.perUserLimit) {
      this.duplicates++;
      this.finish(r, OrderAnswer.Duplicate);
      return;
    }
    this.ordered[user]++;
    this.tokens[r] = token;
    this.acceptedAt[r] = now;
    if (this.buffers !== null) {
      this.buffers.take(this.server[r], r);
      return;
    }
    const doneAt = this.stock.begin(now);
    this.stockRead[r] = this.stock.lastRead;
    this.stockOk[r] = this.stock.lastSuccess ? 1 : 0;
    this.sim.scheduleAt(doneAt, this.stockDoneKind, r);
  }

  private stockDone(r: number): void {
    const now = this.sim.now;
    const ok = this.stockOk[r];
    this.stock.complete(this.stockRead[r], ok);
    if (ok === 0) {
      this.stockRanOut(now);
      this.noUnit(r);
      return;
    }
    if (this.stock.level <= 0) this.stockRanOut(now);
    this.unitTaken(r);
  }

  /** Request `r`'s stock take found no unit: sold out. */
  private noUnit(r: number): void {
    this.ordered[this.user[r]]--;
    this.finish(r, OrderAnswer.SoldOut);
  }

  /** Request `r` got its unit (from the store, or from its server's buffer): on to the order step. */
  private unitTaken(r: number): void {
    const now = this.sim.now;
    // Sold out when the units handed out reach the stock, whatever the
    // counter says: a racy counter that lost updates still shows stock
    // while orders exceed it.
    if (this.unitsHandedOut === this.stock.initial) this.soldOutAtUs = now;
    const orders = this.config.system.orders;
    if (!this.orders.synchronous && orders.lossRate > 0 && this.orders.hasRoom && this.lossDraws.next() < orders.lossRate) {
      // Accepted by the broker, then lost: the buyer is told "won", no
      // consumer ever sees the order, and nothing gives the unit back. (A
      // message the full queue refuses is never acknowledged, so never lost.)
      this.lostMessages++;
      this.leakedUnits++;
      this.answer(r, OrderAnswer.Won);
      this.releaseSlot(r);
      this.free(r);
      return;
    }
    if (!this.orders.submit(r)) {
      if (orders.compensate) {
        this.unitBack();
      } else {
        this.leakedUnits++;
      }
      this.ordered[this.user[r]]--;
      this.finish(r, OrderAnswer.Error);
      return;
    }
    if (!this.orders.synchronous) {
      this.state[r] = CREATING;
      if (orders.duplicateRate > 0 && this.deliveredTwice(this.user[r])) this.delivery[r] = FIRST_OF_TWO;
      this.answer(r, OrderAnswer.Won);
      this.releaseSlot(r);
    }
  }

  /** The stock ran out at `now`: the servers learn it after soldOutFlagDelay, and the waiting room with them. */
  private stockRanOut(now: number): void {
    if (this.servers.soldOutFlagAt !== Infinity) return;
    this.servers.stockRanOut(now);
    if (this.room !== null && this.config.system.orderServers.soldOutFlag) this.room.soldOutKnownAt(this.servers.soldOutFlagAt);
  }

  private created(r: number): void {
    if (this.delivery[r] === REDELIVERY && this.config.system.orders.idempotent) {
      // The order of this request (its token) exists: the consumer's insert
      // hits the unique key, and the message is acknowledged and dropped.
      this.droppedDuplicates++;
    } else {
      const orderId = this.ledger.append(this.user[r], this.sim.now, this.acceptedAt[r], this.tokens[r], this.server[r], this.room !== null ? this.enteredRoomAt[r] : undefined);
      if (this.payments !== null) this.payments.created(orderId, this.user[r]);
    }
    if (this.orders.synchronous) {
      this.finish(r, OrderAnswer.Won);
    } else if (this.delivery[r] === FIRST_OF_TWO) {
      this.redeliver(r);
    } else {
      this.free(r);
    }
  }

  /**
   * Whether the broker delivers `user`'s message now accepted twice: a draw
   * keyed by (user, the user's accepted message number), so every strategy
   * duplicates the same buyers' messages (common random numbers), whatever
   * order they reach the queue in.
   */
  private deliveredTwice(user: number): boolean {
    return this.duplicateDraws.uniform(user, ++this.messagesOf[user]) < this.config.system.orders.duplicateRate;
  }

  /**
   * The first delivery of request `r`'s message was consumed, but its
   * acknowledgement never reached the broker: the message goes back to the
   * tail of the queue now (a real broker waits for an ack timeout first;
   * that would only delay the duplicate). It always finds room: the
   * consumer that just finished freed a consumer or, by taking the next
   * message, a place in the queue — a place a new order may then miss.
   */
  private redeliver(r: number): void {
    this.delivery[r] = REDELIVERY;
    this.duplicatedMessages++;
    if (!this.orders.submit(r)) throw new Error('internal: a redelivered order message found the order queue full');
  }

  /** Answers, frees the slot and the record. */
  private finish(r: number, answer: OrderAnswer): void {
    this.answer(r, answer);
    this.releaseSlot(r);
    this.free(r);
  }

  private answer(r: number, answer: OrderAnswer): void {
    if (answer === OrderAnswer.Won) this.wonResponses.push(this.user[r]);
    else if (answer !== OrderAnswer.Duplicate) this.turnedAway++;
    if (answer === OrderAnswer.SoldOut) {
      this.soldOutAnswers++;
      if (this.buffers !== null && this.buffers.held > 0) this.strandedSoldOut++;
    }
    if (answer === OrderAnswer.Error) this.errors++;
    this.listener.onOrderAnswer(this.user[r], this.gen[r], answer, this.clickedAt[r]);
  }

  private releaseSlot(r: number): void {
    const next = this.servers.release(this.server[r], this.isWaiting);
    if (next >= 0) {
      this.admitted++;
      this.startService(next);
    }
  }

  /** A queued request the line reached after its deadline: only the record is left to free. */
  private release(r: number): void {
    if (this.state[r] === ABANDONED) this.free(r);
  }

  private presentedToken(r: number): string {
    const kind = this.tokenKind[r];
    const user = this.user[r];
    switch (kind) {
      case TokenKind.Genuine:
        return this.gate.issue(user, this.tokenIssuedAt[r]);
      case TokenKind.Anonymous:
        return this.gate.issue(ANONYMOUS, this.tokenIssuedAt[r]);
      case TokenKind.Static:
        return STATIC_TOKEN;
      default:
        return this.gate.forge(user, this.sim.now);
    }
  }

  private allocate(): number {
    if (this.freeHead < 0) this.grow(this.capacity * 2);
    const r = this.freeHead;
    this.freeHead = this.server[r];
    this.serial[r] = (this.serial[r] + 1) | 0;
    return r;
  }

  private free(r: number): void {
    this.state[r] = FREE;
    this.delivery[r] = DELIVERED_ONCE;
    this.tokens[r] = '';
    this.server[r] = this.freeHead;
    this.freeHead = r;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    this.user = grownTo(this.user, capacity);
    this.gen = grownTo(this.gen, capacity);
    this.server = grownTo(this.server, capacity);
    this.serial = grownTo(this.serial, capacity);
    this.state = grownTo(this.state, capacity);
    this.tokenKind = grownTo(this.tokenKind, capacity);
    this.stockRead = grownTo(this.stockRead, capacity);
    this.stockOk = grownTo(this.stockOk, capacity);
    this.delivery = grownTo(this.delivery, capacity);
    this.tokenIssuedAt = grownTo(this.tokenIssuedAt, capacity);
    this.clickedAt = grownTo(this.clickedAt, capacity);
    this.acceptedAt = grownTo(this.acceptedAt, capacity);
    this.enteredRoomAt = grownTo(this.enteredRoomAt, capacity);
    // Thread the new records onto the free list (the server field is the link while free).
    for (let r = capacity - 1; r >= old; r--) {
      this.server[r] = this.freeHead;
      this.freeHead = r;
    }
    this.capacity = capacity;
  }
}
