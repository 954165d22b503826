// The part of the WebAssembly global used here (TypeScript's ES2022 library
// and @types/node do not declare it).
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum?: number }) => { readonly buffer: ArrayBuffer };
};

/** Bytes per WebAssembly memory page. */
const WASM_PAGE = 65_536;
/** Most pages a (32-bit) WebAssembly memory can have: 4 GiB. */
const WASM_MAX_PAGES = 65_536;

/**
 * A zeroed buffer of at least `bytes` bytes whose first byte starts a page,
 * hence a cache line, so that records of 64 bytes each fill one cache line.
 *
 * Why: a large `ArrayBuffer` comes from malloc, which puts it 16 bytes past
 * a page boundary (glibc's mmap'd chunk header); every 64-byte record of
 * it then straddles two cache lines, and touching one costs two misses.
 * A WebAssembly memory is page-aligned: the seed design's event loop at 1M
 * users runs 4-7% faster on it.
 *
 * Falls back to a plain `ArrayBuffer` beyond 4 GiB or where WebAssembly is
 * unavailable (`node --jitless`): same contents, only slower. The buffer
 * belongs to its WebAssembly memory: keep it in its thread (copy, do not
 * transfer, its contents to another).
 */
export function cacheAlignedBuffer(bytes: number): ArrayBuffer {
  const pages = Math.ceil(bytes / WASM_PAGE);
  if (typeof WebAssembly === 'object' && pages <= WASM_MAX_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer;
    } catch {
      // Out of address space or memory for the reservation: plain buffer.
    }
  }
  return new ArrayBuffer(bytes);
}
