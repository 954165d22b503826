import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, type CliOutcome } from './build.js';
import { DEFAULT_SWEEP_METRICS } from '../../src/results/sweep.js';

/** `sim sweep`, through the built CLI, on the tiny pass.yaml (500 users). */

type Outcome = CliOutcome;

const sim = runCli;

const PASS = 'test/cli/fixtures/pass.yaml';
const GRID = ['--param', 'system.orderServers.servers=1,2,4', '--param', 'system.cdn.ttl=1s,60s'];

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-sweep-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});
const out = (name: string) => join(work, name);

interface Estimate {
  n: number;
  mean: number | null;
  low: number | null;
  high: number | null;
}
interface SweepJson {
  kind: string;
  schemaVersion: number;
  seed: number;
  replications: number;
  parameters: Array<{ path: string; values: string[] }>;
  metrics: Array<{ name: string; unit: string }>;
  points: Array<{
    index: number;
    parameters: Record<string, string>;
    strategies: Array<{ strategy: string; invariantsPassed: boolean; thresholdsPassed: boolean; metrics: Record<string, Estimate> }>;
  }>;
}

/** The 3 × 2 grid, seed-design only, 2 replications, shared by several tests. */
let gridRun: Promise<Outcome> | undefined;
const runGrid = () =>
  (gridRun ??= sim([
    'sweep',
    PASS,
    ...GRID,
    '--strategy',
    'seed-design',
    '--replications',
    '2',
    '--workers',
    '2',
    '--out',
    out('grid'),
    '--no-progress',
  ]));

describe('sim sweep', () => {
  it('draws every metric asked for: sweep.png for the first, sweep.<metric>.png for the others', async () => {
    const args = ['sweep', PASS, '--param', 'system.orderServers.servers=1,2', '--strategy', 'seed-design', '--no-progress'];
    const r = await sim([...args, '--metric', 'order_latency.p99', '--metric', 'sell_out_time', '--out', out('two-metrics')]);
    expect(r.code).toBe(0);
    const pngs = readdirSync(out('two-metrics')).filter((f) => f.endsWith('.png'));
    expect(pngs.sort()).toEqual(['sweep.png', 'sweep.sell_out_time.png']);
    for (const png of pngs)
      expect(
        readFileSync(join(out('two-metrics'), png))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
  });

  it('runs the grid × replications and writes sweep.json, sweep.csv, sweep.md, sweep.png and timing.json', async () => {
    const r = await runGrid();
    expect(r.code).toBe(0);
    // The default metrics (pinned literally below): the first in sweep.png, each other one in its own chart.
    const charts = DEFAULT_SWEEP_METRICS.map((m, i) => (i === 0 ? 'sweep.png' : `sweep.${m}.png`));
    expect(readdirSync(out('grid')).sort()).toEqual(['sweep.csv', 'sweep.json', 'sweep.md', ...charts, 'timing.json'].sort());
    expect(r.stderr).toBe(`wrote ${out('grid')}/ (${['sweep.json', 'sweep.csv', 'sweep.md', ...charts, 'timing.json'].join(', ')})\n`);

    const sweep = JSON.parse(readFileSync(join(out('grid'), 'sweep.json'), 'utf8')) as SweepJson;
    expect(sweep).toMatchObject({ kind: 'flashsim-sweep', schemaVersion: 1, seed: 7, replications: 2 });
    expect(sweep.parameters).toEqual([
      { path: 'system.orderServers.servers', values: ['1', '2', '4'] },
      { path: 'system.cdn.ttl', values: ['1s', '60s'] },
    ]);
    expect(sweep.metrics.map((m) => m.name)).toEqual([
      'order_latency.p99',
      'page_latency.p99',
      'sell_out_time',
      'orders_created',
      'order_reject_rate',
      'origin_peak_rps',
    ]);
    // First parameter slowest, like nested loops.
    expect(sweep.points.map((p) => `${p.parameters['system.orderServers.servers']}/${p.parameters['system.cdn.ttl']}`)).toEqual([
      '1/1s',
      '1/60s',
      '2/1s',
      '2/60s',
      '4/1s',
      '4/60s',
    ]);
    for (const point of sweep.points) {
      expect(point.strategies.map((s) => s.strategy)).toEqual(['seed-design']);
      const m = point.strategies[0].metrics;
      expect(m['orders_created']).toMatchObject({ n: 2, mean: 20 });
      const p99 = m['order_latency.p99'];
      expect(p99.n).toBe(2);
      expect(p99.low!).toBeLessThanOrEqual(p99.mean!);
      expect(p99.high!).toBeGreaterThanOrEqual(p99.mean!);
    }

    // The table on stdout: a row per point, the parameters first.
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('orderServers.servers'))!;
    expect(header).toMatch(
      /^orderServers\.servers\s+cdn\.ttl\s+order_latency\.p99\s+page_latency\.p99\s+sell_out_time\s+orders_created\s+order_reject_rate\s+origin_peak_rps\s+checks$/,
    );
    const rows = lines.filter((l) => /^[124]\s+(1s|60s)\s/.test(l));
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatch(/ms ± [\d.]+ms/);
    expect(rows.every((l) => l.endsWith('pass'))).toBe(true);

    const csv = readFileSync(join(out('grid'), 'sweep.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(7);
    expect(
      csv[0].startsWith(
        'point,system.orderServers.servers,system.cdn.ttl,strategy,invariants_passed,thresholds_passed,order_latency.p99.mean,order_latency.p99.low,order_latency.p99.high,order_latency.p99.n,',
      ),
    ).toBe(true);
    expect(csv[1].startsWith('0,1,1s,seed-design,true,true,')).toBe(true);
    const md = readFileSync(join(out('grid'), 'sweep.md'), 'utf8');
    expect(md).toContain('| orderServers.servers | cdn.ttl | order_latency.p99 |');
    expect(md.split('\n').filter((l) => /^\| [124] \| (1s|60s) \|/.test(l))).toHaveLength(6);
    const png = readFileSync(join(out('grid'), 'sweep.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const timing = JSON.parse(readFileSync(join(out('grid'), 'timing.json'), 'utf8')) as {
      workers: number;
      tasks: number;
      perTask: Array<{ point: number; worker?: unknown }>;
    };
    expect(timing).toMatchObject({ workers: 2, tasks: 12 });
    expect(timing.perTask.map((t) => t.point)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(timing.perTask.every((t) => t.worker !== undefined)).toBe(true);
  });

  it('sweep.json is byte-identical with 1 worker (in process) and with 2', async () => {
    await runGrid();
    const r = await sim([
      'sweep',
      PASS,
      ...GRID,
      '--strategy',
      'seed-design',
      '--replications',
      '2',
      '--workers',
      '1',
      '--out',
      out('grid-1'),
      '--quiet',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(join(out('grid-1'), 'sweep.json'), 'utf8')).toBe(readFileSync(join(out('grid'), 'sweep.json'), 'utf8'));
    expect(readFileSync(join(out('grid-1'), 'sweep.csv'), 'utf8')).toBe(readFileSync(join(out('grid'), 'sweep.csv'), 'utf8'));
  });

  it('--metric picks the metrics; every strategy is a row; --json prints sweep.json on stdout', async () => {
    const r = await sim([
      'sweep',
      PASS,
      '--param',
      'system.orderServers.slots=1,10',
      '--metric',
      'order_latency.p50',
      '--metric',
      'sell_out_time,cdn_hit_ratio',
      '--workers',
      '2',
      '--out',
      out('metrics'),
      '--json',
      '--no-progress',
    ]);
    expect(r.code).toBe(0);
    const sweep = JSON.parse(r.stdout) as SweepJson;
    expect(r.stdout).toBe(readFileSync(join(out('metrics'), 'sweep.json'), 'utf8'));
    expect(sweep.metrics.map((m) => [m.name, m.unit])).toEqual([
      ['order_latency.p50', 'µs'],
      ['sell_out_time', 'µs'],
      ['cdn_hit_ratio', 'fraction'],
    ]);
    expect(sweep.points.map((p) => p.strategies.map((s) => s.strategy))).toEqual([
      ['seed-design', 'more-servers'],
      ['seed-design', 'more-servers'],
    ]);
    // The table went to stderr, with a strategy column.
    expect(r.stderr).toMatch(/orderServers\.slots\s+strategy\s+order_latency\.p50\s+sell_out_time\s+cdn_hit_ratio\s+checks/);
  });

  it.each([
    [[], 'flashsim: a sweep needs at least one --param path=v1,v2,… (e.g. --param system.orderServers.servers=5,10,20)\n'],
    [['--param', 'system.orderServers.servers'], 'expected path=v1,v2'],
    [['--param', 'system.orderServers.nope=1,2'], 'unknown path'],
    [
      ['--param', 'system.orderServers.servers=1,2', '--metric', 'order_latency'],
      'order_latency is a latency; name a statistic, e.g. order_latency.p99',
    ],
    [['--param', 'system.orderServers.servers=1,2', '--metric', 'bogus'], '--metric "bogus": unknown metric'],
    [['--param', 'system.orderServers.servers=1,-2'], 'system.orderServers.servers'],
    [['--param', 'system.orderServers.servers=1,2', '--workers', '0'], '--workers: expected a positive whole number'],
  ])('bad input %j: exit 2, one message, nothing written', async (extra, message) => {
    const dir = out(`bad-${extra.join('_').replace(/[^\w]/g, '')}`);
    const r = await sim(['sweep', PASS, ...extra, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(dir)).toBe(false);
  });

  it('a failing worker: exit 70 naming the task, nothing written', async () => {
    const dir = out('fault');
    const r = await sim(['sweep', PASS, '--param', 'system.orderServers.servers=1,2', '--workers', '2', '--out', dir, '--no-progress'], {
      env: { FLASHSIM_TEST_FAULT: 'exit@2' },
    });
    expect(r.code).toBe(70);
    expect(r.stderr).toContain(
      'task 2 (strategy seed-design, replication 0, point system.orderServers.servers=2) failed in a worker thread: the worker thread died (exit code 3)',
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('Ctrl-C stops the pool promptly: exit 130, nothing written', async () => {
    const dir = out('interrupted');
    let sent = false;
    const started = performance.now();
    // Every task blocks for minutes: only the abort can end the sweep.
    const r = await sim(['sweep', PASS, '--param', 'system.orderServers.servers=1,2', '--workers', '2', '--out', dir], {
      env: { FLASHSIM_TEST_FAULT: 'hang@*' },
      onStderr: (text, child) => {
        if (!sent && text.includes('runs on 2 worker threads')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('flashsim: interrupted; nothing was written');
    expect(existsSync(dir)).toBe(false);
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it('--help has examples', async () => {
    const r = await sim(['sweep', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sim sweep <scenario>');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--param');
  });
});
