/**
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) over typed arrays, for the token
 * gate's short messages. The key's inner and outer pad blocks are hashed
 * once, at construction; a signature then costs two compressions for a
 * message under 56 bytes, with no allocation (node:crypto's createHmac
 * builds a keyed context, a hash object and a digest buffer per call).
 * Its output equals node:crypto's, which test/system/hmac-sha256.test.ts
 * checks over random keys and messages.
 */
import { compress } from './sha256-compress.js';

const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** Bytes per SHA-256 block. */
const BLOCK = 64;

/** HMAC-SHA256 with one key: pads hashed once, each {@link sign} reusing its buffers. */
export class HmacSha256 {
  readonly #inner = new Int32Array(8);
  readonly #outer = new Int32Array(8);
  readonly #state = new Int32Array(8);
  readonly #w = new Int32Array(16);
  /** The last digest, big-endian words (valid until the next {@link sign}). */
  readonly digest = new Int32Array(8);

  /** @param key the secret, any length (longer than a block: hashed first, as RFC 2104 says). */
  constructor(key: Uint8Array) {
    let k = key;
    if (k.length > BLOCK) {
      const hashed = new HmacSha256Digest().hash(k, k.length);
      k = new Uint8Array(32);
      for (let i = 0; i < 8; i++) for (let j = 0; j < 4; j++) k[i * 4 + j] = hashed[i] >>> (24 - 8 * j);
    }
    const pad = new Uint8Array(BLOCK);
    for (const [state, xor] of [
      [this.#inner, 0x36],
      [this.#outer, 0x5c],
    ] as const) {
      for (let i = 0; i < BLOCK; i++) pad[i] = (i < k.length ? k[i] : 0) ^ xor;
      state.set(INITIAL);
      loadBlock(this.#w, pad, 0, BLOCK);
      compress(state, this.#w);
    }
  }

  /**
   * HMAC of the first `length` bytes of `message` into {@link digest}.
   * @returns {@link digest}.
   */
  sign(message: Uint8Array, length: number): Int32Array {
    const state = this.#state;
    state.set(this.#inner);
    finishHash(state, this.#w, message, length, BLOCK);
    // The outer hash: the inner digest (32 bytes) after the outer pad block.
    const w = this.#w;
    for (let i = 0; i < 8; i++) w[i] = state[i];
    w[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = (BLOCK + 32) * 8;
    const out = this.digest;
    out.set(this.#outer);
    compress(out, w);
    return out;
  }
}

/** Plain SHA-256, for keys longer than a block. */
class HmacSha256Digest {
  readonly #state = new Int32Array(8);
  readonly #w = new Int32Array(16);

  hash(message: Uint8Array, length: number): Int32Array {
    this.#state.set(INITIAL);
    finishHash(this.#state, this.#w, message, length, 0);
    return this.#state;
  }
}

/** Loads bytes [from, from + 64) of `bytes` (zero beyond `end`) as 16 big-endian words into w[0..15]. */
function loadBlock(w: Int32Array, bytes: Uint8Array, from: number, end: number): void {
  for (let i = 0; i < 16; i++) {
    const at = from + i * 4;
    if (at + 4 <= end) {
      w[i] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
      continue;
    }
    let word = 0;
    for (let j = 0; j < 4; j++) word = (word << 8) | (at + j < end ? bytes[at + j] : 0);
    w[i] = word;
  }
}

/**
 * Hashes `message[0..length)` into `state` (already holding the state after
 * `prefix` bytes) and pads it: the length field counts `prefix + length` bytes.
 */
function finishHash(state: Int32Array, w: Int32Array, message: Uint8Array, length: number, prefix: number): void {
  let offset = 0;
  for (; offset + BLOCK <= length; offset += BLOCK) {
    loadBlock(w, message, offset, length);
    compress(state, w);
  }
  // The tail, the 0x80 byte and the 64-bit bit length, in one block or two.
  const tail = length - offset;
  loadBlock(w, message, offset, length);
  w[tail >> 2] |= 0x80 << (24 - 8 * (tail & 3));
  const bits = (prefix + length) * 8;
  if (tail >= 56) {
    compress(state, w);
    w.fill(0, 0, 16);
  }
  w[14] = Math.floor(bits / 2 ** 32) | 0;
  w[15] = bits | 0;
  compress(state, w);
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Char codes of the base64url alphabet. */
export const BASE64URL_CODES = Uint8Array.from(BASE64URL, (c) => c.charCodeAt(0));

/**
 * The i-th base64url character code (i < 42) of a digest's bytes, as
 * `Buffer.toString('base64url')` would write it.
 */
export function digestBase64UrlCode(digest: Int32Array, i: number): number {
  // Character i holds bits [6i, 6i + 6) of the big-endian byte string.
  const bit = 6 * i;
  const word = bit >>> 5;
  const shift = bit & 31;
  const hi = digest[word] >>> 0;
  let value: number;
  if (shift <= 26) value = (hi >>> (26 - shift)) & 63;
  else {
    const lo = word + 1 < 8 ? digest[word + 1] >>> 0 : 0;
    value = ((hi << (shift - 26)) | (lo >>> (58 - shift))) & 63;
  }
  return BASE64URL_CODES[value];
}
