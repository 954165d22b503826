import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, type CliOptions, type CliOutcome } from './build.js';

/**
 * SIGTERM (Kubernetes, CI runners, `timeout`) and SIGKILL sent to a real
 * `sim run` at points of its run and of its report writing, into a
 * directory that already holds a report. SIGTERM: exit 143, one line, no
 * temporary left, and the directory holds one whole set (the previous one
 * if the runs were stopped, the new one if the write had begun). SIGKILL:
 * the next run into the directory recovers it and says so.
 *
 * The points of the write are reached with FLASHSIM_TEST_WRITE_PHASE_PAUSE
 * (src/cli/outputs.ts), which waits at the given phase; unset, it does
 * nothing.
 */

const PASS = 'test/cli/fixtures/pass.yaml';
let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-cli-signals-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});
const out = (name: string) => join(work, name);

/** Every file under `dir`, name → bytes as text, hidden temporaries included; timing.json reduced to its run id. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isDirectory()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = path.slice(dir.length + 1);
    const text = readFileSync(path, 'latin1');
    files[name] = name === 'timing.json' ? (JSON.parse(text) as { runId: string }).runId.replace(/^.*-/, 'options ') : text;
  }
  return Object.fromEntries(Object.entries(files).sort());
}

const temporaries = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('.'));

async function run(dir: string, seed: string, options: CliOptions = {}): Promise<CliOutcome> {
  return runCli(['run', PASS, '--seed', seed, '--out', dir, '--no-progress'], options);
}

/** Runs with the write paused at `phase` and sends `signal` there. */
async function signalAt(dir: string, phase: 'staged' | 'committed', signal: NodeJS.Signals): Promise<CliOutcome> {
  let sent = false;
  const r = await run(dir, '2', {
    env: { FLASHSIM_TEST_WRITE_PHASE_PAUSE: `${phase}:1500` },
    onStderr: (text, child) => {
      if (!sent && text.includes(`writing ${dir}/: ${phase}`)) {
        sent = true;
        child.kill(signal);
      }
    },
  });
  expect(sent).toBe(true);
  return r;
}

/** The previous report (seed 1) and what the new one (seed 2) must be, made once. */
let previous: Record<string, string>;
let next: Record<string, string>;
beforeAll(async () => {
  expect((await run(out('ref-1'), '1')).code).toBe(0);
  expect((await run(out('ref-2'), '2')).code).toBe(0);
  previous = snapshot(out('ref-1'));
  next = snapshot(out('ref-2'));
  expect(previous).not.toEqual(next);
}, 60_000);

/** A directory holding the previous report (a copy of the seed-1 run). */
function withPrevious(name: string): string {
  const dir = out(name);
  cpSync(out('ref-1'), dir, { recursive: true });
  expect(snapshot(dir)).toEqual(previous);
  return dir;
}

describe('SIGTERM', () => {
  it.each(['2', '1'])(
    'during the runs (--workers %s): exit 143, nothing written, the previous report intact',
    async (workers) => {
      const dir = withPrevious(`term-run-${workers}`);
      let sent = false;
      const r = await runCli(['run', PASS, '--seed', '2', '--users', '400k', '--replications', '4', '--workers', workers, '--out', dir], {
        onStderr: (text, child) => {
          if (!sent && text.includes('[cli-pass]')) {
            sent = true;
            child.kill('SIGTERM');
          }
        },
      });
      expect(sent).toBe(true);
      expect(r.stderr).toMatch(/\nflashsim: terminated; nothing was written\n$/);
      expect(r.code).toBe(143);
      expect(snapshot(dir)).toEqual(previous);
      expect(temporaries(work)).toEqual([]);
    },
    60_000,
  );

  it.each(['staged', 'committed'] as const)(
    'while the report is written (%s): the write completes as one set, exit 143, no temporary left',
    async (phase) => {
      const dir = withPrevious(`term-${phase}`);
      const r = await signalAt(dir, phase, 'SIGTERM');
      expect(r.stderr).toMatch(new RegExp(`\\nflashsim: terminated; ${dir}/ was written completely\\n$`));
      expect(r.code).toBe(143);
      expect(snapshot(dir)).toEqual(next);
      expect(temporaries(work)).toEqual([]);
    },
    60_000,
  );
});

describe('SIGKILL while the report is written, then a rerun into the directory', () => {
  it('killed with the set staged: the previous report is intact; the rerun removes the temporaries and says so', async () => {
    const dir = withPrevious('kill-staged');
    const r = await signalAt(dir, 'staged', 'SIGKILL');
    expect(r.code).toBe(null);
    const left = temporaries(dir);
    expect(left.length).toBeGreaterThan(0);
    const { [left[0]]: _, ...rest } = Object.fromEntries(Object.entries(snapshot(dir)).filter(([n]) => !n.startsWith('.')));
    expect(rest).toEqual(previous);
    const again = await run(dir, '2', { env: {} });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`^flashsim: note: ${dir}/: removed ${left.length} temporary file\\(s\\) of a killed write\\n`));
    expect(snapshot(dir)).toEqual(next);
  }, 60_000);

  it('killed with the set committed: the set is read as the new one, and the rerun finishes it and says so', async () => {
    const dir = withPrevious('kill-committed');
    const r = await signalAt(dir, 'committed', 'SIGKILL');
    expect(r.code).toBe(null);
    expect(temporaries(dir).length).toBeGreaterThan(0);
    // A reader sees the committed summary.json, not the previous one.
    const shown = await runCli(['report', dir, '--out', out('kill-committed-report'), '--quiet']);
    expect(shown.code).toBe(0);
    expect(readFileSync(join(out('kill-committed-report'), 'summary.md'), 'latin1')).toBe(next['summary.md']);
    const again = await run(dir, '3');
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(
      new RegExp(`^flashsim: note: ${dir}/: finished moving in \\d+ file\\(s\\) of a report set whose write was killed`),
    );
    expect(temporaries(dir)).toEqual([]);
    expect(Object.keys(snapshot(dir))).toEqual(Object.keys(next));
  }, 60_000);
});
