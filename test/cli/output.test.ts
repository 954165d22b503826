import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli, type CliOptions } from './build.js';

/**
 * Bad output paths, repeated options, damaged summaries and Ctrl-C while
 * writing: exit 2 (or 130) with one message, before any simulation, and
 * never a half-written or damaged report.
 */

const rel = (name: string) => `test/cli/fixtures/${name}`;
const STACK = /\n\s+at /;
const sim = (args: string[], options: CliOptions = {}) => runCli(args, options);

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-cli-output-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});
const out = (name: string) => join(work, name);
const OUTPUTS = ['junit.xml', 'summary.json', 'summary.md', 'timeseries.csv', 'timing.json'];
/** The one-strategy pass run, made once. */
let baseRun: Promise<string> | undefined;
const base = () =>
  (baseRun ??= sim(['run', rel('pass.yaml'), '--strategy', 'seed-design', '--out', out('base'), '--quiet']).then((r) => {
    expect(r.code).toBe(0);
    return out('base');
  }));

/** A usage error: exit 2, one line, no stack trace, and no simulation started (no progress line). */
function expectUsage(r: { code: number | null; stderr: string; stdout: string }, message: string | RegExp): void {
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toContain('[cli-pass]');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  if (typeof message === 'string') expect(r.stderr).toBe(`${message}\n`);
  else expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
}

describe('options', () => {
  it.each([
    [['run', rel('pass.yaml'), '--seed', '1', '--seed', '2'], 'flashsim: --seed given twice ("1", "2"); it takes one value'],
    [['run', rel('pass.yaml'), '--out', 'a', '--out', 'b'], 'flashsim: --out given twice ("a", "b"); it takes one value'],
    [['run', rel('pass.yaml'), '--workers', '1', '--workers', '2'], 'flashsim: --workers given twice ("1", "2"); it takes one value'],
    [
      ['sweep', rel('pass.yaml'), '--param', 'sale.stock=1,2', '--users', '1k', '--users', '2k'],
      'flashsim: --users given twice ("1k", "2k"); it takes one value',
    ],
    [['compare', 'A', 'B', '--chart', 'a.png', '--chart', 'b.png'], 'flashsim: --chart given twice ("a.png", "b.png"); it takes one value'],
    [
      ['compare', 'A', 'B', '--max-regression', '1%', '--max-regression', '2%'],
      'flashsim: --max-regression given twice ("1%", "2%"); it takes one value',
    ],
    [['report', 'A', '--out', 'a', '--out', 'b'], 'flashsim: --out given twice ("a", "b"); it takes one value'],
  ])('a single-valued option given twice is a usage error before any work: %j', async (args, message) => {
    expectUsage(await sim(args, { cwd: work }), message);
    expect(readdirSync(work).filter((f) => ['a', 'b', 'a.png', 'b.png'].includes(f))).toEqual([]);
  });

  it('repeatable options still take several values', async () => {
    const r = await sim(['validate', rel('pass.yaml'), '--set', 'sale.stock=5', '--set', 'system.cdn.edges=3']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const strategies = await sim([
      'run',
      rel('pass.yaml'),
      '--strategy',
      'seed-design',
      '--strategy',
      'more-servers',
      '--out',
      out('two'),
      '--quiet',
      '--json',
    ]);
    expect(strategies.code).toBe(0);
    expect((JSON.parse(strategies.stdout) as { strategies: Array<{ name: string }> }).strategies.map((s) => s.name)).toEqual([
      'seed-design',
      'more-servers',
    ]);
  });

  it('an unknown option without a command is named', async () => {
    expectUsage(await sim(['--bogus']), 'flashsim: --bogus: unknown option (see flashsim --help)');
    expectUsage(await sim(['--bogus=3', '--verbose']), 'flashsim: --bogus: unknown option (see flashsim --help)');
  });

  it('a bad number quotes what was typed', async () => {
    expectUsage(
      await sim(['run', rel('pass.yaml'), '--workers', 'abc']),
      'flashsim: --workers: expected a positive whole number (got "abc")',
    );
    expectUsage(
      await sim(['run', rel('pass.yaml'), '--replications', '1.5']),
      'flashsim: --replications: expected a positive whole number (got "1.5")',
    );
    expectUsage(
      await sim(['sweep', rel('pass.yaml'), '--param', 'sale.stock=1,2', '--workers', '0']),
      'flashsim: --workers: expected a positive whole number (got "0")',
    );
  });

  it('an empty --out is a usage error and writes nothing into the working directory', async () => {
    const cwd = mkdtempSync(join(work, 'empty-out-'));
    expectUsage(await sim(['run', join(ROOT, rel('pass.yaml')), '--out', ''], { cwd }), 'flashsim: --out: expected a path (got "")');
    expectUsage(
      await sim(['sweep', join(ROOT, rel('pass.yaml')), '--param', 'sale.stock=1,2', '--out', ''], { cwd }),
      'flashsim: --out: expected a path (got "")',
    );
    expectUsage(await sim(['report', await base(), '--out', ''], { cwd }), 'flashsim: --out: expected a path (got "")');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('sweep --metric "" is a usage error (it gave a sweep with no metric at all)', async () => {
    expectUsage(
      await sim(['sweep', rel('pass.yaml'), '--param', 'system.cdn.edges=1,2', '--metric', '', '--out', out('no-metric')]),
      'flashsim: --metric: no metric named (got ""); name one, e.g. --metric order_latency.p99',
    );
    expect(existsSync(out('no-metric'))).toBe(false);
  });
});

describe('output paths are checked before the simulation', () => {
  it.each([
    ['a regular file', () => out('afile'), (p: string) => `flashsim: cannot write ${p}: ${p} is not a directory`],
    [
      'a path under a regular file',
      () => join(out('afile'), 'x', 'run'),
      (p: string) => `flashsim: cannot write ${p}: ${out('afile')} is not a directory`,
    ],
    ['/dev/null', () => '/dev/null', () => 'flashsim: cannot write /dev/null: /dev/null is not a directory'],
  ])('run --out %s: exit 2 naming it, nothing run or written', async (_what, path, message) => {
    writeFileSync(out('afile'), 'a file');
    for (const command of [
      ['run', rel('pass.yaml')],
      ['sweep', rel('pass.yaml'), '--param', 'sale.stock=1,2'],
    ]) {
      const r = await sim([...command, '--out', path()]);
      expectUsage(r, message(path()));
      expect(r.stderr).not.toContain('sweep:');
    }
    expect(readFileSync(out('afile'), 'utf8')).toBe('a file');
  });

  it.runIf(existsSync('/proc/self'))(
    'paths under /proc fail at once instead of hanging (recursive mkdir spins there)',
    async () => {
      expectUsage(
        await sim(['run', rel('pass.yaml'), '--out', '/proc/flashsim-nope']),
        /^flashsim: cannot write \/proc\/flashsim-nope: .*\(ENOENT\)\n$/,
      );
      const dir = await base();
      expectUsage(
        await sim(['compare', dir, dir, '--chart', '/proc/flashsim-nope/y.png']),
        /^flashsim: --chart \/proc\/flashsim-nope\/y\.png: .*\/proc.*\(ENOENT\)\n$/,
      );
    },
    30_000,
  );

  it('compare --chart under a regular file: exit 2 naming it', async () => {
    const dir = await base();
    writeFileSync(out('chartfile'), 'x');
    const chart = join(out('chartfile'), 'x.png');
    expectUsage(await sim(['compare', dir, dir, '--chart', chart]), `flashsim: --chart ${chart}: ${out('chartfile')} is not a directory`);
  });
});

describe('damaged summaries', () => {
  it('a summary missing a field: compare and report exit 2 naming the file and the field, and write nothing', async () => {
    const dir = await base();
    const damaged = out('damaged');
    cpSync(dir, damaged, { recursive: true });
    const summary = JSON.parse(readFileSync(join(damaged, 'summary.json'), 'utf8'));
    delete summary.strategies[0].aggregate;
    writeFileSync(join(damaged, 'summary.json'), JSON.stringify(summary));
    const before = readdirSync(damaged).sort();
    const file = join(damaged, 'summary.json');
    expectUsage(
      await sim(['compare', dir, damaged]),
      `flashsim: ${file}: strategies[0].aggregate is missing (expected object)\n`.trimEnd(),
    );
    expectUsage(await sim(['report', damaged]), `flashsim: ${file}: strategies[0].aggregate is missing (expected object)`);
    expect(readdirSync(damaged).sort()).toEqual(before);
    const aggregate = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).strategies[0].aggregate;
    summary.strategies[0].aggregate = { ...aggregate, metrics: { ...aggregate.metrics, page_latency: 1 } };
    writeFileSync(join(damaged, 'summary.json'), JSON.stringify(summary));
    expectUsage(
      await sim(['compare', damaged, dir]),
      `flashsim: ${file}: strategies[0].aggregate.metrics.page_latency: expected object, received number`,
    );
  });
});

describe('Ctrl-C while the reports are written', () => {
  it.each(['1', '2'])('--workers %s: the write completes, then exit 130 saying what was written', async (workers) => {
    const dir = out(`sigint-${workers}`);
    let sent = false;
    const r = await sim(['run', rel('pass.yaml'), '--workers', workers, '--out', dir, '--no-progress'], {
      env: { FLASHSIM_TEST_WRITE_PAUSE_MS: '1500' },
      onStderr: (text, child) => {
        if (!sent && text.includes(`writing ${dir}/`)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.stderr).toMatch(new RegExp(`\\nflashsim: interrupted; ${dir}/ was written completely\\n$`));
    expect(r.code).toBe(130);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining([...OUTPUTS, 'charts', 'report.html']));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('several scenarios: stops after the one being written and says which were not run', async () => {
    const dir = out('sigint-multi');
    let sent = false;
    const r = await sim(['run', rel('pass.yaml'), rel('threshold.yaml'), '--workers', '2', '--out', dir, '--no-progress', '--quiet'], {
      env: { FLASHSIM_TEST_WRITE_PAUSE_MS: '1500' },
      onStderr: (text, child) => {
        if (!sent && text.includes('writing ')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(r.stderr).toMatch(new RegExp(`\\nflashsim: interrupted; ${dir}/cli-pass/ was written completely; not run: cli-threshold\\n$`));
    expect(r.code).toBe(130);
    expect(readdirSync(dir)).toEqual(['cli-pass']);
  });
});
