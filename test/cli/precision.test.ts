import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './build.js';

/** `sim run --precision` through the built CLI, on a tiny Erlang-B sale (see the fixture's header). */

const FIXTURE = 'test/cli/fixtures/precision.yaml';

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-precision-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sim run --precision', () => {
  it('same seed → byte-identical summary.json with 1 and 2 workers; the table, the log and summary.md say what the rule did', async () => {
    const common = ['run', FIXTURE, '--precision', '5%', '--no-ledger'];
    const one = await runCli([...common, '--workers', '1', '--out', join(work, 'w1')]);
    const two = await runCli([...common, '--workers', '2', '--out', join(work, 'w2'), '--no-progress']);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = readFileSync(join(work, 'w1', 'summary.json'), 'utf8');
    expect(readFileSync(join(work, 'w2', 'summary.json'), 'utf8') === a).toBe(true);
    const summary = JSON.parse(a) as {
      replications: number;
      strategies: Array<{ name: string; precision: { replications: number; stopped: string } }>;
    };
    expect(summary.replications).toBe(9);
    expect(summary.strategies.map((s) => [s.name, s.precision.replications, s.precision.stopped])).toEqual([
      ['five', 9, 'precise'],
      ['eight', 3, 'decided'],
    ]);

    expect(one.stdout).toContain('seed 7, 3–9 replications, mean ± 95% CI');
    expect(one.stdout).toMatch(/^replications +9 \(precise\) +3 \(decided\)$/m);
    expect(one.stdout).toContain(
      "precision: replications added until each threshold's 95% CI decides or is within ±5% of its mean, 3 at a time, at most 12",
    );
    expect(one.stdout).toContain("  five: every threshold's 95% CI decided or within ±5% of its mean after 9 replications");
    // The plain progress log says why each batch is added.
    expect(one.stderr).toMatch(
      /\[cli-precision\] five: 3 more replications \(4-6\): order_reject_rate rate<12%: 95% CI \[.*\] straddles the limit, ±/,
    );
    expect(one.stderr).not.toMatch(/eight: \d+ more replications/);

    const md = readFileSync(join(work, 'w1', 'summary.md'), 'utf8');
    expect(md).toContain('## Precision');
    expect(md).toMatch(
      /\| five \| 9 \| precise \| order_reject_rate rate<12% \| [\d.]+% \| \[[\d.]+%, [\d.]+%\] \| ±[\d.]+% \| precise \|/,
    );
    expect(md).toContain('flashsim run test/cli/fixtures/precision.yaml --seed 7 --replications 3 --precision 5% --max-replications 12');

    // report.html has the same Precision section, and sim report rebuilds it from the run directory alone.
    const html = readFileSync(join(work, 'w1', 'report.html'), 'utf8');
    expect(html).toContain('<dt>replications</dt><dd>3–9 (figures');
    // The resolved configuration says what each strategy ran, not the first batch.
    const configs = summary.strategies.map((s) => (s as unknown as { config: { replications: number } }).config.replications);
    expect(configs).toEqual([9, 3]);
    expect(html).toContain('<h2 id="precision">Precision</h2>');
    expect(html).toContain('<a href="#precision">precision</a>');
    expect(html).toContain('<li>five: every threshold&#39;s 95% CI decided or within ±5% of its mean after 9 replications</li>');
    expect(html).toMatch(
      /<tr><th scope="row"><code>five<\/code><\/th><td>9<\/td><td>precise<\/td><td>order_reject_rate rate&lt;12%<\/td><td>[\d.]+%<\/td><td>\[[\d.]+%, [\d.]+%\]<\/td><td>±[\d.]+%<\/td><td>precise<\/td><\/tr>/,
    );
    expect(html).toContain('<code>eight</code></th><td>3</td><td>decided</td>');
    const rebuilt = await runCli(['report', join(work, 'w1'), '--out', join(work, 'w1-report'), '-q']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(readFileSync(join(work, 'w1-report', 'report.html'), 'utf8') === html).toBe(true);
  });

  it('--max-replications caps the rule: the strategy stops at the limit and the table says so', async () => {
    const r = await runCli([
      'run',
      FIXTURE,
      '--strategy',
      'five',
      '--precision',
      '1%',
      '--max-replications',
      '6',
      '--no-ledger',
      '--no-progress',
      '--out',
      join(work, 'cap'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^replications +6 \(limit reached\)$/m);
    expect(r.stdout).toContain('  five: stopped at the limit of 6 replications, still open: order_reject_rate rate<12%');
  });

  it.each([
    [['--precision', '0%'], '--precision: must be more than 0% (got "0%")'],
    [['--precision', '0'], '--precision: expected a percentage such as 5%'],
    [['--precision=-5%'], '--precision: must be more than 0% (got "-5%")'],
    [['--precision', '150%'], '--precision: must be at most 100% (got "150%")'],
    [['--precision', '0.05'], '--precision: expected a percentage such as 5%'],
    [['--precision', 'five'], '--precision: expected a percentage such as 5%'],
    [
      ['--precision', '5%', '--max-replications', '2'],
      "--max-replications: must be at least 3: the run starts with 3 replications (the scenario's replications) (got 2)",
    ],
    [['--precision', '5%', '--max-replications', '1'], '--max-replications: expected a whole number from 2 to 1000 (got "1")'],
    [['--max-replications', '6'], '--max-replications: goes with --precision'],
    [['--precision', '5%', '--shard', '0/2'], '--precision: not with --shard/--shards'],
  ])('bad input %j → exit 2: %s', async (args, message) => {
    const r = await runCli(['run', FIXTURE, ...args, '--no-progress', '--out', join(work, 'bad')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});
