import { describe, expect, it } from 'vitest';
import { INDEX_VARIABLES, parseShard, shardFromEnvironment, shardOption } from '../../src/cli/shard-option.js';

describe('--shard i/N', () => {
  it('takes a 0-based index below N', () => {
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, count: 3 });
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
  });

  it('refuses i ≥ N, N = 0 and anything but i/N', () => {
    expect(() => parseShard('3/3')).toThrow(
      /--shard 3\/3: shard index 3 is not below the shard count 3; indices count from 0, so they are 0 to 2/,
    );
    for (const bad of ['0/0', '1', '-1/3', '1/3/4', 'a/b', '1.5/3', ''])
      expect(() => parseShard(bad), bad).toThrow(/--shard: expected i\/N|not below/);
  });

  it('refuses --shard with --shards, and a --shards that is not a count', () => {
    expect(() => shardOption({ shard: '0/2', shards: '2' }, {})).toThrow(/give one/);
    expect(() => shardOption({ shards: '0' }, {})).toThrow(/--shards: expected the number of shards/);
    expect(shardOption({}, { JOB_COMPLETION_INDEX: '1' })).toBeUndefined();
  });
});

describe('--shards N and the environment', () => {
  it('reads each engine at its base', () => {
    const cases: Array<[Record<string, string>, number]> = [
      [{ JOB_COMPLETION_INDEX: '2' }, 2],
      [{ AWS_BATCH_JOB_ARRAY_INDEX: '0' }, 0],
      [{ CI_NODE_INDEX: '3', CI_NODE_TOTAL: '4' }, 2],
      [{ CIRCLE_NODE_INDEX: '1', CIRCLE_NODE_TOTAL: '4' }, 1],
      [{ BUILDKITE_PARALLEL_JOB: '3', BUILDKITE_PARALLEL_JOB_COUNT: '4' }, 3],
      // Two engines that agree (a GitLab runner on Kubernetes, say) are one answer.
      [{ JOB_COMPLETION_INDEX: '1', CI_NODE_INDEX: '2' }, 1],
      // Empty counts as unset.
      [{ JOB_COMPLETION_INDEX: '', CIRCLE_NODE_INDEX: '3' }, 3],
    ];
    for (const [env, index] of cases) expect(shardFromEnvironment(4, env), JSON.stringify(env)).toEqual({ index, count: 4 });
    expect(INDEX_VARIABLES.filter((v) => v.base === 1).map((v) => v.name)).toEqual(['CI_NODE_INDEX']);
  });

  it('refuses no index, indices that disagree, a total other than N, a bad value and an index not below N', () => {
    expect(() => shardFromEnvironment(3, {})).toThrow(
      /^--shards 3: no shard index in the environment; set one of JOB_COMPLETION_INDEX \(Kubernetes Indexed Job, 0-based\), .*CI_NODE_INDEX \(GitLab CI parallel, 1-based\).*, or give --shard i\/3$/,
    );
    expect(() => shardFromEnvironment(3, { JOB_COMPLETION_INDEX: '1', CI_NODE_INDEX: '1' })).toThrow(
      '--shards 3: the environment gives different shard indices: JOB_COMPLETION_INDEX=1 (0-based: shard 1), CI_NODE_INDEX=1 (1-based: shard 0); unset all but one, or give --shard i/3',
    );
    expect(() => shardFromEnvironment(3, { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '4' })).toThrow(/CI_NODE_TOTAL=4 .* give --shards 4/);
    expect(() => shardFromEnvironment(3, { CI_NODE_INDEX: '0' })).toThrow(/CI_NODE_INDEX="0" is not a 1-based job index/);
    expect(() => shardFromEnvironment(3, { JOB_COMPLETION_INDEX: 'x' })).toThrow(/JOB_COMPLETION_INDEX="x" is not a 0-based job index/);
    expect(() => shardFromEnvironment(3, { CI_NODE_INDEX: '4' })).toThrow(
      /^--shards 3 with CI_NODE_INDEX=4 \(1-based\): shard index 3 is not below the shard count 3/,
    );
  });
});
