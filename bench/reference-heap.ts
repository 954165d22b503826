/**
 * The bare reference for `npm run bench`: a minimal binary min-heap over a
 * float64 key array with an int32 payload, doing nothing per event. It is
 * what a careful hand-written heap costs, so the kernel's events/s can be
 * read as a ratio against it measured in the same process.
 */
export class ReferenceHeap {
  private keys: Float64Array;
  private values: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity + 1);
    this.values = new Int32Array(capacity + 1);
  }

  push(key: number, value: number): void {
    const keys = this.keys;
    const values = this.values;
    let i = ++this.size;
    while (i > 1) {
      const parent = i >> 1;
      const pk = keys[parent];
      if (pk <= key) break;
      keys[i] = pk;
      values[i] = values[parent];
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
  }

  /** Removes the minimum and returns its key. */
  pop(): number {
    const keys = this.keys;
    const values = this.values;
    const top = keys[1];
    const lastKey = keys[this.size];
    const lastValue = values[this.size];
    const n = --this.size;
    let i = 1;
    for (;;) {
      let child = i << 1;
      if (child > n) break;
      if (child < n && keys[child + 1] < keys[child]) child++;
      if (keys[child] >= lastKey) break;
      keys[i] = keys[child];
      values[i] = values[child];
      i = child;
    }
    keys[i] = lastKey;
    values[i] = lastValue;
    return top;
  }
}
