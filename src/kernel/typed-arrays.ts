/**
 * Growing the typed arrays that the kernel and the system keep their state
 * in. Growth is rare (doubling), so these are off the hot path; one copy of
 * the logic instead of one per structure.
 */

/** The typed arrays state is kept in. */
export type StateArray = Int32Array | Uint8Array | Float64Array;

/** A read-only view of a typed array of counts or levels, for a component's stats: index it or iterate it, never write it. */
export type ReadonlyNumbers = ArrayLike<number> & Iterable<number>;

/** A new array of `array`'s type and `length` elements (at least its own), starting with a copy of it; the rest is 0. */
export function grownTo<T extends StateArray>(array: T, length: number): T {
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  return grown;
}

/**
 * A ring buffer's `count` entries from index `head` (wrapping at the ring's
 * length), in order from index 0 of a new array of the same type and
 * `length` elements: the ring grown, with its head moved to 0.
 */
export function unwrappedTo<T extends StateArray>(ring: T, head: number, count: number, length: number): T {
  const grown = new (ring.constructor as new (length: number) => T)(length);
  const first = Math.min(count, ring.length - head);
  grown.set(ring.subarray(head, head + first));
  grown.set(ring.subarray(0, count - first), first);
  return grown;
}
