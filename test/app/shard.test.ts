import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { assignShards } from '../../src/execute/shard.js';
import {
  mergeShards,
  planDifference,
  planOf,
  prepareShardable,
  readShardSource,
  shardFingerprint,
  type ShardInput,
} from '../../src/app/shard.js';
import { SHARD_KIND, SHARD_SCHEMA_VERSION, type ShardRequest } from '../../src/results/shard.js';
import type { RunResult } from '../../src/results/result.js';

/*
 * The merge's checks, on shards of pass.yaml's real plan (prepared, not run:
 * each refusal comes before any result is read). The merge of real results is
 * tested end to end, byte for byte, in test/cli/shard.test.ts.
 */

const source = readShardSource('test/cli/fixtures/pass.yaml');

function shardsOf(request: ShardRequest, count: number, edit: (i: number) => Partial<ShardInput['shard']> = () => ({})): ShardInput[] {
  const prepared = prepareShardable('run', source, request);
  const assigned = assignShards(planOf(prepared), count);
  const fingerprint = shardFingerprint(prepared, source, request, count);
  return assigned.map((units, i) => ({
    where: `s${i}.json`,
    shard: {
      schemaVersion: SHARD_SCHEMA_VERSION,
      kind: SHARD_KIND,
      fingerprint,
      shard: i,
      units,
      results: units.map(() => ({}) as RunResult),
      timing: { startedAt: '', wallMs: 0, workers: 1, events: 0, host: { node: '', platform: '', arch: '', cpus: 1 } },
      ...edit(i),
    },
  }));
}

const refusal = (inputs: ShardInput[]): string => {
  try {
    mergeShards(inputs);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('merged');
};

describe('mergeShards refuses', () => {
  const [a, b, c] = shardsOf({ replications: 3 }, 3);

  it('missing shards, naming them', () => {
    expect(refusal([b])).toBe('missing shards 0, 2 of 3 (0-based; each writes shard-0-of-3.json, shard-2-of-3.json); got 1 of 3');
    expect(refusal([])).toMatch(/no shard results given/);
  });

  it('a shard given twice', () => {
    expect(refusal([a, b, { ...b, where: 'copy.json' }, c])).toBe(
      'shard 1 of 3 is given twice (s1.json and copy.json); give each shard once',
    );
  });

  it('shards of another plan, naming what differs', () => {
    const [, otherSeed] = shardsOf({ replications: 3, seed: 8 }, 3);
    expect(refusal([a, { ...otherSeed, where: 'x.json' }, c])).toBe(
      'x.json: a shard of a different plan than s0.json: options seed=(not given) in s0.json, seed=8 in x.json; seed 7 in s0.json, 8 in x.json',
    );
    const [, , fourths] = shardsOf({ replications: 3 }, 4);
    expect(planDifference(a, fourths)).toBe('shard count 3 in s0.json, 4 in s2.json');
    const version = {
      ...b,
      shard: { ...b.shard, fingerprint: { ...b.shard.fingerprint, tool: { name: 'flashsim' as const, version: '9.9.9' } } },
    };
    expect(planDifference(a, version)).toMatch(/^flashsim version 0\.\d+\.\d+ in s0\.json, 9\.9\.9 in s1\.json$/);
    const text = { ...b.shard.fingerprint.scenario, sha256: 'f'.repeat(64) };
    expect(planDifference(a, { ...b, shard: { ...b.shard, fingerprint: { ...b.shard.fingerprint, scenario: text } } })).toMatch(
      /^scenario test\/cli\/fixtures\/pass\.yaml \(sha256 [0-9a-f]{12}\) in s0\.json, test\/cli\/fixtures\/pass\.yaml \(sha256 ffffffffffff\) in s1\.json$/,
    );
    expect(planDifference(a, b)).toBeUndefined();
  });

  it('a shard that does not hold the tasks its index holds', () => {
    const [x, y, z] = shardsOf({ replications: 3 }, 3, (i) => (i === 1 ? { units: [0], results: [{} as RunResult] } : {}));
    expect(refusal([x, y, z])).toBe('s1.json: shard 1 of 3 should hold tasks [1,4], it holds [0]');
  });
});
