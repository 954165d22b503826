import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand, parseRegression } from '../../../src/cli/commands/compare.js';
import { UsageError } from '../../../src/errors.js';
import { renderSummaryJson } from '../../../src/results/summary.js';
import { makeResult } from '../../helpers/run-result.js';
import { makeStrategy, makeSummary } from '../../helpers/summary.js';

/** `sim compare` as a function: what it prints and the exit code it returns. */

const work = mkdtempSync(join(tmpdir(), 'flashsim-compare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function summaryFile(name: string, strategies: string[], orders = 10): string {
  const file = join(work, `${name}.json`);
  writeFileSync(
    file,
    renderSummaryJson(makeSummary(strategies.map((s) => makeStrategy({ name: s, results: [makeResult({ strategy: s, orders })] })))),
  );
  return file;
}

async function compare(baseline: string, candidate: string, maxRegression?: string): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await compareCommand(
    { baseline, candidate, markdown: false, ...(maxRegression ? { maxRegression } : {}) },
    { stdout, stderr: new PassThrough() },
  );
  return { code, stdout: text };
}

describe('sim compare: what was not compared', () => {
  it('two runs with no strategy in common are bad input (exit 2), not a passed gate', async () => {
    const base = summaryFile('base', ['seed-design']);
    const other = summaryFile('other', ['naive'], 1);
    await expect(compare(base, other, '10%')).rejects.toThrow(UsageError);
    await expect(compare(base, other, '10%')).rejects.toThrow(/no strategy in common.*baseline: seed-design.*candidate: naive/);
    await expect(compare(base, other)).rejects.toThrow(UsageError);
  });

  it('a baseline strategy missing from the candidate is named on the gate line: the gate did not look at it', async () => {
    const base = summaryFile('two', ['seed-design', 'naive']);
    const one = summaryFile('one', ['seed-design']);
    const r = await compare(base, one, '10%');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gate: no metric worse by more than 10%; not compared: naive (not in the candidate)');
  });
});

describe('sim compare --max-regression', () => {
  it('takes a percentage or a fraction below 1', () => {
    expect(parseRegression('10%')).toBeCloseTo(0.1, 12);
    expect(parseRegression('150%')).toBeCloseTo(1.5, 12);
    expect(parseRegression('0.1')).toBeCloseTo(0.1, 12);
    expect(parseRegression('0')).toBe(0);
  });

  // "--max-regression 10" was the fraction 10, a 1000% gate: a CI job that
  // meant 10% passed a run whose orders had halved (exit 0).
  it('refuses a bare number of 1 or more: 10 could be 10% or 1000%', async () => {
    for (const text of ['10', '1', '2.5']) {
      expect(() => parseRegression(text)).toThrow(UsageError);
      expect(() => parseRegression(text)).toThrow(
        `--max-regression: a bare ${text} is ambiguous: write ${text}% for a percentage, or a fraction below 1 such as 0.1`,
      );
    }
    const base = summaryFile('gate-base', ['s'], 10);
    const halved = summaryFile('gate-halved', ['s'], 5);
    await expect(compare(base, halved, '10')).rejects.toThrow(UsageError);
    expect((await compare(base, halved, '10%')).code).toBe(99);
  });
});
