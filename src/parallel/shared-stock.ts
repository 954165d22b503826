/**
 * A stock counter in shared memory, taken by several threads at once: the
 * real-concurrency counterpart of the simulated stock primitives
 * (src/system/stock.ts), to show on real hardware why the seed design asks
 * for an atomic decrement.
 *
 * - {@link AtomicStock}: decrement-if-positive as a compare-and-swap loop
 *   over an Int32Array on a SharedArrayBuffer (Atomics.load /
 *   Atomics.compareExchange). Exactly `initial` takes succeed, whatever the
 *   threads and their interleaving, and the level never goes below zero.
 * - {@link RacyStock}: the deliberately broken check-then-decrement — a
 *   plain read, a short pause (a busy-wait, standing in for the work a real
 *   server does between its check and its write), then a plain write of
 *   the value read minus one. Two threads that read the same level both
 *   succeed and write the same new level: the stock oversells.
 *
 * Both views share the same layout, so the same buffer can be handed to
 * worker threads (a SharedArrayBuffer is shared, not copied, by
 * postMessage / workerData). {@link hammerStock} runs such a storm.
 */
import { Worker } from 'node:worker_threads';
import { compiledSibling } from './module-path.js';

/** Int32 cells of a stock buffer. */
export const LEVEL = 0;
/** Successful takes, counted atomically (even for the racy stock: the count itself must be right). */
export const TAKEN = 1;
/** Lowest level any successful taker wrote (atomically kept minimum). */
export const MIN_SEEN = 2;
/** Start gate for hammering threads: 0 closed, 1 open. */
export const GATE = 3;
/** Threads ready at the gate. */
export const READY = 4;
const CELLS = 5;

/** A new shared stock buffer holding `initial` units. */
export function createStockBuffer(initial: number): SharedArrayBuffer {
  if (!(Number.isSafeInteger(initial) && initial >= 0 && initial <= 0x7fffffff)) throw new RangeError(`stock must be an integer in [0, 2^31), got ${initial}`);
  const buffer = new SharedArrayBuffer(CELLS * Int32Array.BYTES_PER_ELEMENT);
  const cells = new Int32Array(buffer);
  cells[LEVEL] = initial;
  cells[MIN_SEEN] = initial;
  return buffer;
}

/** What every stock view offers. */
export interface SharedStock {
  /** Takes one unit if the stock shows one: true if this caller got it. */
  tryTake(): boolean;
  /** The current level (an atomic read). */
  readonly level: number;
  /** The shared cells (see {@link createStockBuffer}), to hand to other threads. */
  readonly buffer: SharedArrayBuffer;
}

/** Records `level` as seen, keeping the minimum (CAS loop). */
function noteLevel(cells: Int32Array, level: number): void {
  let seen = Atomics.load(cells, MIN_SEEN);
  while (level < seen) {
    const previous = Atomics.compareExchange(cells, MIN_SEEN, seen, level);
    if (previous === seen) return;
    seen = previous;
  }
}

/** The atomic stock: compare-and-swap decrement-if-positive. */
export class AtomicStock implements SharedStock {
  private readonly cells: Int32Array;

  /** @param buffer from {@link createStockBuffer}; other views may share it. */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  /** Succeeds only while the level is positive, however many threads race. */
  tryTake(): boolean {
    const cells = this.cells;
    let current = Atomics.load(cells, LEVEL);
    while (current > 0) {
      const previous = Atomics.compareExchange(cells, LEVEL, current, current - 1);
      if (previous === current) {
        Atomics.add(cells, TAKEN, 1);
        noteLevel(cells, current - 1);
        return true;
      }
      current = previous; // another thread got in first: retry with what it left
    }
    return false;
  }

  /** The current level (an atomic read). */
  get level(): number {
    return Atomics.load(this.cells, LEVEL);
  }
}

/**
 * The non-atomic stock: read, pause, write. `pauseSpins` iterations of a
 * busy-wait widen the window between the check and the write (0 leaves
 * only the few instructions between them — a race that real hardware still
 * loses, though rarely).
 */
export class RacyStock implements SharedStock {
  private readonly cells: Int32Array;
  /** Sink for the busy-wait, so the loop is not optimised away. */
  private sink = 0;

  /** @param pauseSpins busy-wait iterations between the check and the write. */
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly pauseSpins = 200,
  ) {
    this.cells = new Int32Array(buffer);
  }

  /** Succeeds whenever the (possibly stale) read shows stock: concurrent takers oversell. */
  tryTake(): boolean {
    const cells = this.cells;
    const level = cells[LEVEL]; // plain read: the check
    if (level <= 0) return false;
    let x = this.sink;
    for (let i = 0; i < this.pauseSpins; i++) x = (x * 1103515245 + 12345) | 0;
    this.sink = x;
    cells[LEVEL] = level - 1; // plain write of a stale value: the decrement
    Atomics.add(cells, TAKEN, 1);
    noteLevel(cells, level - 1);
    return true;
  }

  /** The current level (an atomic read). */
  get level(): number {
    return Atomics.load(this.cells, LEVEL);
  }
}

/** Which stock view a hammer uses. */
export type StockKind = 'atomic' | 'racy';

/** A view of `buffer` of the given kind. */
export function openStock(kind: StockKind, buffer: SharedArrayBuffer, pauseSpins?: number): SharedStock {
  return kind === 'atomic' ? new AtomicStock(buffer) : new RacyStock(buffer, pauseSpins);
}

/** What one hammering thread is given (workerData of src/parallel/stock-hammer.ts). */
export interface HammerJob {
  /** Which view the thread opens. */
  kind: StockKind;
  /** The shared stock. */
  buffer: SharedArrayBuffer;
  /** Take attempts to make. */
  takes: number;
  /** Busy-wait iterations of the racy stock. */
  pauseSpins: number;
}

/** What {@link hammerStock} runs. */
export interface HammerOptions {
  /** Which stock view every thread uses. */
  kind: StockKind;
  /** Initial units (an int32). */
  stock: number;
  /** Worker threads taking at once. */
  threads: number;
  /** Take attempts per thread. */
  takesPerThread: number;
  /** Busy-wait iterations between check and write of the racy stock (default 200). */
  pauseSpins?: number;
}

/** What a hammer found. */
export interface HammerResult {
  /** The stock view used. */
  kind: StockKind;
  /** Initial units. */
  stock: number;
  /** Threads that took part. */
  threads: number;
  /** Successful takes per thread. */
  successes: number[];
  /** Sum of `successes`. */
  totalSuccesses: number;
  /** The shared counter of takes (equals totalSuccesses unless something is badly wrong). */
  counted: number;
  /** Units sold beyond the stock: max(0, totalSuccesses − stock). */
  oversell: number;
  /** The counter at the end (the racy stock may show units it has sold). */
  finalLevel: number;
  /** Lowest level any thread saw after its write. */
  minLevel: number;
  /** Wall time from opening the gate to the last thread's end, ms. */
  wallMs: number;
}

/**
 * Starts `threads` worker threads that take from one shared stock, all
 * released together by an Atomics gate once every thread is ready, and
 * reports the successes.
 */
export async function hammerStock(options: HammerOptions): Promise<HammerResult> {
  const { kind, stock, threads, takesPerThread } = options;
  const pauseSpins = options.pauseSpins ?? 200;
  const buffer = createStockBuffer(stock);
  const cells = new Int32Array(buffer);
  const filename = compiledSibling('stock-hammer.js', import.meta.url);
  const workers = Array.from({ length: threads }, () => new Worker(filename, { workerData: { kind, buffer, takes: takesPerThread, pauseSpins } satisfies HammerJob }));
  const done = workers.map(
    (worker) =>
      new Promise<number>((resolve, reject) => {
        let successes: number | undefined;
        worker.once('message', (m: number) => (successes = m));
        worker.once('error', reject);
        worker.once('exit', (code) => (successes === undefined ? reject(new Error(`hammer thread exited with code ${code} before reporting`)) : resolve(successes)));
      }),
  );
  try {
    // Wait until every thread is parked at the gate, then open it for all at once.
    const failed = Promise.race(done.map((p) => p.then(() => undefined)));
    while (Atomics.load(cells, READY) < threads) {
      await Promise.race([new Promise((r) => setTimeout(r, 1)), failed]);
    }
    const started = performance.now();
    Atomics.store(cells, GATE, 1);
    Atomics.notify(cells, GATE);
    const successes = await Promise.all(done);
    const wallMs = performance.now() - started;
    const totalSuccesses = successes.reduce((a, b) => a + b, 0);
    return {
      kind,
      stock,
      threads,
      successes,
      totalSuccesses,
      counted: Atomics.load(cells, TAKEN),
      oversell: Math.max(0, totalSuccesses - stock),
      finalLevel: Atomics.load(cells, LEVEL),
      minLevel: Atomics.load(cells, MIN_SEEN),
      wallMs,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
