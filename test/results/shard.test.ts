import { describe, expect, it } from 'vitest';
import {
  parseShardJson,
  renderShardJson,
  SHARD_KIND,
  SHARD_SCHEMA_VERSION,
  shardFileName,
  SHARD_FILE_PATTERN,
  type ShardResult,
} from '../../src/results/shard.js';
import type { RunResult } from '../../src/results/result.js';

function shard(results: unknown[]): ShardResult {
  return {
    schemaVersion: SHARD_SCHEMA_VERSION,
    kind: SHARD_KIND,
    fingerprint: {
      command: 'run',
      tool: { name: 'flashsim', version: '0.1.0' },
      scenario: { name: 's', file: 's.yaml', sha256: 'ab', text: 'name: s\n' },
      request: { replications: 2 },
      seed: 7,
      tasks: results.length,
      planSha256: 'cd',
      shards: 1,
    },
    shard: 0,
    units: results.map((_, i) => i),
    results: results as RunResult[],
    timing: { startedAt: '', wallMs: 1, workers: 1, events: 0, host: { node: '', platform: '', arch: '', cpus: 1 } },
  };
}

describe('the shard file', () => {
  it('reads back every finite number exactly, negative zero included', () => {
    const values = [0, -0, 0.1 + 0.2, 1e-300, -5e-324, Number.MAX_SAFE_INTEGER, 1 / 3, -123.456];
    const back = parseShardJson(renderShardJson(shard([{ values, nested: { z: -0 } }])), 'f').results[0] as unknown as {
      values: number[];
      nested: { z: number };
    };
    values.forEach((v, i) => expect(Object.is(back.values[i], v)).toBe(true));
    expect(Object.is(back.nested.z, -0)).toBe(true);
  });

  it('refuses a non-finite number: a result is plain JSON data', () => {
    expect(() => renderShardJson(shard([{ x: Infinity }]))).toThrow(/x is Infinity, not a finite number/);
    expect(() => renderShardJson(shard([{ x: NaN }]))).toThrow(/not a finite number/);
  });

  it('refuses what is not a shard result, naming the file', () => {
    expect(() => parseShardJson('{', 'a.json')).toThrow(/^a\.json: not valid JSON/);
    expect(() => parseShardJson('{"kind":"flashsim-sweep"}', 'a.json')).toThrow('a.json: not a flashsim shard result');
    expect(() => parseShardJson(JSON.stringify({ ...shard([]), schemaVersion: 9 }), 'a.json')).toThrow(/unsupported shard schemaVersion 9/);
    expect(() => parseShardJson(JSON.stringify({ ...shard([{}]), units: [] }), 'a.json')).toThrow(/damaged shard result/);
  });

  it('is named shard-<i>-of-<N>.json', () => {
    expect(shardFileName(2, 5)).toBe('shard-2-of-5.json');
    expect(SHARD_FILE_PATTERN.test(shardFileName(2, 5))).toBe(true);
    expect(SHARD_FILE_PATTERN.test('summary.json')).toBe(false);
  });
});
