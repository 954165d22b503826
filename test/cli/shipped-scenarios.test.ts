import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/results/summary.js';
import { ensureBuilt, ROOT, runCli } from './build.js';

/*
 * The CI gate the README promises: every shipped scenario, run as a user
 * runs them all (`sim run scenarios/*.yaml`, here at 20,000 users), exits 0
 * on a correct build, and every violation a strategy declares is caught.
 */

const files = readdirSync(join(ROOT, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-shipped-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const summaryOf = (dir: string): RunSummary => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;

describe('the shipped scenarios as a CI gate', () => {
  it('sim run scenarios/*.yaml --users 20k exits 0, and every declared violation is reported as caught', { timeout: 600_000 }, async () => {
    const args = ['run', ...files.map((f) => `scenarios/${f}`), '--users', '20k', '--out', join(work, 'all'), '--no-progress'];
    const r = await runCli(args, { cwd: ROOT });
    expect(r.stderr).not.toMatch(/error|\n\s+at /i);
    expect(r.code).toBe(0);
    let declared = 0;
    for (const file of files) {
      const summary = summaryOf(join(work, 'all', file.replace(/\.yaml$/, '')));
      expect(summary.verdict.exitCode, file).toBe(0);
      for (const s of summary.strategies) {
        const checks = [
          ...s.invariants.map((i) => ({ id: i.name, verdict: i.verdict })),
          ...s.thresholds.map((t) => ({ id: t.metric, verdict: t.verdict })),
        ];
        for (const name of s.expect.violates) {
          const hits = checks.filter((c) => c.id === name);
          expect(hits.length, `${file} ${s.name} ${name}`).toBeGreaterThan(0);
          for (const c of hits) expect(c.verdict, `${file} ${s.name} ${name}`).toBe('caught');
          declared += 1;
        }
      }
      expect(summary.verdict.expected.missed).toBe(0);
    }
    // The negative controls are there: naive, static URLs, racy stock, lossy and duplicating brokers, …
    expect(declared).toBeGreaterThanOrEqual(20);
    expect(r.stdout).toMatch(/flash-sale: invariants hold, thresholds pass, \d+ expected violations caught \(exit 0\)/);
  });

  it(
    'deleting one expect entry makes the run exit 1; declaring a violation on the seed design makes it exit 1',
    { timeout: 120_000 },
    async () => {
      const smoke = readFileSync(join(ROOT, 'scenarios/smoke.yaml'), 'utf8');
      expect(smoke).toContain('violates: [no-oversell, no-early-orders, conservation, oversell]');
      const deleted = join(work, 'smoke-deleted.yaml');
      writeFileSync(
        deleted,
        smoke.replace(
          'violates: [no-oversell, no-early-orders, conservation, oversell]',
          'violates: [no-oversell, conservation, oversell]',
        ),
      );
      const a = await runCli(['run', deleted, '--out', join(work, 'deleted'), '--no-progress'], { cwd: ROOT });
      expect(a.code).toBe(1);
      expect(a.stdout).toMatch(/failures:\n {2}naive: invariant no-early-orders: /);
      const onSeed = join(work, 'smoke-seed.yaml');
      writeFileSync(onSeed, smoke.replace(/^ {2}seed-design: \{\}$/m, '  seed-design: { expect: { violates: [no-oversell] } }'));
      const b = await runCli(['run', onSeed, '--out', join(work, 'seed'), '--no-progress'], { cwd: ROOT });
      expect(b.code).toBe(1);
      expect(b.stdout).toMatch(/seed-design: invariant no-oversell: declared in expect\.violates but it held/);
      expect(b.stdout).toMatch(/1 of 5 EXPECTED VIOLATIONS NOT CAUGHT \(exit 1\)/);
    },
  );
});
