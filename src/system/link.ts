/**
 * A network link of fixed capacity: transfers are sent one after another,
 * first come first served, each taking bytes / capacity. Because the order
 * and the service times are known on arrival, the finish time is computed
 * at once (the virtual-finish-time form of a FIFO single server): no event
 * and no queue storage per transfer.
 *
 * FIFO rather than processor sharing is a simplification: throughput and
 * mean backlog match, but a small transfer waits behind large ones instead of
 * sharing the pipe (docs/model.md, "The system").
 */
export class Link {
  /** Capacity in bytes per µs (bytes/s ÷ 1e6). */
  private readonly bytesPerUs: number;
  /** Time (µs) the link finishes its backlog. */
  private freeAt = 0;
  /** Transfer time accumulated so far (µs of busy link). */
  private busyUs = 0;
  #bytes = 0;

  /** @param bytesPerSecond capacity in bytes/s; Infinity for an ideal link. */
  constructor(bytesPerSecond: number) {
    this.bytesPerUs = bytesPerSecond / 1e6;
  }

  /**
   * Queues a transfer of `bytes` offered at `nowUs`, the current time (the
   * busy-time accounting assumes transfers are not offered in the future).
   * @returns the time (µs) its last byte leaves the link.
   */
  transmit(nowUs: number, bytes: number): number {
    const duration = bytes / this.bytesPerUs;
    const start = this.freeAt > nowUs ? this.freeAt : nowUs;
    this.freeAt = start + duration;
    this.#bytes += bytes;
    this.busyUs += duration;
    return this.freeAt;
  }

  /** Bytes sent so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Backlog (µs of transfers not yet finished) seen at `nowUs`. */
  backlogUs(nowUs: number): number {
    return this.freeAt > nowUs ? this.freeAt - nowUs : 0;
  }

  /**
   * Busy time accumulated up to `nowUs` (µs): all accepted transfer time
   * minus the part of the backlog still ahead. Differences of this over an
   * interval give the link's utilisation in it.
   */
  busyUntil(nowUs: number): number {
    return this.busyUs - this.backlogUs(nowUs);
  }
}
