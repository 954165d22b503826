/**
 * Large-stock benchmark: a sale of 1,000,000 units to 5,000,000 users (the
 * seed design of scenarios/flash-sale.yaml), run with the built CLI as a
 * user would, every report and the ledger tables written: wall time, peak
 * RSS of the process (through /usr/bin/time when present), and the sizes of
 * summary.json, report.html and the Parquet tables. Takes minutes: opt-in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLASH_SALE_SCENARIO, ROOT } from './child.js';
import type { BenchOptions, BenchSection } from './section.js';

const USERS = 5_000_000;
const STOCK = 1_000_000;
const TIME = '/usr/bin/time';
const FILES = ['summary.json', 'report.html', 'ledger.parquet', 'users.parquet'];

export const largeStockSection: BenchSection = {
  name: 'large-stock',
  description: '1,000,000 units to 5M users (seed design), sim run with every report and table: wall, peak RSS, file sizes',
  run(options: BenchOptions) {
    const users = Math.max(10_000, Math.round(USERS * options.scale));
    const stock = Math.max(1_000, Math.round(STOCK * options.scale));
    const out = mkdtempSync(join(tmpdir(), 'flashsim-large-'));
    const args = [join(ROOT, 'dist/src/cli/main.js'), 'run', FLASH_SALE_SCENARIO, '--strategy', 'seed-design', '--users', String(users)];
    args.push('--set', `sale.stock=${stock}`, '--no-progress', '-q', '--out', out);
    const timed = existsSync(TIME);
    options.log(`large-stock: ${stock.toLocaleString('en')} units, ${users.toLocaleString('en')} users …`);
    try {
      const started = performance.now();
      const run = timed
        ? spawnSync(TIME, ['-f', 'maxrss_kb=%M', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8' })
        : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
      const wallMs = performance.now() - started;
      if (run.status !== 0 && run.status !== 1 && run.status !== 99) throw new Error(`sim run exited with ${run.status}: ${run.stderr}`);
      const rss = /maxrss_kb=(\d+)/.exec(run.stderr ?? '');
      const peakRssMiB = rss ? Math.round(Number(rss[1]) / 1024) : null;
      const sizes: Record<string, number | null> = {};
      for (const f of FILES) sizes[f] = existsSync(join(out, f)) ? statSync(join(out, f)).size : null;
      const mb = (b: number | null) => (b === null ? 'absent' : `${(b / 1e6).toFixed(2)} MB`);
      return {
        json: { largeStock: { users, stock, wallMs: Math.round(wallMs), peakRssMiB, bytes: sizes } },
        lines: [
          `large-stock: seed design, ${stock.toLocaleString('en')} units, ${users.toLocaleString('en')} users, sim run with every report and table`,
          `  wall ${(wallMs / 1000).toFixed(1)}s, peak RSS ${peakRssMiB === null ? `not measured (no ${TIME})` : `${peakRssMiB} MiB`}`,
          `  ${FILES.map((f) => `${f} ${mb(sizes[f])}`).join(', ')}`,
        ],
      };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
};
