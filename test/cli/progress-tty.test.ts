import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, ROOT, runCli } from './build.js';
import { replay } from './terminal.js';

/** Progress as a user sees it: on a real pseudo-terminal (util-linux `script`) and in a CI log. */

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-progress-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI on a pseudo-terminal `columns` wide and returns what it wrote there. */
function onTerminal(columns: number, rows: number, args: string[]): string {
  const command = `stty cols ${columns} rows ${rows}; ${[process.execPath, CLI, ...args].map(quote).join(' ')}`;
  const r = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(r.status, r.stderr).toBe(0); // naive oversells as it declares: caught
  return r.stdout;
}

const STRATEGIES = ['seed-design', 'naive'];
// eslint-disable-next-line no-control-regex -- the cursor and erase codes are what is stripped.
const stripCodes = (s: string): string => s.replace(/\x1b\[\d*[AK]/g, '');

describe.skipIf(!hasScript)('live progress on a pseudo-terminal', () => {
  it.each([80, 40])('at %i columns: no line wraps, one line per strategy remains, none repeated', (columns) => {
    const out = onTerminal(columns, 24, [
      'run',
      'scenarios/flash-sale.yaml',
      '--users',
      '10k',
      '--strategy',
      STRATEGIES.join(','),
      '--workers',
      '2',
      '--out',
      join(work, `tty-${columns}`),
    ]);
    // Everything before the summary table is the progress display.
    const tableAt = out.indexOf('flash-sale (scenarios/flash-sale.yaml)');
    expect(tableAt).toBeGreaterThan(0);
    const progress = stripCodes(out.slice(0, tableAt)).split(/\r?\n/);
    expect(progress.length).toBeGreaterThan(STRATEGIES.length * 2); // redrawn at least once
    for (const line of progress) expect(line.length).toBeLessThanOrEqual(columns - 1);

    // What stays on the terminal: the scenario's line, then exactly one line per strategy, each done once.
    const { lines } = replay(out, columns, 24);
    const head = lines.slice(
      0,
      lines.findIndex((l) => l.startsWith('flash-sale (')),
    );
    expect(head).toEqual([
      'flash-sale',
      ...STRATEGIES.map((name) =>
        expect.stringMatching(
          new RegExp(columns >= 80 ? `^  ${name} +done 1/1  [\\d,]+ events  [\\d.]+[kM]? events/s$` : `^  ${name} +done 1/1  [\\d,]+`),
        ),
      ),
    ]);
    expect(lines.filter((l) => / done 1\/1 /.test(l))).toHaveLength(STRATEGIES.length);
  });
});

describe('plain progress in a log', () => {
  it('5 replications on 2 workers: every task one done line, at its own rate', async () => {
    const out = join(work, 'log');
    const r = await runCli(['run', 'scenarios/smoke.yaml', '--replications', '5', '--workers', '2', '--out', out]);
    expect(r.code).toBe(0);
    const done = r.stderr.split('\n').filter((l) => l.includes(': done:'));
    const timing = JSON.parse(readFileSync(join(out, 'timing.json'), 'utf8')) as {
      tasks: Array<{ strategy: string; replication: number; eventsPerSecond: number }>;
    };
    expect(done).toHaveLength(10);
    for (const task of timing.tasks) {
      const lines = done.filter((l) => l.startsWith(`[smoke] ${task.strategy} rep ${task.replication + 1}/5: done: `));
      expect(lines, `${task.strategy} rep ${task.replication + 1}`).toHaveLength(1);
      const m = /, ([\d.]+)([kMG]?) events\/s$/.exec(lines[0]);
      expect(m, lines[0]).not.toBeNull();
      const rate = Number(m![1]) * { '': 1, k: 1e3, M: 1e6, G: 1e9 }[m![2] as '' | 'k' | 'M' | 'G'];
      // Measured from the main thread (start to done message), so at most a little above the worker's own figure.
      expect(rate, lines[0]).toBeLessThanOrEqual(task.eventsPerSecond * 1.5);
      expect(rate, lines[0]).toBeGreaterThan(task.eventsPerSecond / 10);
    }
  });
});
