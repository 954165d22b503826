import { grownTo } from '../kernel/typed-arrays.js';

/** Where an order request is in the order flow. */
export const enum RequestState {
  /** On the free list. */
  Free = 0,
  /** In a server's line for a slot (onFull: queue). */
  Waiting = 1,
  /** Holding a slot. */
  Active = 2,
  /** Answered "sale ended" at its deadline while still in a server's line: freed when the line reaches it. */
  Abandoned = 3,
  /** Answered "won" (async) and waiting for its order to be created. */
  Creating = 4,
}

/** Deliveries of a request's async order message (orders.duplicateRate). */
export const enum Delivery {
  /** Delivered once (and every synchronous order). */
  Once = 0,
  /** The broker will deliver it again once its first delivery has been consumed. */
  FirstOfTwo = 1,
  /** This is the second delivery. */
  Redelivery = 2,
}

/**
 * The order flow's request records: one record per order request in
 * flight, as named fields in parallel typed arrays indexed by the record
 * number, with a free list. Events carry the record number; a record's
 * {@link serial} changes at every allocation, so that an event that may
 * outlive its request (the maxWait deadline) can tell.
 *
 * The field arrays are replaced when the store grows (by doubling, at
 * {@link allocate}): read them through the store, never keep one across an
 * allocation.
 */
export class OrderRequests {
  /** The user who sent it. */
  user = new Int32Array(0);
  /** The request generation the user waits on (echoed in the answer). */
  gen = new Int32Array(0);
  /** Its order server (-1 until picked); the free list's link while free. */
  server = new Int32Array(0);
  /** Allocation serial number (wraps), to detect reuse. */
  serial = new Int32Array(0);
  /** A {@link RequestState}. */
  state = new Uint8Array(0);
  /** The kind of token presented (order-flow.ts TokenKind). */
  tokenKind = new Uint8Array(0);
  /** The stock level its take read (the racy primitive writes from it). */
  stockRead = new Int32Array(0);
  /** Whether its take got a unit (1) or not (0). */
  stockOk = new Uint8Array(0);
  /** A {@link Delivery}. */
  delivery = new Uint8Array(0);
  /** When the presented token was issued, µs. */
  tokenIssuedAt = new Float64Array(0);
  /** When the user clicked, µs. */
  clickedAt = new Float64Array(0);
  /** When it passed the token and per-user checks, µs (the ledger's acceptedUs). */
  acceptedAt = new Float64Array(0);
  /**
   * When it presented its token where the token is judged from, µs: the
   * waiting room's door (with a room), else its arrival at the order
   * servers (the token checked at admission); unused otherwise.
   */
  presentedAt = new Float64Array(0);
  /** When it took a place in its server's line (onFull: queue), µs. */
  queuedAt = new Float64Array(0);
  /** The token it presented, once checked ('' before): written into its order. */
  readonly token: string[] = [];

  private capacity = 0;
  private freeHead = -1;

  /** @param initialCapacity records to reserve (at least 1). */
  constructor(initialCapacity = 64) {
    this.grow(Math.max(1, initialCapacity));
  }

  /** A free record, fields as its last use left them (but {@link state} Free, {@link delivery} Once, no token) and a new serial. */
  allocate(): number {
    if (this.freeHead < 0) this.grow(this.capacity * 2);
    const r = this.freeHead;
    this.freeHead = this.server[r];
    this.serial[r] = (this.serial[r] + 1) | 0;
    return r;
  }

  /** Puts record `r` back on the free list. */
  free(r: number): void {
    this.state[r] = RequestState.Free;
    this.delivery[r] = Delivery.Once;
    this.token[r] = '';
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
    this.presentedAt = grownTo(this.presentedAt, capacity);
    this.queuedAt = grownTo(this.queuedAt, capacity);
    // Thread the new records onto the free list (the server field is the link while free).
    for (let r = capacity - 1; r >= old; r--) {
      this.server[r] = this.freeHead;
      this.freeHead = r;
    }
    this.capacity = capacity;
  }
}
