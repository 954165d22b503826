/**
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) over typed arrays, for the token
 * gate's short messages. The key's inner and outer pad blocks are hashed
 * once, at construction; a signature then costs two compressions for a
 * message under 56 bytes, with no allocation (node:crypto's createHmac
 * builds a keyed context, a hash object and a digest buffer per call).
 * Its output equals node:crypto's, which test/system/hmac-sha256.test.ts
 * checks over random keys and messages.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** Bytes per SHA-256 block. */
const BLOCK = 64;

/** One SHA-256 compression of the 16 big-endian words in `w` (w[16..63] are scratch) into `state`. */
function compress(state: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15];
    const b = w[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = state[0];
  let b = state[1];
  let c = state[2];
  let d = state[3];
  let e = state[4];
  let f = state[5];
  let g = state[6];
  let h = state[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
}

/** HMAC-SHA256 with one key: pads hashed once, each {@link sign} reusing its buffers. */
export class HmacSha256 {
  readonly #inner = new Int32Array(8);
  readonly #outer = new Int32Array(8);
  readonly #state = new Int32Array(8);
  readonly #w = new Int32Array(64);
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
  readonly #w = new Int32Array(64);

  hash(message: Uint8Array, length: number): Int32Array {
    this.#state.set(INITIAL);
    finishHash(this.#state, this.#w, message, length, 0);
    return this.#state;
  }
}

/** Loads bytes [from, from + 64) of `bytes` (zero beyond `end`) as 16 big-endian words into w[0..15]. */
function loadBlock(w: Int32Array, bytes: Uint8Array, from: number, end: number): void {
  for (let i = 0; i < 16; i++) {
    let word = 0;
    for (let j = 0; j < 4; j++) {
      const at = from + i * 4 + j;
      word = (word << 8) | (at < end ? bytes[at] : 0);
    }
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
