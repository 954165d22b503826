import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../report/xml-check.js';
import { ensureBuilt, ROOT, runCli, type CliOutcome } from './build.js';

/** Exit codes, asserted by spawning the built CLI. */

type Outcome = CliOutcome;

const sim = (args: string[], cwd = ROOT): Promise<Outcome> => runCli(args, { cwd });

const fixture = (name: string) => join(ROOT, 'test/cli/fixtures', name);
const rel = (name: string) => `test/cli/fixtures/${name}`;
const STACK = /\n\s+at /;

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-cli-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const out = (name: string) => join(work, name);
/** The two-strategy run of pass.yaml into out('pass'), made once and shared (report tests rebuild from it). */
let passRun: Promise<Outcome> | undefined;
const runPass = () => (passRun ??= sim(['run', rel('pass.yaml'), '--out', out('pass'), '--no-progress']));
const files = (dir: string) => readdirSync(dir).sort();
const OUTPUTS = ['junit.xml', 'replications.jsonl', 'summary.json', 'summary.md', 'timeseries.csv', 'timing.json'];

describe('sim (no command, --version, --help)', () => {
  it('without a command shows the help on stderr and exits 2', async () => {
    const r = await sim([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Commands:');
    expect(r.stderr).toContain('flashsim run <scenario..>');
  });

  it('--version prints package.json version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await sim(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('the package publishes the bin flashsim, with sim as an alias, both the built CLI', () => {
    const { bin } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(bin).toEqual({ flashsim: 'dist/src/cli/main.js', sim: 'dist/src/cli/main.js' });
  });

  it('./flashsim, the README front door, runs the built command (a path: it cannot resolve to a registry package)', () => {
    // git keeps the script's execute bit; the CLI it runs is the build in dist/.
    const r = spawnSync(join(ROOT, 'flashsim'), ['--version'], { cwd: ROOT, encoding: 'utf8' });
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: `${version}\n` });
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/^npm ci && \.\/flashsim run scenarios\/flash-sale\.yaml /m);
  });

  it.each(['run', 'validate', 'schema', 'compare', 'report'])('%s --help has examples', async (command) => {
    const r = await sim([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`flashsim ${command}`);
    expect(r.stdout).toContain('Examples:');
  });

  it('an unknown command or option is a usage error: exit 2, one line', async () => {
    const a = await sim(['frobnicate']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(
      /^flashsim: frobnicate: unknown command; the commands are run, validate, schema, compare, report(, [a-z]+)* \(see flashsim --help\)\n$/,
    );
    const b = await sim(['run', rel('pass.yaml'), '--bogus']);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe('flashsim: --bogus: unknown option (see flashsim run --help)\n');
  });

  it("an unknown option close to a known one gets a suggestion from that command's options", async () => {
    const r = await sim(['run', rel('pass.yaml'), '--strtegy', 'x', '--replication', '2', 'validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'flashsim: --strtegy: unknown option; did you mean --strategy? (see flashsim run --help)',
        'flashsim: --replication: unknown option; did you mean --replications? (see flashsim run --help)',
        '',
      ].join('\n'),
    );
    const compare = await sim(['compare', 'a', 'b', '--markdwn']);
    expect(compare.stderr).toBe('flashsim: --markdwn: unknown option; did you mean --markdown? (see flashsim compare --help)\n');
    const extra = await sim(['compare', 'a', 'b', 'c']);
    expect(extra.stderr).toBe('flashsim: c: unexpected argument (see flashsim compare --help)\n');
    const command = await sim(['valdate', 'x.yaml']);
    expect(command.stderr).toBe('flashsim: valdate: unknown command; did you mean validate? (see flashsim --help)\n');
  });
});

describe('sim validate and sim schema', () => {
  it('prints ok per file with its strategy count', async () => {
    const r = await sim(['validate', rel('pass.yaml'), rel('oversell.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok ${rel('pass.yaml')} (2 strategies)\nok ${rel('oversell.yaml')} (1 strategy)\n`);
  });

  it('every shipped scenario validates', async () => {
    const scenarios = readdirSync(join(ROOT, 'scenarios'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `scenarios/${f}`);
    const r = await sim(['validate', ...scenarios]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(scenarios.length);
  });

  it('reports a bad file with file:line:col and key path, checks the others, exits 2', async () => {
    const r = await sim(['validate', rel('bad.yaml'), rel('pass.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`flashsim: ${rel('bad.yaml')}:4:38 system.orderServers.slots: must be a positive integer (got -3)\n`);
    expect(r.stdout).toBe(`ok ${rel('pass.yaml')} (2 strategies)\n`);
  });

  it('thresholds: hours and a negative sell-out limit validate; a malformed expression exits 2 at its line with the grammar message', async () => {
    const good = join(work, 'thresholds-good.yaml');
    writeFileSync(good, "version: 1\nname: th\nthresholds:\n  order_latency: ['p(99)<1h']\n  sell_out_time: ['value>-1s']\n");
    expect(await sim(['validate', good])).toMatchObject({ code: 0, stdout: `ok ${good} (1 strategy)\n`, stderr: '' });
    const bad = join(work, 'thresholds-bad.yaml');
    writeFileSync(bad, "version: 1\nname: th\nthresholds:\n  order_latency: ['p99<1s']\n");
    expect(await sim(['validate', bad])).toMatchObject({
      code: 2,
      stderr: `flashsim: ${bad}:4:19 thresholds.order_latency[0]: must look like p(99)<500ms, avg<200ms, rate<0.01, count==0 or value>=0.95 (got 'p99<1s')\n`,
    });
  });

  it('schema prints a JSON Schema', async () => {
    const r = await sim(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).toContain('json-schema.org');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'users', 'system', 'strategies', 'thresholds']));
  });
});

describe('sim run', () => {
  it('a valid run exits 0 and writes every output atomically (no temp files)', async () => {
    const r = await runPass();
    expect(r.stderr).toMatch(
      new RegExp(
        `^wrote ${out('pass')}/ \\(summary\\.json, summary\\.md, timeseries\\.csv, junit\\.xml, timing\\.json(, [^)]+)?\\)\\nreport: ${out('pass')}/report\\.html\\n$`,
      ),
    );
    expect(r.code).toBe(0);
    expect(files(out('pass'))).toEqual(expect.arrayContaining(OUTPUTS));
    expect(files(out('pass')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(r.stdout).toContain('cli-pass: invariants hold, thresholds pass (exit 0)');
    for (const label of [
      'orders_created',
      'oversell',
      'sell_out_time',
      'page_latency p99',
      'order_latency p99',
      'cdn_hit_ratio',
      'origin_peak_rps',
      'origin_utilisation',
      'page_error_rate',
      'bot_share',
      'invariants',
      'thresholds',
    ]) {
      expect(r.stdout).toContain(label);
    }
    const summary = JSON.parse(readFileSync(join(out('pass'), 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      schemaVersion: 5,
      tool: { name: 'flashsim' },
      scenario: { name: 'cli-pass', file: rel('pass.yaml') },
      seed: 7,
      replications: 1,
    });
    expect(summary.strategies.map((s: { name: string }) => s.name)).toEqual(['seed-design', 'more-servers']);
    expect(summary.strategies[0].runs[0].metrics.orders_created).toBe(20);
    expect(summary.strategies[0].runs[0].ledger).toBeUndefined();
    expect(readdirSync(out('pass'))).toEqual(expect.arrayContaining(['ledger.parquet', 'users.parquet']));
    expect(summary.strategies[0].config.system.orderServers.servers).toBe(2);
    expect(summary.strategies[1].config.system.orderServers.servers).toBe(4);
    expect(JSON.stringify(summary)).not.toMatch(/wallMs|startedAt|runId/);
    const timing = JSON.parse(readFileSync(join(out('pass'), 'timing.json'), 'utf8'));
    expect(timing.tasks).toHaveLength(2);
    expect(timing.runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{7}$/);
    // junit.xml: well-formed, one testcase per invariant and threshold per strategy.
    const junit = parseXml(readFileSync(join(out('pass'), 'junit.xml'), 'utf8'));
    expect(junit.attributes).toMatchObject({ tests: String(2 * (6 + 2)), failures: '0' });
  });

  it('--no-ledger writes every report but not the Parquet tables', async () => {
    const r = await sim(['run', rel('pass.yaml'), '--no-ledger', '--quiet', '--out', out('no-ledger')]);
    expect(r.code).toBe(0);
    const names = readdirSync(out('no-ledger'));
    expect(names).toEqual(expect.arrayContaining(['summary.json', 'summary.md', 'report.html', 'junit.xml']));
    expect(names.filter((n) => n.endsWith('.parquet'))).toEqual([]);
  });

  it('--json prints exactly summary.json on stdout; same seed gives a byte-identical summary whatever the workers', async () => {
    const a = await sim(['run', rel('pass.yaml'), '--json', '--out', out('json-a'), '--workers', '1', '--replications', '2']);
    const b = await sim(['run', rel('pass.yaml'), '--json', '--out', out('json-b'), '--workers', '2', '--replications', '2', '--quiet']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const parsed = JSON.parse(a.stdout);
    expect(parsed.schemaVersion).toBe(5);
    expect(parsed.strategies[0].aggregate.metrics.orders_created.n).toBe(2);
    const fileA = readFileSync(join(out('json-a'), 'summary.json'), 'utf8');
    const fileB = readFileSync(join(out('json-b'), 'summary.json'), 'utf8');
    expect(a.stdout).toBe(fileA);
    expect(fileB).toBe(fileA);
    expect(b.stdout).toBe(fileA);
    // --json moves the table to stderr; --quiet silences it.
    expect(a.stderr).toContain('cli-pass: invariants hold');
    expect(b.stderr).toBe('');
  });

  it('several scenarios: --out DIR/<scenario>/, --json an array, the most serious exit code wins', async () => {
    const r = await sim(['run', rel('pass.yaml'), rel('threshold.yaml'), '--json', '--out', out('multi'), '--quiet']);
    expect(r.code).toBe(99);
    const parsed = JSON.parse(r.stdout) as Array<{ scenario: { name: string }; verdict: { exitCode: number } }>;
    expect(parsed.map((s) => [s.scenario.name, s.verdict.exitCode])).toEqual([
      ['cli-pass', 0],
      ['cli-threshold', 99],
    ]);
    expect(files(out('multi'))).toEqual(['cli-pass', 'cli-threshold']);
    expect(files(join(out('multi'), 'cli-threshold'))).toEqual(expect.arrayContaining(OUTPUTS));
  });

  it('without --out writes reports/<scenario>/<run-id>/ under the working directory', async () => {
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const r = await sim(['run', fixture('pass.yaml'), '--strategy', 'seed-design', '--quiet'], cwd);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const runs = readdirSync(join(cwd, 'reports', 'cli-pass'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{7}$/);
    expect(files(join(cwd, 'reports', 'cli-pass', runs[0]))).toEqual(expect.arrayContaining(OUTPUTS));
  });

  it('an invariant violation (check-then-decrement under contention) exits 1 and fails junit', async () => {
    const r = await sim(['run', rel('oversell.yaml'), '--out', out('oversell'), '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/invariants +FAIL [12]\/2\n/);
    expect(r.stdout).toMatch(/base: invariant no-oversell: replication 0: \d+ orders for a stock of 20/);
    const junit = parseXml(readFileSync(join(out('oversell'), 'junit.xml'), 'utf8'));
    const noOversell = junit.children[0].children.find((c) => c.attributes.name === 'no-oversell')!;
    expect(noOversell.children[0].name).toBe('failure');
    expect(noOversell.children[0].attributes.message).toMatch(/oversold/);
  });

  it('a failed threshold exits 99', async () => {
    const r = await sim(['run', rel('threshold.yaml'), '--out', out('threshold'), '--no-progress']);
    expect(r.code).toBe(99);
    expect(r.stdout).toMatch(/base: threshold order_latency p\(99\)<1ms: p\(99\) = .*, not < 1ms/);
    expect(r.stdout).toContain('cli-threshold: invariants hold, THRESHOLD FAILED (exit 99)');
  });

  it.each([
    [
      'threshold.yaml',
      99,
      /^failures:\n {2}base: threshold order_latency p\(99\)<1ms: p\(99\) = .*, not < 1ms\n\ncli-threshold: invariants hold, THRESHOLD FAILED \(exit 99\)\n$/,
    ],
    [
      'oversell.yaml',
      1,
      /^failures:\n {2}base: invariant no-oversell: replication 0: \d+ orders for a stock of 20[^]*\n\ncli-oversell: INVARIANT VIOLATED, .* \(exit 1\)\n$/,
    ],
  ])('-q on a failed run (%s) still prints the failures and the verdict, on stderr only', async (file, code, expected) => {
    const r = await sim(['run', rel(file), '--out', out(`quiet-${code}`), '-q']);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(expected);
  });

  it('bad input exits 2 with one message and no stack trace; nothing is written', async () => {
    const bad = await sim(['run', rel('bad.yaml'), '--out', out('bad')]);
    expect(bad).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `flashsim: ${rel('bad.yaml')}:4:38 system.orderServers.slots: must be a positive integer (got -3)\n`,
    });
    const missing = await sim(['run', 'no/such.yaml', rel('pass.yaml'), '--out', out('missing')]);
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: 'flashsim: no/such.yaml: no such file\n' });
    const strategy = await sim(['run', rel('pass.yaml'), '--strategy', 'nope', '--out', out('strategy')]);
    expect(strategy.code).toBe(2);
    expect(strategy.stderr).toBe(`flashsim: --strategy: unknown strategy "nope"; ${rel('pass.yaml')} has: seed-design, more-servers\n`);
    const set = await sim(['run', rel('pass.yaml'), '--set', 'system.cdn.ttl=10x', '--out', out('set')]);
    expect(set.code).toBe(2);
    expect(set.stderr.trim().split('\n')).toHaveLength(1);
    expect(set.stderr).toContain('system.cdn.ttl');
    const users = await sim(['run', rel('pass.yaml'), '--users', 'lots']);
    expect(users).toMatchObject({
      code: 2,
      stderr: 'flashsim: --users: expected a positive whole number such as 10000, 10k or 1M (got "lots")\n',
    });
    // An unset variable in `--seed "$SEED"`: refused, not run with the empty seed.
    const seed = await sim(['run', rel('pass.yaml'), '--seed', '', '--out', out('seed')]);
    expect(seed).toMatchObject({ code: 2, stderr: 'flashsim: --seed seed: must be a number or a word such as 42 or nightly (got "")\n' });
    for (const r of [bad, missing, strategy, set, users, seed]) expect(r.stderr).not.toMatch(STACK);
    expect(readdirSync(work).filter((d) => ['bad', 'missing', 'strategy', 'set', 'seed'].includes(d))).toEqual([]);
  });

  it('seed and replications belong to the run: an overlay, --set or --param setting them exits 2 at the key; --seed still works', async () => {
    const file = join(work, 'per-strategy-seed.yaml');
    writeFileSync(
      file,
      readFileSync(fixture('pass.yaml'), 'utf8').replace('more-servers: { system.orderServers.servers: 4 }', 'more-servers: { seed: 42 }'),
    );
    const refused =
      'more-servers.seed: seed belongs to the run, not to a strategy: every strategy runs with the same seed, so they all see the same users; set it at the top of the file or with --seed\n';
    const run = await sim(['run', file, '--out', out('per-strategy-seed')]);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `flashsim: ${file}:19:19 strategies.${refused}` });
    expect(await sim(['validate', file])).toMatchObject({ code: 2, stderr: `flashsim: ${file}:19:19 strategies.${refused}` });
    const set = await sim(['run', rel('pass.yaml'), '--set', 'replications=2', '--out', out('set-replications')]);
    expect(set).toMatchObject({
      code: 2,
      stderr:
        'flashsim: --set replications: replications belongs to the run, not to a strategy: every strategy runs the same replications, so they pair up replication by replication; set it at the top of the file or with --replications\n',
    });
    const sweep = await sim(['sweep', rel('pass.yaml'), '--param', 'seed=1,2', '--out', out('sweep-seed')]);
    expect(sweep).toMatchObject({
      code: 2,
      stderr:
        'flashsim: sweep parameter "seed=1,2": seed belongs to the run, not to a point: every point runs with the same seed; set it with --seed\n',
    });
    expect(readdirSync(work).filter((d) => ['per-strategy-seed', 'set-replications', 'sweep-seed'].includes(d))).toEqual([]);
    const seeded = await sim(['run', rel('pass.yaml'), '--seed', '9', '--replications', '2', '--json', '--out', out('seeded'), '--quiet']);
    expect(seeded.code).toBe(0);
    const summary = JSON.parse(seeded.stdout) as {
      seed: number;
      replications: number;
      strategies: Array<{ config: { seed: number; replications: number } }>;
    };
    expect([summary.seed, summary.replications]).toEqual([9, 2]);
    expect(summary.strategies.map((s) => [s.config.seed, s.config.replications])).toEqual([
      [9, 2],
      [9, 2],
    ]);
  });

  it('--verbose adds the stack trace', async () => {
    const r = await sim(['run', rel('bad.yaml'), '--verbose']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(STACK);
  });

  it('an unwritable --out exits 2 and leaves nothing half-written', async () => {
    const blocker = out('blocker');
    writeFileSync(blocker, 'a file, not a directory');
    const r = await sim(['run', rel('pass.yaml'), '--strategy', 'seed-design', '--out', join(blocker, 'run'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^flashsim: cannot write .*blocker\/run: /);
    expect(readFileSync(blocker, 'utf8')).toBe('a file, not a directory');
  });

  // With worker threads the pool stops at once; in this thread (one worker) the run stops between slices of events.
  it.each(['2', '1'])('Ctrl-C (--workers %s) stops the runs, writes nothing and exits 130', async (workers) => {
    const dir = out(`interrupted-${workers}`);
    let sent = false;
    const r = await runCli(['run', rel('pass.yaml'), '--users', '400k', '--replications', '4', '--workers', workers, '--out', dir], {
      onStderr: (text, child) => {
        if (!sent && text.includes('[cli-pass]')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/\nflashsim: interrupted; nothing was written\n$/);
    expect(() => statSync(dir)).toThrow();
  });

  it("a reader that stops early (sim run --json | head) ends only the output: no stack trace, the run's own exit code", () => {
    // summary.json (~180 kB) is larger than a pipe holds: once head has
    // gone, the rest of the write fails with EPIPE. That used to crash with
    // an unhandled 'error' event: a stack trace and exit 1 ("invariant
    // violated") for a run that passed. A real OS pipe (sh), not a socket pair.
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const cli = [process.execPath, join(ROOT, 'dist/src/cli/main.js'), 'run', rel('pass.yaml'), '--json', '--quiet', '--out', out('epipe')]
      .map(q)
      .join(' ');
    const script = `(${cli} 2>${q(out('epipe.err'))}; echo $? >${q(out('epipe.code'))}) | head -c 1 >/dev/null`;
    expect(spawnSync('sh', ['-c', script], { cwd: ROOT }).status).toBe(0);
    expect({ code: readFileSync(out('epipe.code'), 'utf8').trim(), stderr: readFileSync(out('epipe.err'), 'utf8') }).toEqual({
      code: '0',
      stderr: '',
    });
    expect(files(out('epipe'))).toEqual([...OUTPUTS, 'charts', 'ledger.parquet', 'report.html', 'users.parquet'].sort());
  });

  it('--memory: a run that cannot fit is exit 2 before anything runs; runs that do not fit together go one at a time', async () => {
    const tooLarge = await sim(['run', rel('pass.yaml'), '--users', '3e7', '--memory', '4GiB', '--out', out('too-large')]);
    expect(tooLarge).toMatchObject({
      code: 2,
      stderr:
        'flashsim: a run of 30,000,000 users needs about 4.5 GiB (160 bytes per user, estimated), and this process 96 MiB: more than the 4.0 GiB of --memory; ' +
        'simulate fewer users (users.count or --users) or give more --memory\n',
    });
    expect(() => statSync(out('too-large'))).toThrow();
    // 500 users: each run ~64 MiB, plus 96 MiB for the process; 200 MiB holds one run at a time.
    const squeezed = await sim([
      'run',
      rel('pass.yaml'),
      '--workers',
      '2',
      '--memory',
      '200MiB',
      '--out',
      out('squeezed'),
      '--no-progress',
    ]);
    expect(squeezed.code).toBe(0);
    expect(squeezed.stderr).toContain(
      'flashsim: 1 run at a time instead of 2: a run of 500 users needs about 64 MiB, and the 200 MiB of --memory holds 1\n',
    );
    const passed = await runPass();
    expect(readFileSync(join(out('squeezed'), 'summary.json'), 'utf8')).toBe(readFileSync(join(out('pass'), 'summary.json'), 'utf8'));
    expect(passed.code).toBe(0);
  });

  it('progress: plain lines on a non-terminal stderr, nothing with --no-progress', async () => {
    const r = await sim(['run', rel('pass.yaml'), '--strategy', 'seed-design', '--out', out('progress')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\[cli-pass\] seed-design: done: 1m00s simulated, [\d,]+ events, /m);
    const quiet = await sim(['run', rel('pass.yaml'), '--strategy', 'seed-design', '--out', out('progress'), '--no-progress']);
    expect(quiet.stderr).not.toContain('[cli-pass]');
  });
});

describe('sim report and sim compare', () => {
  it('report rebuilds the reports from summary.json, byte for byte', async () => {
    expect((await runPass()).code).toBe(0);
    const dir = out('pass');
    const before = Object.fromEntries(
      ['summary.md', 'timeseries.csv', 'replications.jsonl', 'junit.xml', 'summary.json'].map((f) => [
        f,
        readFileSync(join(dir, f), 'utf8'),
      ]),
    );
    unlinkSync(join(dir, 'summary.md'));
    unlinkSync(join(dir, 'junit.xml'));
    // timeseries.csv is data (the runs' rows, which summary.json refers to), not a rebuilt report.
    writeFileSync(join(dir, 'timeseries.csv'), 'stale');
    const damaged = await sim(['report', dir]);
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toBe(
      `flashsim: ${join(dir, 'timeseries.csv')}: not a timeseries.csv (expected the header strategy,replication,interval_start_s,…)\n`,
    );
    writeFileSync(join(dir, 'timeseries.csv'), before['timeseries.csv']);
    unlinkSync(join(dir, 'replications.jsonl'));
    const missing = await sim(['report', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `flashsim: ${join(dir, 'replications.jsonl')}: missing (it holds the replications' histograms that summary.json refers to)\n`,
    );
    writeFileSync(join(dir, 'replications.jsonl'), before['replications.jsonl']);
    const r = await sim(['report', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cli-pass: invariants hold');
    for (const [f, text] of Object.entries(before)) expect(readFileSync(join(dir, f), 'utf8')).toBe(text);
    expect(files(dir)).toEqual(expect.arrayContaining(OUTPUTS));
    expect(files(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const failed = await sim(['run', rel('threshold.yaml'), '--out', out('report-failed'), '--quiet']);
    expect(failed.code).toBe(99);
    // Rebuilding succeeded (exit 0); the verdict line says whose exit code it quotes.
    const rebuilt = await sim(['report', out('report-failed')]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toContain('cli-threshold: invariants hold, THRESHOLD FAILED (the run exited 99)\n');
    const elsewhere = await sim(['report', dir, '--out', out('report-copy'), '--quiet']);
    expect(elsewhere.code).toBe(0);
    expect(files(out('report-copy'))).toEqual(expect.arrayContaining(['junit.xml', 'summary.json', 'summary.md', 'timeseries.csv']));
    expect(files(out('report-copy'))).not.toContain('timing.json');
  });

  it('report on a directory without a summary exits 2; so does a summary missing fields, naming the field', async () => {
    const none = await sim(['report', work]);
    expect(none).toMatchObject({
      code: 2,
      stderr: `flashsim: ${work}: no summary.json (is it a run directory written by flashsim run?)\n`,
    });
    const corrupt = out('corrupt');
    rmSync(corrupt, { recursive: true, force: true });
    writeFileSync(join(work, 'corrupt.json'), JSON.stringify({ schemaVersion: 4, scenario: { name: 'x' }, strategies: [{}] }));
    const r = await sim(['report', join(work, 'corrupt.json'), '--out', corrupt]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`flashsim: ${join(work, 'corrupt.json')}: tool is missing (expected object)\n`);
    expect(() => statSync(corrupt)).toThrow();
  });

  it('compare: identical runs pass the gate; a worse candidate fails it with 99', async () => {
    const base = out('cmp-base');
    const worse = out('cmp-worse');
    expect((await sim(['run', rel('pass.yaml'), '--strategy', 'seed-design', '--out', base, '--quiet'])).code).toBe(0);
    expect(
      (await sim(['run', rel('pass.yaml'), '--strategy', 'seed-design', '--out', worse, '--quiet', '--set', 'sale.stock=10'])).code,
    ).toBe(0);
    const same = await sim(['compare', base, join(base, 'summary.json'), '--max-regression', '10%']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('gate: no metric worse by more than 10%');
    const text = await sim(['compare', base, worse]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/seed-design {2}orders_created +20 +10 +-10 +-50% {2}worse\n/);
    const gated = await sim(['compare', base, worse, '--max-regression', '10%', '--markdown']);
    expect(gated.code).toBe(99);
    expect(gated.stdout).toContain('| strategy | metric | baseline | candidate | delta | change | verdict |');
    expect(gated.stdout).toContain('| seed-design | orders_created | 20 | 10 | -10 | -50% | WORSE (gate) |');
    expect(gated.stdout).toMatch(/\*\*gate: \d+ metrics? worse by more than 10%/);
    const bad = await sim(['compare', base, worse, '--max-regression', 'lots']);
    expect(bad.code).toBe(2);
  });
});
