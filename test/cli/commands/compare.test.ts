import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../../../src/cli/commands/compare.js';
import { UsageError } from '../../../src/errors.js';
import { renderSummaryJson } from '../../../src/report/summary-json.js';
import { makeResult, makeStrategy, makeSummary } from '../../report/make-result.js';

/** `sim compare` as a function: what it prints and the exit code it returns. */

const work = mkdtempSync(join(tmpdir(), 'flashsim-compare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function summaryFile(name: string, strategies: string[], orders = 10): string {
  const file = join(work, `${name}.json`);
  writeFileSync(file, renderSummaryJson(makeSummary(strategies.map((s) => makeStrategy({ name: s, results: [makeResult({ strategy: s, orders })] })))));
  return file;
}

async function compare(baseline: string, candidate: string, maxRegression?: string): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await compareCommand({ baseline, candidate, markdown: false, ...(maxRegression ? { maxRegression } : {}) }, { stdout, stderr: new PassThrough() });
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
