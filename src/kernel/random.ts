import seedrandom from 'seedrandom';

/**
 * Counter-based random streams.
 *
 * A draw is a pure function of (seed, replication, stream name, entity,
 * index): no generator state lives anywhere, so a user's n-th think time is
 * the same whichever thread simulates it, whatever other users did, and in
 * every strategy of a run (common random numbers). Memory per entity is
 * whatever counter the caller keeps (often none: the index is a count the
 * model already has, such as "attempt number").
 *
 * The master seeding goes through seedrandom (ARC4), so the per-stream keys
 * of replication r are unrelated to those of r+1 ("derived, not
 * consecutive"). The per-draw function is MurmurHash3's 32-bit mixing of the
 * four words (key0, key1, entity, index) and its finaliser.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const TWO_POW_32 = 4294967296;

function mixWord(h: number, word: number): number {
  let k = Math.imul(word, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalise(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The 32 bits for `index` of an entity whose key words are already mixed into `entityHash`. */
function bitsAt(entityHash: number, index: number): number {
  return finalise(mixWord(entityHash, index) ^ 16);
}

/** 32 random bits as a uniform draw in the open interval (0, 1). */
function unit(bits: number): number {
  return (bits + 0.5) / TWO_POW_32;
}

/** One named stream of a replication: uniform draws addressed by (entity, index). */
export class RandomStream {
  private readonly keyHash: number;

  /** @param key0 @param key1 the stream key, derived by {@link RandomSource}. */
  constructor(
    readonly key0: number,
    readonly key1: number,
  ) {
    this.keyHash = mixWord(key0, key1);
  }

  /**
   * The uniform draw in the open interval (0, 1) for `entity`'s `index`-th
   * use of this stream. Both arguments are integers (taken modulo 2^32).
   */
  uniform(entity: number, index: number): number {
    return unit(bitsAt(mixWord(this.keyHash, entity), index));
  }

  /** A sequential view for an entity: each call of `next()` takes the next index. */
  sequence(entity = 0): RandomSequence {
    return new RandomSequence(mixWord(this.keyHash, entity));
  }
}

/**
 * Successive draws of one (stream, entity): for processes that are not per
 * user, such as background traffic. The k-th call of `next()` returns
 * `stream.uniform(entity, k)`, with the entity's half of the hash done once.
 */
export class RandomSequence {
  private index = 0;
  /** @param entityHash the stream's key hash mixed with the entity. */
  constructor(private readonly entityHash: number) {}

  /** The next uniform draw in (0, 1). */
  next(): number {
    return unit(bitsAt(this.entityHash, this.index++));
  }
}

/** The random streams of one replication of one scenario seed. */
export class RandomSource {
  /**
   * @param seed the scenario's seed.
   * @param replication replication number, from 0.
   */
  constructor(
    readonly seed: number | string,
    readonly replication: number,
  ) {}

  /** The stream with this name; the same name always gives the same stream. */
  stream(name: string): RandomStream {
    const rng = seedrandom(`flashsim/${String(this.seed)}/${this.replication}/${name}`);
    return new RandomStream(rng.int32(), rng.int32());
  }

  /** A 32-bit integer derived from the seed and replication, e.g. to key an HMAC secret. */
  derivedInt(name: string): number {
    return seedrandom(`flashsim-derived/${String(this.seed)}/${this.replication}/${name}`).int32() >>> 0;
  }
}
