import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { samplerOf } from '../../../src/kernel/distributions.js';
import { RandomSource } from '../../../src/kernel/random.js';
import { pngSize } from '../../helpers/png-size.js';

const work = mkdtempSync(join(tmpdir(), 'flashsim-fit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The CLI in this process: exit code and what it wrote. */
async function sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

/** A CSV of 1,000 draws of lognormal(14.2ms, 0.38), in ms, header latency_ms. */
function lognormalCsv(): string {
  const sampler = samplerOf({ kind: 'lognormal', median: 14_200, sigma: 0.38 });
  const stream = new RandomSource(11, 0).stream('fit-cli-test');
  const rows = Array.from({ length: 1000 }, (_, i) => `${i},${(sampler(stream.uniform(0, i)) / 1000).toFixed(3)}`);
  const file = join(work, 'latencies.csv');
  writeFileSync(file, ['request,latency_ms', ...rows].join('\n'));
  return file;
}

describe('sim fit', () => {
  const csv = lognormalCsv();

  it('prints the ranked table and the best fit as a scenario value; --out writes fit.json and the two charts', async () => {
    const out = join(work, 'out');
    const r = await sim(['fit', csv, '--column', 'latency_ms', '--bootstrap', '30', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ +1 +lognormal\(14\.\dms, 0\.3\d+\)/m);
    const line = /^service: '(.*)'$/m.exec(r.stdout);
    expect(line?.[1]).toMatch(/^lognormal\(/);
    expect(readdirSync(out).sort()).toEqual(['fit-cdf.png', 'fit-qq.png', 'fit.json']);
    const json = JSON.parse(readFileSync(join(out, 'fit.json'), 'utf8'));
    expect(json.best.line).toBe(`service: '${line![1]}'`);
    expect(json.summary.n).toBe(1000);
    for (const png of ['fit-cdf.png', 'fit-qq.png']) expect(pngSize(readFileSync(join(out, png)))).toEqual({ width: 1000, height: 560 });
    // --json prints the same fit.json (same seed, same p-values).
    const j = await sim(['fit', csv, '--column', 'latency_ms', '--bootstrap', '30', '--json']);
    expect(j.code).toBe(0);
    expect(j.stdout).toBe(readFileSync(join(out, 'fit.json'), 'utf8'));
  });

  it('refuses unusable input with exit 2 and FILE:LINE, without a stack', async () => {
    const bad = join(work, 'bad.txt');
    writeFileSync(bad, [...Array.from({ length: 30 }, (_, i) => `${i + 1}ms`), 'slow', '3ms'].join('\n'));
    expect(await sim(['fit', bad])).toEqual({
      code: 2,
      stdout: '',
      stderr: `flashsim: ${bad}:31: not a latency: "slow" (expected a number with a unit such as 12.5ms, 250us or 1.2s)\n`,
    });
    expect((await sim(['fit', csv])).stderr).toBe(
      `flashsim: ${csv}:1: 2 columns ("request", "latency_ms"): choose one with --column NAME\n`,
    );
    expect((await sim(['fit', join(work, 'missing.csv')])).stderr).toBe(`flashsim: ${join(work, 'missing.csv')}: no such file\n`);
    expect((await sim(['fit', work])).stderr).toBe(`flashsim: ${work}: is a directory, not a samples file\n`);
    expect((await sim(['fit', csv, '--format', 'xml'])).stderr).toBe(
      'flashsim: --format: expected one of csv, lines, k6, hdr (got "xml")\n',
    );
    expect((await sim(['fit', csv, '--column', 'latency_ms', '--bootstrap', '-1'])).code).toBe(2);
    expect((await sim(['fit', csv, '--column', 'latency_ms', '--bootstrap', '9999'])).stderr).toBe(
      'flashsim: --bootstrap: expected a whole number from 0 to 2000 (got 9999)\n',
    );
  });

  it('refuses a file beyond 64 MiB without reading it to the end (/dev/zero)', async () => {
    const r = await sim(['fit', '/dev/zero']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'flashsim: /dev/zero: the file is larger than that; sim fit reads at most 64.0 MiB (take a random subset of the samples)\n',
    });
  });

  it('an unwritable --out fails before the fit, and writes nothing', async () => {
    const blocker = join(work, 'file');
    writeFileSync(blocker, 'x');
    const r = await sim(['fit', csv, '--column', 'latency_ms', '--out', join(blocker, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(existsSync(join(blocker, 'out'))).toBe(false);
  });

  it("the README's example is what it prints", async () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const block =
      /```console\n\$ \.\/flashsim fit (docs\/examples\/latencies\.csv --column latency_ms) --out fit\/\n([\s\S]*?)wrote fit\/ .*\n```/.exec(
        readme,
      );
    expect(block, 'the sim fit example in README.md').not.toBeNull();
    const r = await sim(['fit', ...block![1].split(' ')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(block![2]);
  });

  it('--help lists the options', async () => {
    const r = await sim(['fit', '--help']);
    expect(r.code).toBe(0);
    for (const option of ['--format', '--column', '--unit', '--metric', '--bootstrap', '--seed', '--out', '--json'])
      expect(r.stdout).toContain(option);
  });
});
