/**
 * Pending-event set of the simulator: a calendar queue (R. Brown, CACM 1988)
 * in typed arrays, re-fitted when the event density moves.
 *
 * Why a calendar queue and not a binary heap: with ~1M pending events a heap
 * walks ~20 levels of cache-missing memory per operation, while a calendar
 * queue touches one bucket holding about one event. `npm run bench` measures
 * both in the same process.
 *
 * Order: events leave strictly by (time, insertion sequence). Each bucket is
 * a linked list sorted by time, and an event is linked *after* every event of
 * equal time, so ties leave in FIFO order without storing a sequence number.
 *
 * Memory layout is array-of-structs so that one event is one cache line:
 * 24 bytes per node (float64 time in integer µs, exact to 2^53; int32 kind,
 * two int32 arguments, int32 link), and 8 bytes per bucket (head, tail).
 * Nothing is allocated per event; node storage grows by doubling.
 */
const NODE_BYTES = 24;
const F64_STRIDE = 3;
const I32_STRIDE = 6;
const KIND = 2;
const ARG_A = 3;
const ARG_B = 4;
const NEXT = 5;
/** Target events per bucket near the front of the queue. */
const EVENTS_PER_BUCKET = 1;
const MIN_BUCKETS = 16;

export class EventQueue {
  private times!: Float64Array;
  private words!: Int32Array;
  private capacity = 0;
  private freeHead = -1;
  private highWater = 0;

  /** Bucket b: buckets[2b] = head node, buckets[2b+1] = tail node, -1 when empty. */
  private buckets: Int32Array;
  private bucketCount = MIN_BUCKETS;
  private mask = MIN_BUCKETS - 1;
  /** Bucket width in µs (a "day" of the calendar); an integer. */
  private width = 1;
  /** Bucket where the next event is looked for. */
  private current = 0;
  /** Exclusive upper time bound of `current` in the current "year". */
  private currentTop = 1;
  private lastPopped = 0;

  private windowOps = 0;
  private windowSteps = 0;
  private opsSinceRebuild = 0;

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
    this.allocateNodes(Math.max(16, initialCapacity | 0));
    this.buckets = new Int32Array(2 * MIN_BUCKETS).fill(-1);
  }

  /**
   * Adds an event. `time` (µs) must not be earlier than the time of the last
   * popped event; {@link Simulation} guarantees this.
   */
  push(time: number, kind: number, a: number, b: number): void {
    let node = this.freeHead;
    if (node >= 0) {
      this.freeHead = this.words[node * I32_STRIDE + NEXT];
    } else {
      if (this.highWater === this.capacity) this.allocateNodes(this.capacity * 2);
      node = this.highWater++;
    }
    this.times[node * F64_STRIDE] = time;
    const w = node * I32_STRIDE;
    const words = this.words;
    words[w + KIND] = kind;
    words[w + ARG_A] = a;
    words[w + ARG_B] = b;
    this.link(node, time);
    if (++this.size > this.bucketCount * 2) this.rebuild(this.bucketCount * 2);
  }

  /**
   * Removes the earliest event if its time is at most `limit` µs, exposing it
   * through `poppedTime`, `poppedKind`, `poppedA` and `poppedB`.
   * @returns false, removing nothing, when the queue is empty or its earliest
   * event is later than `limit`.
   */
  pop(limit: number): boolean {
    if (this.size === 0) return false;
    const buckets = this.buckets;
    const times = this.times;
    const mask = this.mask;
    const width = this.width;
    let i = this.current;
    let top = this.currentTop;
    let node = -1;
    let scanned = 0;
    for (; scanned <= mask; scanned++) {
      const head = buckets[i << 1];
      if (head >= 0 && times[head * F64_STRIDE] < top) {
        node = head;
        break;
      }
      i = (i + 1) & mask;
      top += width;
    }
    if (node < 0) {
      // A whole year without an event: jump straight to the minimum.
      node = this.findMinimum();
      const t = times[node * F64_STRIDE];
      i = (t / width) & mask;
      top = (Math.floor(t / width) + 1) * width;
    }
    this.current = i;
    this.currentTop = top;
    this.windowSteps += scanned;
    const t = times[node * F64_STRIDE];
    if (t > limit) return false;
    const words = this.words;
    const w = node * I32_STRIDE;
    const following = words[w + NEXT];
    buckets[i << 1] = following;
    if (following < 0) buckets[(i << 1) + 1] = -1;
    this.poppedTime = t;
    this.poppedKind = words[w + KIND];
    this.poppedA = words[w + ARG_A];
    this.poppedB = words[w + ARG_B];
    this.lastPopped = t;
    words[w + NEXT] = this.freeHead;
    this.freeHead = node;
    this.size--;
    this.opsSinceRebuild++;
    if (++this.windowOps === 4096) this.checkCost();
    else if (this.size < this.bucketCount >> 1 && this.bucketCount > MIN_BUCKETS) {
      this.rebuild(this.bucketCount >> 1);
    }
    return true;
  }

  /** Time (µs) of the earliest pending event, or Infinity when empty. */
  peekTime(): number {
    if (this.size === 0) return Infinity;
    // A pop with a limit below every time moves the cursor onto the
    // earliest event without removing it.
    this.pop(-Infinity);
    return this.times[this.buckets[this.current << 1] * F64_STRIDE];
  }

  /** Removes every pending event. */
  clear(): void {
    this.buckets.fill(-1);
    this.freeHead = -1;
    this.highWater = 0;
    this.size = 0;
    this.current = 0;
    this.currentTop = this.width;
    this.lastPopped = 0;
  }

  private link(node: number, time: number): void {
    const width = this.width;
    // ToInt32 of the non-negative quotient truncates it and wraps it modulo
    // 2^32, a multiple of the power-of-two bucket count: the bucket index.
    const b = ((time / width) & this.mask) << 1;
    const buckets = this.buckets;
    const words = this.words;
    const times = this.times;
    const tail = buckets[b + 1];
    if (tail < 0) {
      buckets[b] = node;
      buckets[b + 1] = node;
      words[node * I32_STRIDE + NEXT] = -1;
    } else if (times[tail * F64_STRIDE] <= time) {
      words[tail * I32_STRIDE + NEXT] = node;
      words[node * I32_STRIDE + NEXT] = -1;
      buckets[b + 1] = node;
    } else {
      let prev = -1;
      let cur = buckets[b];
      let steps = 1;
      while (times[cur * F64_STRIDE] <= time) {
        prev = cur;
        cur = words[cur * I32_STRIDE + NEXT];
        steps++;
      }
      words[node * I32_STRIDE + NEXT] = cur;
      if (prev < 0) buckets[b] = node;
      else words[prev * I32_STRIDE + NEXT] = node;
      this.windowSteps += steps;
    }
    // After a pop that stopped at `limit`, the cursor may sit on a later
    // event; an earlier insertion must pull it back so it is found first.
    if (time < this.currentTop - width) {
      this.current = b >> 1;
      this.currentTop = (Math.floor(time / width) + 1) * width;
    }
  }

  private findMinimum(): number {
    let best = -1;
    let bestTime = Infinity;
    const buckets = this.buckets;
    const times = this.times;
    for (let b = 0; b <= this.mask; b++) {
      const head = buckets[b << 1];
      if (head >= 0 && times[head * F64_STRIDE] < bestTime) {
        bestTime = times[head * F64_STRIDE];
        best = head;
      }
    }
    return best;
  }

  private allocateNodes(capacity: number): void {
    const buffer = new ArrayBuffer(capacity * NODE_BYTES);
    const times = new Float64Array(buffer);
    if (this.capacity > 0) times.set(this.times);
    this.times = times;
    this.words = new Int32Array(buffer);
    this.capacity = capacity;
  }

  /**
   * Rebuilds when the work per pop shows the bucket width no longer fits the
   * event density (it moves, e.g. at the sale's start). A rebuild costs
   * O(size), so at most one per size/4 pops keeps the cost amortised O(1).
   */
  private checkCost(): void {
    const perOp = this.windowSteps / this.windowOps;
    this.windowOps = 0;
    this.windowSteps = 0;
    if (perOp > 8 && this.size > 64 && this.opsSinceRebuild * 4 >= this.size) {
      this.rebuild(this.bucketCount);
    }
  }

  /** Re-links every event into `count` buckets of a freshly fitted width. */
  private rebuild(count: number): void {
    const width = this.sampleWidth();
    const old = this.buckets;
    const oldCount = this.bucketCount;
    this.bucketCount = count;
    this.mask = count - 1;
    this.width = width;
    this.buckets = new Int32Array(2 * count).fill(-1);
    this.current = (this.lastPopped / width) & this.mask;
    this.currentTop = (Math.floor(this.lastPopped / width) + 1) * width;
    const words = this.words;
    // Old buckets hold equal times in FIFO order, and link() appends after
    // equal times, so re-linking bucket by bucket keeps ties in order.
    for (let b = 0; b < oldCount; b++) {
      let node = old[b << 1];
      while (node >= 0) {
        const following = words[node * I32_STRIDE + NEXT];
        this.link(node, this.times[node * F64_STRIDE]);
        node = following;
      }
    }
    this.windowOps = 0;
    this.windowSteps = 0;
    this.opsSinceRebuild = 0;
  }

  /**
   * Fits a bucket width (µs) to the spacing of up to 64 of the earliest
   * events, ignoring gaps far above the average (Brown's outlier rule).
   */
  private sampleWidth(): number {
    const wanted = Math.min(64, this.size);
    if (wanted < 2) return this.width;
    const sample: number[] = [];
    const buckets = this.buckets;
    const words = this.words;
    const times = this.times;
    let i = this.current;
    let top = this.currentTop;
    for (let scanned = 0; scanned <= this.mask && sample.length < wanted; scanned++) {
      let node = buckets[i << 1];
      while (node >= 0 && sample.length < wanted) {
        const t = times[node * F64_STRIDE];
        if (t >= top) break;
        sample.push(t);
        node = words[node * I32_STRIDE + NEXT];
      }
      i = (i + 1) & this.mask;
      top += this.width;
    }
    if (sample.length < 2) return this.spreadWidth();
    sample.sort((x, y) => x - y);
    const average = (sample[sample.length - 1] - sample[0]) / (sample.length - 1);
    let kept = 0;
    let keptTotal = 0;
    for (let k = 1; k < sample.length; k++) {
      const gap = sample[k] - sample[k - 1];
      if (gap <= 2 * average) {
        kept++;
        keptTotal += gap;
      }
    }
    const separation = kept > 0 ? keptTotal / kept : average;
    // An integer width keeps every bucket boundary exact in float64.
    return Math.max(1, Math.round(EVENTS_PER_BUCKET * separation));
  }

  /** Width from the spread of all pending events, when the front is empty. */
  private spreadWidth(): number {
    let min = Infinity;
    let max = -Infinity;
    const buckets = this.buckets;
    const words = this.words;
    const times = this.times;
    for (let b = 0; b <= this.mask; b++) {
      let node = buckets[b << 1];
      while (node >= 0) {
        const t = times[node * F64_STRIDE];
        if (t < min) min = t;
        if (t > max) max = t;
        node = words[node * I32_STRIDE + NEXT];
      }
    }
    return Math.max(1, Math.round((EVENTS_PER_BUCKET * (max - min)) / this.size));
  }
}
