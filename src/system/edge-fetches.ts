import { grownTo } from '../kernel/typed-arrays.js';

/**
 * Uncoalesced edge fetches between the origin and the edge: for each, the
 * user it was made for, its origin tag (generation and kind) and when the
 * origin generated the content (µs). The event that delivers a fetch to its
 * edge carries only a slot index; the slot keeps what does not fit in two
 * int32 arguments, above all the generation time, which decides whether a
 * button script says "enabled" and when its token was issued. (Taking the
 * arrival at the edge instead is off by the origin link's backlog, seconds
 * when the link is saturated near T0.)
 *
 * Slots are reused through a free stack and the arrays grow by doubling:
 * nothing is allocated per fetch once they cover the peak in flight.
 */
export class EdgeFetches {
  private users = new Int32Array(16);
  private tags = new Int32Array(16);
  private generated = new Float64Array(16);
  private free = new Int32Array(16);
  private freeTop = 0;
  private highWater = 0;

  /** Stores a fetch the origin answered at `generatedAtUs` (µs); returns its slot. */
  put(user: number, tag: number, generatedAtUs: number): number {
    let slot: number;
    if (this.freeTop > 0) slot = this.free[--this.freeTop];
    else {
      if (this.highWater === this.users.length) this.grow();
      slot = this.highWater++;
    }
    this.users[slot] = user;
    this.tags[slot] = tag;
    this.generated[slot] = generatedAtUs;
    return slot;
  }

  /** The user of the fetch in `slot`. */
  userOf(slot: number): number {
    return this.users[slot];
  }

  /** The origin tag (generation and kind) of the fetch in `slot`. */
  tagOf(slot: number): number {
    return this.tags[slot];
  }

  /** When the origin generated the content of the fetch in `slot` (µs). */
  generatedAtOf(slot: number): number {
    return this.generated[slot];
  }

  /** Frees `slot` once its fetch has been delivered. */
  release(slot: number): void {
    this.free[this.freeTop++] = slot;
  }

  /** Fetches stored and not yet released. */
  get inFlight(): number {
    return this.highWater - this.freeTop;
  }

  private grow(): void {
    const size = this.users.length * 2;
    this.users = grownTo(this.users, size);
    this.tags = grownTo(this.tags, size);
    this.generated = grownTo(this.generated, size);
    this.free = grownTo(this.free, size);
  }
}
