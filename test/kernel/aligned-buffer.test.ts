import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheAlignedBuffer } from '../../src/kernel/aligned-buffer.js';

describe('cacheAlignedBuffer', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('gives a zeroed buffer of at least the size asked, in whole 64 KiB pages', () => {
    const buffer = cacheAlignedBuffer(1_000_000);
    expect(buffer.byteLength).toBe(16 * 65_536);
    const bytes = new Uint8Array(buffer);
    expect(bytes.every((b) => b === 0)).toBe(true);
    // Writable through views of any element size, like any ArrayBuffer.
    new Float64Array(buffer, 0, 8)[7] = 1.5;
    expect(new Float64Array(buffer)[7]).toBe(1.5);
  });

  it('comes from a WebAssembly memory (page-aligned) when WebAssembly is there', () => {
    const created: number[] = [];
    const Memory = WebAssembly.Memory;
    vi.stubGlobal('WebAssembly', {
      Memory: class {
        readonly buffer: ArrayBuffer;
        constructor(descriptor: { initial: number; maximum?: number }) {
          created.push(descriptor.initial);
          this.buffer = new Memory(descriptor).buffer;
        }
      },
    });
    cacheAlignedBuffer(3 * 65_536 + 1);
    expect(created).toEqual([4]);
  });

  it('falls back to a plain ArrayBuffer without WebAssembly (node --jitless) or when the memory cannot be had', () => {
    vi.stubGlobal('WebAssembly', undefined);
    expect(cacheAlignedBuffer(100).byteLength).toBe(100);
    vi.stubGlobal('WebAssembly', {
      Memory: class {
        constructor() {
          throw new RangeError('WebAssembly.Memory(): could not allocate memory');
        }
      },
    });
    const buffer = cacheAlignedBuffer(1000);
    expect(buffer).toBeInstanceOf(ArrayBuffer);
    expect(buffer.byteLength).toBe(1000);
  });
});
