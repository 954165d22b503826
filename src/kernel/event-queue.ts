/**
 * Pending-event set of the simulator: a ladder queue (Tang, Goh & Thng,
 * ACM TOMACS 2005) over chunked typed arrays, whose bottom is a sorted run
 * plus a small heap.
 *
 * Why not a heap or a calendar queue: with ~1M pending events both touch
 * memory at random on every insertion (a heap walks ~20 levels; a calendar
 * queue links into a random bucket after a random tail node), and each of
 * those touches is a cache miss. Here an insertion *appends* to one of a few
 * thousand coarse buckets, whose tails stay in cache, and a bucket is only
 * sorted when the clock reaches it, in one go, while it is hot. `npm run
 * bench` measures this queue against a bare binary heap in the same process.
 *
 * Structure, from far future to present:
 * - **Top**: an unsorted append-only list of events at or after `topStart`.
 * - **Rungs**: rung 0 covers [its start, `topStart`) with equal-width
 *   buckets, each an unsorted append-only list. Rung 0 is fitted to the
 *   density of the front of Top whenever Top is transferred into it, and it
 *   extends past Top's latest event so that most new events land in it
 *   directly. When the cursor reaches a bucket too large to sort cheaply it is
 *   split into a child rung of finer buckets (rung 1, 2, ...), so bursts of
 *   many events in a short interval cost O(1) each, not a big sort.
 * - **Bottom**: the bucket under the cursor of the deepest rung, sorted into
 *   a run that is served sequentially, and a 4-ary heap for "late" events
 *   pushed into that bucket's interval (or earlier) after it was sorted.
 *   When the heap takes much traffic, run and heap are spread over a new
 *   deepest rung from the current time to the bucket's end, its buckets
 *   sized to that traffic (as the ladder queue spawns a rung from an
 *   overlong Bottom).
 *
 * Order: events leave strictly by (time, insertion sequence). Every list
 * holds events of equal time in insertion order (appends keep it, transfers
 * and splits copy lists in order), so any stable sort of a bucket by time is
 * the right order: a counting sort when the bucket's span in µs is at most a
 * few times its size (the common case: the width is fitted to the density),
 * else a native sort of the exact integer keys `(time - bucketMin) * P +
 * positionInBucket`, with P a power of two above the bucket's size. A heap
 * event is newer than every run event, so a tie goes to the run; within the
 * heap ties are broken by a sequence number.
 *
 * Times must be integers (µs) in [0, 2^53), and no earlier than the time of
 * the last popped event; {@link Simulation} guarantees both. The arguments
 * `kind`, `a` and `b` are stored as int32.
 *
 * Small queues: while no more than SMALL_MAX events are pending (a model
 * with a handful of servers, the first events of any run), they all live in
 * Bottom's heap and the ladder is empty: with so few events a bucket holds
 * one or two, and loading and sorting one per pop costs more than a heap of
 * depth three. The first push beyond that moves the heap into Top, in
 * order; the queue returns to the heap alone when it empties. Order is the
 * same either way.
 *
 * Memory: 24 bytes per event (float64 time, three int32, padding) in chunks
 * of 128 events; storage grows by doubling, and nothing is allocated per
 * event. Amortised cost is O(1) per event: each event is appended once, copied
 * at most a few times (Top transfer, splits), sorted once in a bucket of
 * bounded size, and read once.
 */

import { grownTo } from './typed-arrays.js';

/** Events per chunk (a power of two). */
const CHUNK_BITS = 7;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** Record layout: float64 time at [3e], int32 kind, a, b at [6e+2..6e+4]. */
const F64_STRIDE = 3;
const I32_STRIDE = 6;
/** Target number of events per bucket when the queue is large. */
const TARGET_RUN = 2048;
/** Smallest target run (small queues get at least MIN_BUCKETS buckets). */
const MIN_RUN = 8;
const MIN_BUCKETS = 16;
/** A bucket with more than SPLIT_FACTOR × TARGET_RUN events is split. */
const SPLIT_FACTOR = 4;
/**
 * When the heap has taken SPAWN_TRAFFIC events since the bucket was loaded
 * (and at least 1 / SPAWN_RATIO of the rest of the run: moving a long run
 * costs), heap and run become a new rung of buckets expected to receive
 * about SPAWN_RUN events each, at most SPAWN_BUCKETS of them. Every bucket
 * that receives an event holds a chunk of CHUNK events, so finer or more
 * buckets cost memory (in the seed design at 250k users, 32 per bucket and
 * up to 4096 buckets: 120 bytes per user for 5% more speed).
 */
const SPAWN_TRAFFIC = 512;
const SPAWN_RUN = 64;
const SPAWN_RATIO = 4;
const SPAWN_BUCKETS = 1024;
/** Rung 0 covers EXTEND × the span of Top when it is fitted. */
const EXTEND = 2;
/** Events of Top sampled to estimate the density of its front. */
const SAMPLE = 128;
/**
 * Rung 0 is re-fitted when the moving average of its runs exceeds
 * DENSE_DRIFT × its target run or falls below the target / SPARSE_DRIFT.
 */
const DENSE_DRIFT = 4;
const SPARSE_DRIFT = 16;
/** Weight of the newest rung-0 bucket in that moving average. */
const DRIFT_WEIGHT = 0.25;
const MAX_RUNGS = 64;
/** Runs up to this size are sorted by insertion. */
const INSERTION_MAX = 32;
/** Counting sort with at most this many bins per event (+64). */
const COUNTING_SPREAD = 4;
/** Coarse counting-sort bins may hold at most this many events. */
const CLUSTER_MAX = 16;
/** Pending events up to which the heap alone holds the queue (see the file comment). */
const SMALL_MAX = 64;
const TWO_POW_31 = 2147483648;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** The simulator's pending-event set (see the file comment): events of (time µs, kind, a, b), popped in (time, insertion) order. */
export class EventQueue {
  // Event storage: chunks of CHUNK records, linked by chunkNext.
  private times!: Float64Array;
  private words!: Int32Array;
  private chunkNext!: Int32Array;
  private chunkCapacity = 0;
  private chunkHigh = 0;
  private freeChunk = -1;

  // Top.
  private topHead = -1;
  private topTail = -1;
  private topCount = 0;
  private topMin = Infinity;
  private topMax = -Infinity;
  /** Events at or after this time go to Top. */
  private topStart = -Infinity;

  // Rungs (a stack; rung r's buckets are rungOffset[r] .. + rungBuckets[r]).
  private depth = 0;
  private readonly rungStart = new Float64Array(MAX_RUNGS);
  private readonly rungInverseWidth = new Float64Array(MAX_RUNGS);
  private readonly rungWidth = new Float64Array(MAX_RUNGS);
  /** Where the rung's last bucket ends (it takes everything before). */
  private readonly rungEnd = new Float64Array(MAX_RUNGS);
  private readonly rungCursor = new Int32Array(MAX_RUNGS);
  private readonly rungBuckets = new Int32Array(MAX_RUNGS);
  private readonly rungOffset = new Int32Array(MAX_RUNGS);

  // Buckets (flattened over rungs).
  private bucketHead: Int32Array;
  private bucketTail: Int32Array;
  private bucketCount: Int32Array;
  private bucketMin: Float64Array;
  private bucketMax: Float64Array;

  // Bottom: the sorted run, served from runPos, and the scratch it is built
  // in (the bucket's events in insertion order; swapped with the run when
  // already in order).
  private runTime: Float64Array;
  private runKind: Int32Array;
  private runA: Int32Array;
  private runB: Int32Array;
  private scratchTime: Float64Array;
  private scratchKind: Int32Array;
  private scratchA: Int32Array;
  private scratchB: Int32Array;
  /** Sort keys; views of them by length / 64, created once. */
  private sortU32: Uint32Array;
  private sortF64: Float64Array;
  private u32Views: Uint32Array[] = [];
  private f64Views: Float64Array[] = [];
  /** Counting-sort histogram. */
  private counts: Int32Array;
  private runPos = 0;
  private runLength = 0;

  // Bottom: the heap of late events, a 4-ary min-heap of (time, slot),
  // 0-based; an event's payload and sequence number stay in its slot, so a
  // heap move copies 12 bytes. Free slots are a stack.
  private heapTime: Float64Array;
  private heapSlot: Int32Array;
  private slotSeq: Float64Array;
  private slotKind: Int32Array;
  private slotA: Int32Array;
  private slotB: Int32Array;
  private freeSlots: Int32Array;
  private freeSlotCount = 0;
  private heapSize = 0;
  private seq = 0;
  /** Heap pushes since the run was loaded (or the last spawn), from time trafficSince. */
  private heapTraffic = 0;
  private trafficSince = 0;
  /** Heap traffic at which {@link spawn} is tried next. */
  private spawnAt = SPAWN_TRAFFIC;
  /** True while the heap alone holds every event (the ladder and run are empty). */
  private small = true;

  // Fit bookkeeping for rung 0: its target run, the moving average of the
  // runs it delivered, buckets visited, and events served since the fit
  // (a re-fit costs O(size), so it waits until size / 4 were served).
  private fitRun = TARGET_RUN;
  private fitAverage = TARGET_RUN;
  private fitBuckets = 0;
  private servedSinceFit = 0;

  /**
   * Called with the run's kinds, first arguments and length each time a
   * bucket has been sorted into the run, before any of it is served (see
   * {@link Simulation.register}'s `records`); null for none.
   */
  onRunLoaded: ((kinds: Int32Array, a: Int32Array, length: number) => void) | null = null;

  /** Number of pending events. */
  size = 0;
  /** Time (µs) of the event removed by the last successful {@link pop}. */
  poppedTime = 0;
  /** Handler kind of that event. */
  poppedKind = 0;
  /** First argument of that event. */
  poppedA = 0;
  /** Second argument of that event. */
  poppedB = 0;

  /** @param initialCapacity number of events to reserve storage for. */
  constructor(initialCapacity = 1024) {
    this.allocateChunks(Math.max(4, Math.ceil((initialCapacity | 0) / CHUNK) + 2));
    const buckets = 256;
    this.bucketHead = new Int32Array(buckets);
    this.bucketTail = new Int32Array(buckets);
    this.bucketCount = new Int32Array(buckets);
    this.bucketMin = new Float64Array(buckets);
    this.bucketMax = new Float64Array(buckets);
    const run = 1024;
    this.runTime = new Float64Array(run);
    this.runKind = new Int32Array(run);
    this.runA = new Int32Array(run);
    this.runB = new Int32Array(run);
    this.scratchTime = new Float64Array(run);
    this.scratchKind = new Int32Array(run);
    this.scratchA = new Int32Array(run);
    this.scratchB = new Int32Array(run);
    this.sortU32 = new Uint32Array(run + 64);
    this.sortF64 = new Float64Array(run + 64);
    this.counts = new Int32Array(4 * run + 66);
    const heap = 64;
    this.heapTime = new Float64Array(heap);
    this.heapSlot = new Int32Array(heap);
    this.slotSeq = new Float64Array(heap);
    this.slotKind = new Int32Array(heap);
    this.slotA = new Int32Array(heap);
    this.slotB = new Int32Array(heap);
    this.freeSlots = new Int32Array(heap);
  }

  /**
   * Adds an event. `time` (integer µs) must not be earlier than the time of
   * the last popped event; {@link Simulation} guarantees this.
   */
  push(time: number, kind: number, a: number, b: number): void {
    if (this.small) {
      if (this.size < SMALL_MAX) {
        this.size++;
        this.heapInsert(time, kind, a, b);
        return;
      }
      this.leaveSmall();
    }
    this.size++;
    if (time >= this.topStart) {
      this.appendTop(time, kind, a, b);
      return;
    }
    const depth = this.depth;
    for (let r = 0; ;) {
      let bucket = Math.floor((time - this.rungStart[r]) * this.rungInverseWidth[r]);
      // The last bucket of a rung takes everything up to the rung's end.
      const last = this.rungBuckets[r] - 1;
      if (bucket > last) bucket = last;
      const cursor = this.rungCursor[r];
      if (bucket > cursor) {
        this.append(this.rungOffset[r] + bucket, time, kind, a, b);
        return;
      }
      // At or before the cursor: a deeper rung may still take it (a rung
      // spawned from the heap starts at the time of the last pop, which may
      // precede this rung's cursor bucket); the deepest rung's cursor bucket
      // is being served, so the event goes to the heap.
      if (++r === depth) {
        this.heapPush(time, kind, a, b);
        return;
      }
    }
  }

  /**
   * Removes the earliest event if its time is at most `limit` µs, exposing it
   * through `poppedTime`, `poppedKind`, `poppedA` and `poppedB`.
   * @returns false, removing nothing, when the queue is empty or its earliest
   * event is later than `limit`.
   */
  pop(limit: number): boolean {
    if (this.size === 0) return false;
    let rp = this.runPos;
    if (rp === this.runLength && this.heapSize === 0) {
      this.advance();
      rp = this.runPos;
    }
    if (rp < this.runLength) {
      const t = this.runTime[rp];
      if (this.heapSize === 0 || this.heapTime[0] >= t) {
        if (t > limit) return false;
        this.poppedTime = t;
        this.poppedKind = this.runKind[rp];
        this.poppedA = this.runA[rp];
        this.poppedB = this.runB[rp];
        this.runPos = rp + 1;
        if (--this.size === 0) this.becomeSmall();
        return true;
      }
    }
    if (this.heapTime[0] > limit) return false;
    this.heapPop();
    if (--this.size === 0 && !this.small) this.becomeSmall();
    return true;
  }

  /** Time (µs) of the earliest pending event, or Infinity when empty. */
  peekTime(): number {
    if (this.size === 0) return Infinity;
    if (this.runPos === this.runLength && this.heapSize === 0) this.advance();
    let t = Infinity;
    if (this.runPos < this.runLength) {
      t = this.runTime[this.runPos];
    }
    if (this.heapSize > 0 && this.heapTime[0] < t) t = this.heapTime[0];
    return t;
  }

  /** Removes every pending event. */
  clear(): void {
    this.resetLadder();
    this.heapSize = 0;
    this.freeSlotCount = 0;
    this.countHeapTrafficFrom(0);
    // The clock starts over: a rung spawned before the next pop starts here.
    this.poppedTime = 0;
    this.size = 0;
    this.small = true;
  }

  // ------------------------------------------------------------ small mode

  /** The queue just emptied: the ladder starts afresh and the heap takes the next events alone. */
  private becomeSmall(): void {
    this.resetLadder();
    this.small = true;
  }

  /** More than SMALL_MAX events: the heap's events go to Top in (time, sequence) order, so equal times keep their insertion order. */
  private leaveSmall(): void {
    this.small = false;
    const time = this.poppedTime;
    const kind = this.poppedKind;
    const a = this.poppedA;
    const b = this.poppedB;
    while (this.heapSize > 0) {
      this.heapPop();
      this.appendTop(this.poppedTime, this.poppedKind, this.poppedA, this.poppedB);
    }
    this.poppedTime = time;
    this.poppedKind = kind;
    this.poppedA = a;
    this.poppedB = b;
    this.countHeapTrafficFrom(time);
  }

  /** Forgets the ladder's structure; only valid when Top, the rungs and the run hold no events. */
  private resetLadder(): void {
    this.chunkHigh = 0;
    this.freeChunk = -1;
    this.topHead = -1;
    this.topTail = -1;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    this.topStart = -Infinity;
    this.depth = 0;
    this.runPos = 0;
    this.runLength = 0;
    this.fitBuckets = 0;
    this.servedSinceFit = 0;
  }

  // ---------------------------------------------------------------- storage

  private allocateChunks(capacity: number): void {
    const buffer = new ArrayBuffer(capacity * CHUNK * I32_STRIDE * 4);
    const times = new Float64Array(buffer);
    const next = new Int32Array(capacity);
    if (this.chunkCapacity > 0) {
      times.set(this.times);
      next.set(this.chunkNext);
    }
    this.times = times;
    this.words = new Int32Array(buffer);
    this.chunkNext = next;
    this.chunkCapacity = capacity;
  }

  /** A fresh chunk; may grow (and so replace) `times` and `words`. */
  private newChunk(): number {
    const chunk = this.freeChunk;
    if (chunk >= 0) {
      this.freeChunk = this.chunkNext[chunk];
      return chunk;
    }
    // Grow by half, not double: at a million pending events a doubling would
    // briefly hold three copies of the storage.
    if (this.chunkHigh === this.chunkCapacity) this.allocateChunks(Math.ceil(this.chunkCapacity * 1.5));
    return this.chunkHigh++;
  }

  /** Appends an event to bucket `g` (a flattened bucket index). */
  private append(g: number, time: number, kind: number, a: number, b: number): void {
    const count = this.bucketCount[g];
    const slot = count & CHUNK_MASK;
    let chunk: number;
    if (slot === 0) {
      chunk = this.newChunk();
      if (count === 0) {
        this.bucketHead[g] = chunk;
        this.bucketMin[g] = time;
        this.bucketMax[g] = time;
      } else {
        this.chunkNext[this.bucketTail[g]] = chunk;
        if (time < this.bucketMin[g]) this.bucketMin[g] = time;
        else if (time > this.bucketMax[g]) this.bucketMax[g] = time;
      }
      this.bucketTail[g] = chunk;
    } else {
      chunk = this.bucketTail[g];
      if (time < this.bucketMin[g]) this.bucketMin[g] = time;
      else if (time > this.bucketMax[g]) this.bucketMax[g] = time;
    }
    this.bucketCount[g] = count + 1;
    const e = (chunk << CHUNK_BITS) | slot;
    this.times[e * F64_STRIDE] = time;
    const w = e * I32_STRIDE;
    const words = this.words;
    words[w + 2] = kind;
    words[w + 3] = a;
    words[w + 4] = b;
  }

  // The record write at the end repeats append()'s on purpose: sharing it
  // through a small method cost 3-7% of the bare queue's hold rate.
  private appendTop(time: number, kind: number, a: number, b: number): void {
    const count = this.topCount;
    const slot = count & CHUNK_MASK;
    let chunk: number;
    if (slot === 0) {
      chunk = this.newChunk();
      if (count === 0) this.topHead = chunk;
      else this.chunkNext[this.topTail] = chunk;
      this.topTail = chunk;
    } else {
      chunk = this.topTail;
    }
    if (time < this.topMin) this.topMin = time;
    if (time > this.topMax) this.topMax = time;
    this.topCount = count + 1;
    const e = (chunk << CHUNK_BITS) | slot;
    this.times[e * F64_STRIDE] = time;
    const w = e * I32_STRIDE;
    const words = this.words;
    words[w + 2] = kind;
    words[w + 3] = a;
    words[w + 4] = b;
  }

  // ------------------------------------------------------------------ heap

  private heapPush(time: number, kind: number, a: number, b: number): void {
    this.servedSinceFit++;
    this.heapInsert(time, kind, a, b);
    if (++this.heapTraffic >= this.spawnAt) this.spawn();
  }

  /** Adds an event to the heap, after every event already in it with the same time. */
  private heapInsert(time: number, kind: number, a: number, b: number): void {
    let i = this.heapSize++;
    if (i === this.heapTime.length) this.growHeap();
    // Slots in use = heap entries, so a slot index below heapSize is free
    // exactly when it is on the free stack; fresh slots are taken in order.
    const slot = this.freeSlotCount > 0 ? this.freeSlots[--this.freeSlotCount] : i;
    this.slotSeq[slot] = this.seq++;
    this.slotKind[slot] = kind;
    this.slotA[slot] = a;
    this.slotB[slot] = b;
    const times = this.heapTime;
    const slots = this.heapSlot;
    // The new sequence number is the largest, so only times decide here.
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = times[parent];
      if (pt <= time) break;
      times[i] = pt;
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = time;
    slots[i] = slot;
  }

  /**
   * Moves heap and run into a new deepest rung spanning [now, end of the
   * bucket being served), with buckets sized to the heap's traffic. Short
   * delays (a request's service, a round trip, background arrivals) keep
   * landing in the bucket being served; without this the heap would take
   * every such event for as long as that bucket lasts, at O(log n) each
   * (40% of the seed design's events at 1M users), where finer buckets take
   * most of them at O(1). Heap and run together hold every pending event of
   * the current bucket.
   */
  private spawn(): void {
    const traffic = this.heapTraffic;
    const rest = this.runLength - this.runPos;
    const r = this.depth - 1;
    if (SPAWN_RATIO * traffic < rest || this.depth >= MAX_RUNGS) {
      this.spawnAt = Math.max(2 * traffic, Math.ceil(rest / SPAWN_RATIO));
      return;
    }
    const min = this.poppedTime;
    // The end only sizes the new rung: its last bucket takes everything up
    // to the parent's next bucket, wherever the arithmetic puts this end.
    const end = this.cursorBucketEnd(r);
    const span = end - min;
    if (!(span >= 2)) {
      this.spawnAt = 2 * traffic;
      return;
    }
    // Events per µs the heap took since the bucket was loaded.
    const rate = traffic / Math.max(1, min - this.trafficSince);
    let width = Math.max(1, Math.floor(SPAWN_RUN / rate));
    let buckets = Math.ceil(span / width);
    if (buckets > SPAWN_BUCKETS) {
      buckets = SPAWN_BUCKETS;
      width = Math.ceil(span / buckets);
    }
    // A rung at most half as wide as its parent's, or none: otherwise
    // spawns could nest the same range again and again (a stop before a
    // far bucket, then a burst at now), and every level of rungs halving
    // keeps the depth below MAX_RUNGS, so splits stay possible.
    if (width > this.rungWidth[r] / 2) {
      this.spawnAt = 2 * traffic;
      return;
    }
    this.countHeapTrafficFrom(min);
    this.openRung(r + 1, min, width, buckets, end);
    const offset = this.rungOffset[r + 1];
    // Drain the heap in (time, sequence) order, so that each bucket keeps
    // the insertion order of equal times; the popped fields belong to the
    // caller's event, so they are kept.
    const time = this.poppedTime;
    const kind = this.poppedKind;
    const a = this.poppedA;
    const b = this.poppedB;
    const inverse = 1 / width;
    const last = buckets - 1;
    // The run first: its events are older than the heap's.
    for (let i = this.runPos; i < this.runLength; i++) {
      const t = this.runTime[i];
      let bucket = Math.floor((t - min) * inverse);
      if (bucket > last) bucket = last;
      this.append(offset + bucket, t, this.runKind[i], this.runA[i], this.runB[i]);
    }
    this.runPos = this.runLength = 0;
    while (this.heapSize > 0) {
      this.heapPop();
      const t = this.poppedTime;
      let bucket = Math.floor((t - min) * inverse);
      if (bucket > last) bucket = last;
      this.append(offset + bucket, t, this.poppedKind, this.poppedA, this.poppedB);
    }
    this.poppedTime = time;
    this.poppedKind = kind;
    this.poppedA = a;
    this.poppedB = b;
  }

  /** Starts counting the heap's traffic afresh from time `since` (a new run, a new rung, a cleared queue). */
  private countHeapTrafficFrom(since: number): void {
    this.heapTraffic = 0;
    this.spawnAt = SPAWN_TRAFFIC;
    this.trafficSince = since;
  }

  /** Removes the heap's minimum into the popped fields. */
  private heapPop(): void {
    const times = this.heapTime;
    const slots = this.heapSlot;
    const seqs = this.slotSeq;
    const top = slots[0];
    this.poppedTime = times[0];
    this.poppedKind = this.slotKind[top];
    this.poppedA = this.slotA[top];
    this.poppedB = this.slotB[top];
    const n = --this.heapSize;
    if (n === 0) {
      this.freeSlotCount = 0;
      this.seq = 0;
      return;
    }
    this.freeSlots[this.freeSlotCount++] = top;
    const lt = times[n];
    const ls = slots[n];
    const lq = seqs[ls];
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      // The least of up to four children, by (time, sequence).
      let child = first;
      let ct = times[first];
      const end = first + 4 < n ? first + 4 : n;
      for (let k = first + 1; k < end; k++) {
        const t = times[k];
        if (t < ct || (t === ct && seqs[slots[k]] < seqs[slots[child]])) {
          child = k;
          ct = t;
        }
      }
      if (ct > lt || (ct === lt && seqs[slots[child]] > lq)) break;
      times[i] = ct;
      slots[i] = slots[child];
      i = child;
    }
    times[i] = lt;
    slots[i] = ls;
  }

  private growHeap(): void {
    const capacity = this.heapTime.length * 2;
    this.heapTime = grownTo(this.heapTime, capacity);
    this.heapSlot = grownTo(this.heapSlot, capacity);
    this.slotSeq = grownTo(this.slotSeq, capacity);
    this.slotKind = grownTo(this.slotKind, capacity);
    this.slotA = grownTo(this.slotA, capacity);
    this.slotB = grownTo(this.slotB, capacity);
    this.freeSlots = grownTo(this.freeSlots, capacity);
  }

  // --------------------------------------------------------------- advance

  /**
   * Loads the next non-empty bucket into the run. Called when the run and
   * the heap are empty and `size > 0`.
   */
  private advance(): void {
    for (;;) {
      if (this.depth === 0) this.transferTop();
      const r = this.depth - 1;
      const offset = this.rungOffset[r];
      const buckets = this.rungBuckets[r];
      const counts = this.bucketCount;
      const from = this.rungCursor[r] + 1;
      let c = from;
      while (c < buckets && counts[offset + c] === 0) c++;
      if (r === 0) {
        const width = this.observe(c - from, c < buckets ? counts[offset + c] : 0);
        if (width > 0) {
          this.rungCursor[0] = c - 1;
          this.refit(width);
          continue;
        }
      }
      if (c === buckets) {
        this.depth = r;
        continue;
      }
      this.rungCursor[r] = c;
      const g = offset + c;
      const n = counts[g];
      const span = this.bucketMax[g] - this.bucketMin[g];
      if (span > 0 && (n > SPLIT_FACTOR * TARGET_RUN || (span + 1) * pow2AtLeast(n) > TWO_POW_53) && r + 1 < MAX_RUNGS) {
        this.split(g, r);
        continue;
      }
      this.loadRun(g);
      this.countHeapTrafficFrom(this.poppedTime);
      if (this.onRunLoaded !== null) this.onRunLoaded(this.runKind, this.runA, this.runLength);
      return;
    }
  }

  /**
   * Feeds the runs rung 0 delivers (`empty` empty buckets, then one of
   * `count` events) into their moving average. When that average has drifted
   * far from the target (the density moved: users arriving, a burst at T0,
   * users leaving) and the events served since the last fit pay for a
   * re-fit, returns the bucket width (µs) that would have hit the target;
   * else 0.
   */
  private observe(empty: number, count: number): number {
    let average = this.fitAverage;
    if (empty > 0) average *= Math.pow(1 - DRIFT_WEIGHT, empty);
    average += DRIFT_WEIGHT * (count - average);
    this.fitAverage = average;
    this.fitBuckets += empty + 1;
    const run = this.fitRun;
    if (this.fitBuckets < 4 || this.servedSinceFit * 4 < this.size || (average <= DENSE_DRIFT * run && average * SPARSE_DRIFT >= run)) {
      return 0;
    }
    const factor = Math.min(64, Math.max(1 / 64, run / Math.max(average, 1e-9)));
    return Math.max(1, Math.round(factor / this.rungInverseWidth[0]));
  }

  /**
   * Re-fits rung 0 (the only rung) to buckets of `width` µs: Top and the
   * unvisited buckets of rung 0 go into a new rung 0 and a new Top, read
   * where they are (each event copied once), in the order Top, then bucket by
   * bucket, so that equal times keep their insertion order.
   */
  private refit(width: number): void {
    const from = this.rungCursor[0] + 1;
    const to = this.rungBuckets[0];
    const heads = new Int32Array(Math.max(0, to - from));
    const counts = new Int32Array(heads.length);
    let chains = 0;
    const inTop = this.topCount;
    let n = inTop;
    let min = this.topMin;
    let max = this.topMax;
    for (let c = from; c < to; c++) {
      const count = this.bucketCount[c];
      if (count === 0) continue;
      heads[chains] = this.bucketHead[c];
      counts[chains++] = count;
      n += count;
      if (this.bucketMin[c] < min) min = this.bucketMin[c];
      if (this.bucketMax[c] > max) max = this.bucketMax[c];
    }
    const top = this.detachTop();
    this.fitRung0(n, min, max, width);
    this.distribute(top, inTop);
    for (let k = 0; k < chains; k++) this.distribute(heads[k], counts[k]);
  }

  /**
   * Makes rung `r` the deepest: `buckets` empty buckets of `width` µs from
   * `start`, the last one taking everything up to `end`, stored after the
   * buckets of rung r - 1, cursor before the first.
   */
  private openRung(r: number, start: number, width: number, buckets: number, end: number): void {
    const offset = r === 0 ? 0 : this.rungOffset[r - 1] + this.rungBuckets[r - 1];
    this.reserveBuckets(offset, buckets);
    this.rungStart[r] = start;
    this.rungInverseWidth[r] = 1 / width;
    this.rungWidth[r] = width;
    this.rungEnd[r] = end;
    this.rungCursor[r] = -1;
    this.rungBuckets[r] = buckets;
    this.rungOffset[r] = offset;
    this.depth = r + 1;
  }

  /** Where the bucket under rung r's cursor ends (for the last bucket, the rung's end). */
  private cursorBucketEnd(r: number): number {
    const c = this.rungCursor[r];
    return c === this.rungBuckets[r] - 1 ? this.rungEnd[r] : this.rungStart[r] + (c + 1) * this.rungWidth[r];
  }

  /** Makes `count` buckets starting at flattened index `offset` usable and empty. */
  private reserveBuckets(offset: number, count: number): void {
    const needed = offset + count;
    if (needed > this.bucketCount.length) {
      let capacity = this.bucketCount.length;
      while (capacity < needed) capacity *= 2;
      this.bucketHead = grownTo(this.bucketHead, capacity);
      this.bucketTail = grownTo(this.bucketTail, capacity);
      this.bucketCount = grownTo(this.bucketCount, capacity);
      this.bucketMin = grownTo(this.bucketMin, capacity);
      this.bucketMax = grownTo(this.bucketMax, capacity);
    }
    this.bucketCount.fill(0, offset, needed);
  }

  /**
   * Starts a new rung 0 from Top: the bucket width is fitted to the density
   * of Top's front, estimated from a sample; events beyond the rung's end
   * stay in Top.
   */
  private transferTop(): void {
    const n = this.topCount;
    const min = this.topMin;
    const max = this.topMax;
    const width = max > min ? this.fittedWidth(n, min, max - min) : 1;
    const top = this.detachTop();
    this.fitRung0(n, min, max, width);
    this.distribute(top, n);
  }

  /** The bucket width (µs) that puts a target run of Top's `n` events (from `min`, over `span` µs) into a bucket at its front. */
  private fittedWidth(n: number, min: number, span: number): number {
    return Math.max(1, Math.floor(targetRun(n) / this.frontDensity(n, min, span)));
  }

  /**
   * Makes rung 0 the only rung, for `n` events in [min, max], with buckets
   * of `width` µs (one bucket of 1 µs if all share one time), and Top start
   * where it ends.
   */
  private fitRung0(n: number, min: number, max: number, width: number): void {
    const span = max - min;
    const run = targetRun(n);
    let buckets: number;
    if (span === 0) {
      width = 1;
      buckets = 1;
    } else {
      const cap = Math.ceil((4 * EXTEND * n) / run) + MIN_BUCKETS;
      buckets = Math.min(cap, Math.floor((EXTEND * span) / width) + 1);
    }
    this.fitRun = run;
    this.fitAverage = run;
    this.fitBuckets = 0;
    this.servedSinceFit = 0;
    const end = min + buckets * width;
    if (!(end > min)) throw new RangeError(`event time ${min} µs is beyond 2^53`);
    this.openRung(0, min, width, buckets, end);
    this.topStart = end;
  }

  /** Empties Top, returning its chunk list (its events stay in the chunks). */
  private detachTop(): number {
    const head = this.topHead;
    this.topHead = -1;
    this.topTail = -1;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    return head;
  }

  /**
   * Moves the `n` events of the chunk list from `head`, in order, into rung
   * 0 (the only rung) below its end and into Top at or after it, freeing
   * the chunks as they are read.
   */
  private distribute(head: number, n: number): void {
    const min = this.rungStart[0];
    const inverse = this.rungInverseWidth[0];
    const last = this.rungBuckets[0] - 1;
    const end = this.topStart;
    let chunk = head;
    for (let i = 0; i < n;) {
      const stop = Math.min(n, i + CHUNK);
      for (let e = chunk << CHUNK_BITS; i < stop; i++, e++) {
        // append() may grow and replace the arrays: read them afresh.
        const t = this.times[e * F64_STRIDE];
        const w = e * I32_STRIDE;
        const kind = this.words[w + 2];
        const a = this.words[w + 3];
        const b = this.words[w + 4];
        if (t >= end) {
          this.appendTop(t, kind, a, b);
        } else {
          let bucket = Math.floor((t - min) * inverse);
          if (bucket > last) bucket = last;
          this.append(bucket, t, kind, a, b);
        }
      }
      const following = this.chunkNext[chunk];
      this.chunkNext[chunk] = this.freeChunk;
      this.freeChunk = chunk;
      chunk = following;
    }
  }

  /**
   * Events per µs near the front of Top, estimated from a sample of its
   * events (Top is in insertion order, so an evenly spaced sample of it is
   * unbiased in time): the share of the sample in [min, q] over q - min,
   * with q a low quantile of the sample.
   */
  private frontDensity(n: number, min: number, span: number): number {
    const wanted = Math.min(SAMPLE, n);
    if (wanted < 8) return n / (span + 1);
    const sample = this.sortF64;
    let chunk = this.topHead;
    let chunkIndex = 0;
    for (let k = 0; k < wanted; k++) {
      const p = Math.floor(((k + 0.5) * n) / wanted);
      const target = p >> CHUNK_BITS;
      while (chunkIndex < target) {
        chunk = this.chunkNext[chunk];
        chunkIndex++;
      }
      sample[k] = this.times[((chunk << CHUNK_BITS) | (p & CHUNK_MASK)) * F64_STRIDE];
    }
    // Insertion sort: the sample is small.
    for (let i = 1; i < wanted; i++) {
      const v = sample[i];
      let j = i - 1;
      while (j >= 0 && sample[j] > v) {
        sample[j + 1] = sample[j];
        j--;
      }
      sample[j + 1] = v;
    }
    const q = wanted >> 2;
    const front = sample[q] - min + 1;
    return (((q + 0.5) / wanted) * n) / front;
  }

  /** Splits bucket `g` (the cursor of rung r) into a new rung r + 1. */
  private split(g: number, r: number): void {
    const n = this.bucketCount[g];
    const min = this.bucketMin[g];
    const span = this.bucketMax[g] - min;
    const wanted = Math.max(2, Math.ceil(n / TARGET_RUN));
    const width = Math.max(1, Math.ceil((span + 1) / wanted));
    const buckets = Math.floor(span / width) + 1;
    this.openRung(r + 1, min, width, buckets, this.cursorBucketEnd(r));
    const offset = this.rungOffset[r + 1];
    const inverse = 1 / width;
    const last = buckets - 1;
    let chunk = this.bucketHead[g];
    this.bucketCount[g] = 0;
    for (let i = 0; i < n;) {
      const stop = Math.min(n, i + CHUNK);
      for (let e = chunk << CHUNK_BITS; i < stop; i++, e++) {
        const t = this.times[e * F64_STRIDE];
        const w = e * I32_STRIDE;
        let bucket = Math.floor((t - min) * inverse);
        if (bucket > last) bucket = last;
        this.append(offset + bucket, t, this.words[w + 2], this.words[w + 3], this.words[w + 4]);
      }
      const following = this.chunkNext[chunk];
      this.chunkNext[chunk] = this.freeChunk;
      this.freeChunk = chunk;
      chunk = following;
    }
  }

  /**
   * Sorts bucket `g` into the run: a counting sort when its span is at most
   * a few times its size (the common case), else a native sort of integer
   * keys `(time - min) * P + position`, both exact and stable.
   */
  private loadRun(g: number): void {
    const n = this.bucketCount[g];
    const min = this.bucketMin[g];
    const span = this.bucketMax[g] - min;
    const head = this.bucketHead[g];
    if (n > this.runTime.length) this.growRun(n);
    this.bucketCount[g] = 0;
    this.servedSinceFit += n;
    this.runPos = 0;
    this.runLength = n;
    // The counting sort reads the bucket's chunks directly; the other sorts
    // need its events by position, in the scratch arrays.
    const sorted = n > INSERTION_MAX && span > 0 && span < TWO_POW_31 && this.countingSort(head, n, min, span);
    if (!sorted) this.gather(head, n);
    // The chunks are read: free them.
    let chunk = head;
    for (let i = CHUNK; ; i += CHUNK) {
      const following = this.chunkNext[chunk];
      this.chunkNext[chunk] = this.freeChunk;
      this.freeChunk = chunk;
      if (i >= n) break;
      chunk = following;
    }
    if (!sorted) this.keySort(n, min, span);
  }

  /** Copies the `n` events of the chunk list from `head`, in order, into the scratch arrays. */
  private gather(head: number, n: number): void {
    const sTime = this.scratchTime;
    const sKind = this.scratchKind;
    const sA = this.scratchA;
    const sB = this.scratchB;
    const times = this.times;
    const words = this.words;
    const next = this.chunkNext;
    let chunk = head;
    for (let i = 0; i < n; chunk = next[chunk]) {
      const stop = Math.min(n, i + CHUNK);
      for (let e = chunk << CHUNK_BITS; i < stop; i++, e++) {
        sTime[i] = times[e * F64_STRIDE];
        const w = e * I32_STRIDE;
        sKind[i] = words[w + 2];
        sA[i] = words[w + 3];
        sB[i] = words[w + 4];
      }
    }
  }

  /**
   * Counting sort of the `n` events of the chunk list from `head` into the
   * run, on (time - min) >> shift with about COUNTING_SPREAD bins per event
   * at most; when the bins are coarser than 1 µs an insertion pass finishes
   * the order, so this applies only when no bin holds more than CLUSTER_MAX
   * events (each moves within its bin). Returns false, writing nothing to
   * the run, when it does not apply.
   */
  private countingSort(head: number, n: number, min: number, span: number): boolean {
    const limit = COUNTING_SPREAD * n + 64;
    let shift = 0;
    while (span >>> shift >= limit) shift++;
    const bins = (span >>> shift) + 1;
    if (bins + 1 > this.counts.length) this.counts = new Int32Array(2 * bins + 2);
    const counts = this.counts;
    counts.fill(0, 0, bins + 1);
    const times = this.times;
    const words = this.words;
    const next = this.chunkNext;
    let chunk = head;
    for (let i = 0; i < n; chunk = next[chunk]) {
      const stop = Math.min(n, i + CHUNK);
      for (let e = chunk << CHUNK_BITS; i < stop; i++, e++) counts[(((times[e * F64_STRIDE] - min) | 0) >>> shift) + 1]++;
    }
    let most = 0;
    for (let k = 1; k < bins; k++) {
      const c = counts[k];
      if (c > most) most = c;
      counts[k] = c + counts[k - 1];
    }
    if (shift > 0 && (most > CLUSTER_MAX || counts[bins] > CLUSTER_MAX)) return false;
    const rTime = this.runTime;
    const rKind = this.runKind;
    const rA = this.runA;
    const rB = this.runB;
    chunk = head;
    for (let i = 0; i < n; chunk = next[chunk]) {
      const stop = Math.min(n, i + CHUNK);
      for (let e = chunk << CHUNK_BITS; i < stop; i++, e++) {
        const t = times[e * F64_STRIDE];
        const j = counts[((t - min) | 0) >>> shift]++;
        const w = e * I32_STRIDE;
        rTime[j] = t;
        rKind[j] = words[w + 2];
        rA[j] = words[w + 3];
        rB[j] = words[w + 4];
      }
    }
    if (shift > 0) {
      for (let j = 1; j < n; j++) {
        const t = rTime[j];
        if (rTime[j - 1] <= t) continue;
        const kind = rKind[j];
        const a = rA[j];
        const b = rB[j];
        let i = j - 1;
        do {
          rTime[i + 1] = rTime[i];
          rKind[i + 1] = rKind[i];
          rA[i + 1] = rA[i];
          rB[i + 1] = rB[i];
          i--;
        } while (i >= 0 && rTime[i] > t);
        rTime[i + 1] = t;
        rKind[i + 1] = kind;
        rA[i + 1] = a;
        rB[i + 1] = b;
      }
    }
    return true;
  }

  /**
   * Sorts the `n` events in the scratch arrays into the run: by position
   * when they all have one time, else by the exact integer keys
   * `(time - min) * P + position` (P a power of two ≥ n), natively.
   */
  private keySort(n: number, min: number, span: number): void {
    const sTime = this.scratchTime;
    const sKind = this.scratchKind;
    const sA = this.scratchA;
    const sB = this.scratchB;
    if (span === 0) {
      // One time only: insertion order is the order.
      this.scratchTime = this.runTime;
      this.scratchKind = this.runKind;
      this.scratchA = this.runA;
      this.scratchB = this.runB;
      this.runTime = sTime;
      this.runKind = sKind;
      this.runA = sA;
      this.runB = sB;
      return;
    }
    const rTime = this.runTime;
    const rKind = this.runKind;
    const rA = this.runA;
    const rB = this.runB;
    const p = pow2AtLeast(n);
    if ((span + 1) * p <= TWO_POW_32) {
      const keys = this.sortU32;
      for (let i = 0; i < n; i++) keys[i] = (sTime[i] - min) * p + i;
      if (n <= INSERTION_MAX) {
        for (let i = 1; i < n; i++) {
          const v = keys[i];
          let j = i - 1;
          while (j >= 0 && keys[j] > v) {
            keys[j + 1] = keys[j];
            j--;
          }
          keys[j + 1] = v;
        }
      } else {
        const padded = (n + 63) >> 6;
        for (let i = n; i < padded << 6; i++) keys[i] = 0xffffffff;
        let view = this.u32Views[padded];
        if (view === undefined) view = this.u32Views[padded] = keys.subarray(0, padded << 6);
        view.sort();
      }
      const mask = p - 1;
      for (let j = 0; j < n; j++) {
        const i = keys[j] & mask;
        rTime[j] = sTime[i];
        rKind[j] = sKind[i];
        rA[j] = sA[i];
        rB[j] = sB[i];
      }
    } else {
      // Wide span (the rung splitting keeps keys below 2^53).
      const keys = this.sortF64;
      for (let i = 0; i < n; i++) keys[i] = (sTime[i] - min) * p + i;
      const padded = (n + 63) >> 6;
      for (let i = n; i < padded << 6; i++) keys[i] = Infinity;
      let view = this.f64Views[padded];
      if (view === undefined) view = this.f64Views[padded] = keys.subarray(0, padded << 6);
      view.sort();
      for (let j = 0; j < n; j++) {
        const key = keys[j];
        const i = (key - Math.floor(key / p) * p) | 0;
        rTime[j] = sTime[i];
        rKind[j] = sKind[i];
        rA[j] = sA[i];
        rB[j] = sB[i];
      }
    }
  }

  private growRun(n: number): void {
    let capacity = this.runTime.length;
    while (capacity < n) capacity *= 2;
    this.runTime = new Float64Array(capacity);
    this.runKind = new Int32Array(capacity);
    this.runA = new Int32Array(capacity);
    this.runB = new Int32Array(capacity);
    this.scratchTime = new Float64Array(capacity);
    this.scratchKind = new Int32Array(capacity);
    this.scratchA = new Int32Array(capacity);
    this.scratchB = new Int32Array(capacity);
    this.sortU32 = new Uint32Array(capacity + 64);
    this.sortF64 = new Float64Array(capacity + 64);
    this.u32Views = [];
    this.f64Views = [];
  }
}

/** Events per bucket that rung 0 aims at for a queue of `n` (small queues get at least MIN_BUCKETS buckets). */
function targetRun(n: number): number {
  return Math.min(TARGET_RUN, Math.max(MIN_RUN, Math.floor(n / MIN_BUCKETS)));
}

/** The smallest power of two ≥ n (n ≥ 1). */
function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
