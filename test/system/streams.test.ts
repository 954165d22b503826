import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RandomSource } from '../../src/kernel/random.js';
import { CALIBRATE_STREAM, DERIVED, STREAM } from '../../src/system/streams.js';
import { FlashSaleModel } from '../../src/model/flash-sale-model.js';
import { configOf } from '../helpers/flash-config.js';

const SRC = join(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('the random stream registry', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('lists every name once, streams and derived integers together', () => {
    const names = [...Object.values(STREAM), ...Object.values(DERIVED), ...Object.values(CALIBRATE_STREAM)];
    expect(new Set(names).size).toBe(names.length);
  });

  it('is exactly what a run asks for: a model with every optional part on requests each listed stream and no other', () => {
    const streams = vi.spyOn(RandomSource.prototype, 'stream');
    const derived = vi.spyOn(RandomSource.prototype, 'derivedInt');
    const config = configOf({
      users: { count: 50 },
      system: { waitingRoom: { mode: 'random' }, stock: { buffer: 5 }, orders: { unpaid: '10%', duplicateRate: '5%', lossRate: '1%' } },
    });
    new FlashSaleModel(config, { strategy: 's', replication: 0, seed: 1 });
    expect(new Set(streams.mock.calls.map(([name]) => name))).toEqual(new Set(Object.values(STREAM)));
    expect(new Set(derived.mock.calls.map(([name]) => name))).toEqual(new Set(Object.values(DERIVED)));
  });

  it('is the only place names are written: no source file passes a string literal to stream() or derivedInt()', () => {
    const literal = /\.(stream|derivedInt)\(\s*['"`]/;
    const offenders = sourceFiles(SRC).filter((file) => literal.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
