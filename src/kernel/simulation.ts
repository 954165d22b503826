import { EventQueue } from './event-queue.js';

/**
 * An event handler: receives the two int32 arguments the event was scheduled
 * with. The current time is `simulation.now`.
 */
export type EventHandler = (a: number, b: number) => void;

/**
 * Where a handler kind's state lives, so that the loop can bring it into
 * cache ahead of time: the handler of an event `(a, b)` reads the record
 * starting at byte `a << shift` of `bytes`.
 */
export interface RecordLocality {
  /** The records of every entity of this kind, back to back. */
  bytes: Uint8Array;
  /** log2 of the record size in bytes. */
  shift: number;
}

/** Event times must stay below this (µs, 2^53: about 285 years), the event queue's range. */
const TIME_LIMIT_US = 2 ** 53;

/** What kinds without records warm: one byte, always in cache. */
const NO_RECORDS = new Uint8Array(1);

/** When {@link Simulation.run} returns. */
export interface RunUntil {
  /** Stop before the first event later than this time (µs); the clock is left at this time. */
  time?: number;
  /** Checked after every event; the run stops once it returns true. */
  predicate?: () => boolean;
  /** Stop after this many events in this call. */
  maxEvents?: number;
}

/** Progress observation: called every `every` events with the simulation. */
export interface ProgressHook {
  /** Events between calls (at least 1). */
  every: number;
  /** Called from inside the loop, after an event: read state, do not schedule. */
  onProgress: (simulation: Simulation) => void;
}

/** Why {@link Simulation.run} returned. */
export type StopReason = 'time' | 'predicate' | 'max-events' | 'empty' | 'stopped';

/**
 * The discrete-event environment (after SimPy's Environment): a virtual
 * clock in integer microseconds, an event queue, handler kinds and the loop.
 *
 * Events carry a handler kind registered with {@link register} and two int32
 * arguments, so the hot loop allocates nothing: components keep their state
 * in typed arrays and pass indices.
 */
export class Simulation {
  /** Current virtual time, integer µs. */
  now = 0;
  /** Events handled since construction. */
  eventsProcessed = 0;
  /** The pending events; exposed for diagnostics and tests; schedule through {@link schedule}, which checks times. */
  readonly queue: EventQueue;
  private readonly handlers: EventHandler[] = [];
  private readonly names: string[] = [];
  /**
   * Per kind, where its events' records are and the bytes per unit of the
   * first argument (2^shift); kinds without records read byte 0 of a
   * scratch array instead (scale 0), so that the warm-up loop has no branch
   * to mispredict (a mispredicted branch discards the loads issued after it,
   * which are the point).
   */
  private readonly recordBytes: Uint8Array[] = [];
  private readonly recordScale: number[] = [];
  /** Folds the warm-up loads in, so that they are not optimised away. */
  private warmed = 0;
  private stopRequested = false;

  /** @param initialCapacity pending events to reserve storage for. */
  constructor(initialCapacity = 1024) {
    this.queue = new EventQueue(initialCapacity);
  }

  /**
   * Registers a handler and returns its kind, the small integer that
   * {@link schedule} takes. `name` is for diagnostics only.
   *
   * `records` says which record each event of this kind touches first. With
   * a million users, that record is a cache miss the handler would wait for;
   * the loop instead reads the records of a whole batch of upcoming events
   * (the event queue's next sorted bucket) in one pass, so the misses
   * overlap. Events are unaffected; only speed changes.
   */
  register(name: string, handler: EventHandler, records?: RecordLocality): number {
    this.handlers.push(handler);
    this.names.push(name);
    this.recordBytes.push(records?.bytes ?? NO_RECORDS);
    this.recordScale.push(records !== undefined ? 2 ** records.shift : 0);
    if (records !== undefined && this.queue.onRunLoaded === null) {
      this.queue.onRunLoaded = (kinds, a, length) => this.warm(kinds, a, length);
    }
    return this.handlers.length - 1;
  }

  /** The diagnostic name of a handler kind. */
  kindName(kind: number): string {
    return this.names[kind] ?? `#${kind}`;
  }

  /**
   * Schedules an event `delay` µs from now (rounded to a whole µs; negative
   * delays, and delays that put the event at or beyond 2^53 µs, where the
   * event queue cannot keep times, are an internal error).
   */
  schedule(delay: number, kind: number, a = 0, b = 0): void {
    const t = this.now + Math.round(delay);
    if (!(delay >= 0 && t < TIME_LIMIT_US)) {
      throw new RangeError(
        delay >= 0
          ? `delay ${delay} for ${this.kindName(kind)} is at or beyond 2^53 µs`
          : `negative or NaN delay ${delay} for ${this.kindName(kind)}`,
      );
    }
    this.queue.push(t, kind, a, b);
  }

  /** Schedules an event at absolute time `time` µs, which must not be in the past (nor at or beyond 2^53 µs). */
  scheduleAt(time: number, kind: number, a = 0, b = 0): void {
    const t = Math.round(time);
    if (!(t >= this.now && t < TIME_LIMIT_US)) {
      throw new RangeError(
        t >= this.now
          ? `time ${time} for ${this.kindName(kind)} is at or beyond 2^53 µs`
          : `time ${time} is before now ${this.now} for ${this.kindName(kind)}`,
      );
    }
    this.queue.push(t, kind, a, b);
  }

  /** Reads the first byte of the record of each of the next `length` events that declared one. */
  private warm(kinds: Int32Array, a: Int32Array, length: number): void {
    const bytes = this.recordBytes;
    const scales = this.recordScale;
    const known = bytes.length;
    let folded = 0;
    for (let i = 0; i < length; i++) {
      const kind = kinds[i];
      // Not a registered kind: its handler will report it, if the event is ever reached.
      if (kind >= known) continue;
      // Out of range (a first argument that is not a record's index) reads undefined: 0.
      folded ^= bytes[kind][a[i] * scales[kind]];
    }
    this.warmed ^= folded;
  }

  /** Asks the loop to return after the event being handled. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Number of pending events. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Runs events in (time, sequence) order until a stop condition holds or
   * none are left.
   */
  run(until: RunUntil = {}, progress?: ProgressHook): StopReason {
    const limit = until.time ?? Infinity;
    const predicate = until.predicate;
    const queue = this.queue;
    const handlers = this.handlers;
    const every = progress ? Math.max(1, progress.every | 0) : Infinity;
    const lastEvent = this.eventsProcessed + (until.maxEvents ?? Infinity);
    let untilProgress = every;
    this.stopRequested = false;
    for (;;) {
      if (this.eventsProcessed >= lastEvent) return 'max-events';
      if (!queue.pop(limit)) {
        if (limit !== Infinity && limit > this.now) this.now = limit;
        if (queue.size === 0) return 'empty';
        return 'time';
      }
      this.now = queue.poppedTime;
      handlers[queue.poppedKind](queue.poppedA, queue.poppedB);
      this.eventsProcessed++;
      if (this.stopRequested) return 'stopped';
      if (predicate !== undefined && predicate()) return 'predicate';
      if (--untilProgress === 0) {
        untilProgress = every;
        progress!.onProgress(this);
      }
    }
  }
}
