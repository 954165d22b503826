import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, type CliOutcome } from './build.js';
import { parseShardJson } from '../../src/results/shard.js';

/*
 * `--shard i/N` and `sim merge` through the built CLI, each shard its own
 * process: the merged outputs must be the unsharded command's, byte for
 * byte, timing.json aside. On the tiny pass.yaml (500 users); a sweep over
 * users.count makes the tasks' costs differ, so the split is not plain
 * round-robin.
 */

const PASS = 'test/cli/fixtures/pass.yaml';
const THRESHOLD = 'test/cli/fixtures/threshold.yaml';
const QUIET = ['--no-progress', '-q'];
const SWEEP = [
  'sweep',
  PASS,
  '--param',
  'users.count=300,600',
  '--param',
  'system.orderServers.servers=1,2',
  '--strategy',
  'seed-design',
  '--replications',
  '2',
  ...QUIET,
];
const RUN = ['run', PASS, '--replications', '6', '--users', '200', ...QUIET];

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-shard-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});
const at = (name: string): string => join(work, name);

/** Every file under `dir` (relative paths, sorted), timing.json left out. */
function filesOf(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path));
    }
  };
  walk(dir);
  return found.filter((f) => f !== 'timing.json').sort();
}

/** Asserts that `merged` holds exactly the files of `whole` (timing.json aside), byte for byte. */
function expectSameFiles(whole: string, merged: string, expected: readonly string[]): void {
  const files = filesOf(whole);
  for (const name of expected) expect(files).toContain(name);
  expect(filesOf(merged)).toEqual(files);
  for (const name of files) {
    const a = readFileSync(join(whole, name));
    const b = readFileSync(join(merged, name));
    expect(Buffer.compare(a, b), `${name} differs`).toBe(0);
  }
}

function ok(r: CliOutcome): CliOutcome {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
}

/** Shards 0..n-1 of `args`, each a process, into <prefix>-<i>, with the given --workers each. */
async function shards(args: readonly string[], prefix: string, n: number, workers: readonly number[]): Promise<string[]> {
  const dirs = Array.from({ length: n }, (_, i) => at(`${prefix}-${i}`));
  for (const r of await Promise.all(
    dirs.map((dir, i) => runCli([...args, '--shard', `${i}/${n}`, '--workers', String(workers[i % workers.length]), '--out', dir])),
  ))
    ok(r);
  return dirs;
}

describe('sim sweep --shard i/N and sim merge', () => {
  let whole: string;
  let parts: string[];
  beforeAll(async () => {
    whole = at('sweep-whole');
    const [r, dirs] = await Promise.all([runCli([...SWEEP, '--workers', '2', '--out', whole]), shards(SWEEP, 'sweep-shard', 3, [1, 2])]);
    ok(r);
    parts = dirs;
  });

  it('merges 3 shard processes into the unsharded sweep, byte for byte (timing.json aside)', async () => {
    ok(await runCli(['merge', ...parts, '--out', at('sweep-merged'), '-q']));
    expectSameFiles(whole, at('sweep-merged'), ['sweep.json', 'sweep.csv', 'sweep.md', 'sweep.png']);
    const timing = JSON.parse(readFileSync(join(at('sweep-merged'), 'timing.json'), 'utf8')) as { shards: Array<{ index: number }> };
    expect(timing.shards.map((s) => s.index)).toEqual([0, 1, 2]);
  });

  it('splits by estimated cost: the 600-user tasks are spread, every task is in one shard', () => {
    const held = parts.map((dir, i) => parseShardJson(readFileSync(join(dir, `shard-${i}-of-3.json`), 'utf8'), dir));
    expect(held.flatMap((s) => s.units).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const users = held.map((s) => s.results.reduce((n, r) => n + r.config.users.count, 0));
    // 4 tasks of 600 users, 4 of 300 (3,600 user-minutes of 1 min each): longest first gives 1,200 / 1,200 / 1,200.
    expect(users).toEqual([1200, 1200, 1200]);
  });

  it('gives the same bytes whatever order the shards come in, and from shards given as files', async () => {
    const files = parts.map((dir, i) => join(dir, `shard-${i}-of-3.json`));
    ok(await runCli(['merge', files[2], parts[0], files[1], '--out', at('sweep-merged-2'), '-q']));
    expectSameFiles(whole, at('sweep-merged-2'), ['sweep.json']);
  });
});

describe('sim run --shard i/N and sim merge', () => {
  let whole: string;
  beforeAll(async () => {
    whole = at('run-whole');
    ok(await runCli([...RUN, '--workers', '1', '--out', whole]));
  });

  it('merges --replications 6 in 3 shards (run on 1 and 2 workers) into the unsharded run, byte for byte', async () => {
    const [a, b1] = await Promise.all([
      shards(RUN, 'run-a', 3, [1]),
      runCli([...RUN, '--shard', '1/3', '--workers', '2', '--out', at('run-b-1')]).then((r) => ok(r) && at('run-b-1')),
    ]);
    ok(await runCli(['merge', ...a, '--out', at('run-merged'), '-q']));
    expectSameFiles(whole, at('run-merged'), [
      'summary.json',
      'summary.md',
      'timeseries.csv',
      'junit.xml',
      'report.html',
      'ledger.parquet',
      'users.parquet',
    ]);
    expect(filesOf(whole).some((f) => f.startsWith('charts/'))).toBe(true);
    // A shard run on another worker count, the shards in reverse order: the same bytes.
    ok(await runCli(['merge', a[2], b1, a[0], '--out', at('run-merged-mixed'), '-q']));
    expectSameFiles(whole, at('run-merged-mixed'), ['summary.json']);

    // Refusals, exit 2, naming the problem.
    const missing = await runCli(['merge', a[0], a[2], '--out', at('m-missing')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('flashsim: missing shard 1 of 3 (0-based; each writes shard-1-of-3.json); got 2 of 3\n');
    const twice = await runCli(['merge', a[0], a[1], b1, a[2], '--out', at('m-twice')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(
      /^flashsim: shard 1 of 3 is given twice \(.*run-a-1\/shard-1-of-3\.json and .*run-b-1\/shard-1-of-3\.json\)/,
    );

    const foreignScenario = at('other.yaml');
    writeFileSync(foreignScenario, `${readFileSync(PASS, 'utf8')}# edited\n`);
    const [seedShard, scenarioShard] = await Promise.all([
      runCli([...RUN, '--seed', '8', '--shard', '1/3', '--out', at('foreign-seed')]),
      runCli(['run', foreignScenario, ...RUN.slice(2), '--shard', '1/3', '--out', at('foreign-scenario')]),
    ]);
    ok(seedShard);
    ok(scenarioShard);
    const seed = await runCli(['merge', a[0], at('foreign-seed'), a[2], '--out', at('m-seed')]);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(
      /foreign-seed\/shard-1-of-3\.json: a shard of a different plan than .*: .*seed 7 in .*, 8 in .*foreign-seed/,
    );
    const scenario = await runCli(['merge', a[0], at('foreign-scenario'), a[2], '--out', at('m-scenario')]);
    expect(scenario.code).toBe(2);
    expect(scenario.stderr).toMatch(
      /a shard of a different plan than .*: scenario test\/cli\/fixtures\/pass\.yaml \(sha256 [0-9a-f]{12}\) in .*other\.yaml \(sha256/,
    );
    const sweepShard = await runCli(['merge', a[0], join(at('sweep-shard-1'), 'shard-1-of-3.json'), '--out', at('m-cmd')]);
    expect(sweepShard.code).toBe(2);
    expect(sweepShard.stderr).toContain('command sim run in');
  });

  it('exits with the merged verdict, as sim run does (99: a threshold failed), evaluated on all replications', async () => {
    const args = ['run', THRESHOLD, '--replications', '2', '--users', '200', ...QUIET];
    const [r, ...parts] = await Promise.all([
      runCli([...args, '--out', at('t-whole')]),
      runCli([...args, '--shard', '0/2', '--out', at('t-0')]),
      runCli([...args, '--shard', '1/2', '--out', at('t-1')]),
    ]);
    expect(r.code).toBe(99);
    for (const p of parts) ok(p);
    const merged = await runCli(['merge', at('t-1'), at('t-0'), '--out', at('t-merged'), '-q']);
    expect(merged.code).toBe(99);
    expect(merged.stderr).toBe(r.stderr);
    expectSameFiles(at('t-whole'), at('t-merged'), ['summary.json', 'junit.xml']);
  });
});

describe('sim run --shards N (the index from the environment)', () => {
  /** The shard file's deterministic part (its timing is wall clock). */
  const content = (dir: string, name: string): unknown => {
    const { timing: _timing, ...rest } = parseShardJson(readFileSync(join(dir, name), 'utf8'), dir);
    return rest;
  };
  const args = ['run', PASS, '--strategy', 'seed-design', '--replications', '3', ...QUIET, '--workers', '1'];
  // Whatever engine runs these tests, its own index variables are blanked (empty counts as unset).
  const clean = {
    JOB_COMPLETION_INDEX: '',
    AWS_BATCH_JOB_ARRAY_INDEX: '',
    CI_NODE_INDEX: '',
    CIRCLE_NODE_INDEX: '',
    BUILDKITE_PARALLEL_JOB: '',
  };

  it('reads JOB_COMPLETION_INDEX (0-based) and CI_NODE_INDEX (1-based) as --shard does', async () => {
    const [direct, k8s, gitlab] = await Promise.all([
      runCli([...args, '--shard', '1/3', '--out', at('env-direct')]),
      runCli([...args, '--shards', '3', '--out', at('env-k8s')], { env: { ...clean, JOB_COMPLETION_INDEX: '1' } }),
      runCli([...args, '--shards', '3', '--out', at('env-gitlab')], { env: { ...clean, CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' } }),
    ]);
    for (const r of [direct, k8s, gitlab]) ok(r);
    const expected = content(at('env-direct'), 'shard-1-of-3.json');
    expect(expected).toMatchObject({ shard: 1, units: [1] });
    expect(content(at('env-k8s'), 'shard-1-of-3.json')).toEqual(expected);
    expect(content(at('env-gitlab'), 'shard-1-of-3.json')).toEqual(expected);
  });

  it('refuses, exit 2, no index, disagreeing indices, and an index not below N', async () => {
    const [none, disagree, beyond, flag] = await Promise.all([
      runCli([...args, '--shards', '3'], { env: clean }),
      runCli([...args, '--shards', '3'], { env: { ...clean, JOB_COMPLETION_INDEX: '0', AWS_BATCH_JOB_ARRAY_INDEX: '2' } }),
      runCli([...args, '--shards', '3'], { env: { ...clean, CIRCLE_NODE_INDEX: '3' } }),
      runCli([...args, '--shard', '3/3']),
    ]);
    for (const r of [none, disagree, beyond, flag]) expect(r.code).toBe(2);
    expect(none.stderr).toMatch(/^flashsim: --shards 3: no shard index in the environment; set one of JOB_COMPLETION_INDEX/);
    expect(disagree.stderr).toContain('JOB_COMPLETION_INDEX=0 (0-based: shard 0), AWS_BATCH_JOB_ARRAY_INDEX=2 (0-based: shard 2)');
    expect(beyond.stderr).toMatch(/CIRCLE_NODE_INDEX=3: shard index 3 is not below the shard count 3/);
    expect(flag.stderr).toMatch(/^flashsim: --shard 3\/3: shard index 3 is not below the shard count 3; indices count from 0/);
  });
});
