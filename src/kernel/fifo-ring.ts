import { unwrappedTo } from './typed-arrays.js';

/**
 * A first-in first-out line of numbers in a typed-array ring that doubles
 * when full (nothing is allocated per entry): the main site's waiting
 * requests (arrival times, µs) and the waiting room's line (user indices).
 * The array type decides what an entry can hold: Float64Array any number,
 * Int32Array int32 values.
 */
export class FifoRing {
  private items: Int32Array | Float64Array;
  private head = 0;
  /** Entries in line. */
  size = 0;

  /** @param initial the ring's first storage (its length is the first capacity, at least 1). */
  constructor(initial: Int32Array | Float64Array) {
    if (initial.length < 1) throw new RangeError('a FifoRing needs room for at least one entry');
    this.items = initial;
  }

  /** Appends `value` at the back of the line. */
  push(value: number): void {
    if (this.size === this.items.length) {
      this.items = unwrappedTo(this.items, this.head, this.size, this.items.length * 2);
      this.head = 0;
    }
    this.items[(this.head + this.size) % this.items.length] = value;
    this.size++;
  }

  /** Removes and returns the entry at the front of the line (the line must not be empty). */
  shift(): number {
    const value = this.items[this.head];
    this.head = (this.head + 1) % this.items.length;
    this.size--;
    return value;
  }

  /** The entry `k` places from the front (0 ≤ k < size). */
  at(k: number): number {
    return this.items[(this.head + k) % this.items.length];
  }
}
