import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metricTableMarkdown } from '../../src/report/compare.js';
import { METRIC_NAMES } from '../../src/metrics/catalogue.js';
import { INVARIANTS } from '../../src/scenario/schema.js';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveStrategies } from '../../src/scenario/strategies.js';

const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

describe('README.md', () => {
  it('names every metric of the catalogue', () => {
    for (const name of METRIC_NAMES) expect(README, name).toContain(`\`${name}\``);
  });

  it('holds the metric table exactly as generated from METRIC_CATALOGUE (regenerate: metricTableMarkdown())', () => {
    const m = /<!-- metrics:start[^>]*-->\n([\s\S]*?)\n<!-- metrics:end -->/.exec(README);
    expect(m, 'metrics markers').not.toBeNull();
    expect(m![1]).toBe(metricTableMarkdown());
  });

  it('names every invariant and exit code', () => {
    for (const name of INVARIANTS) expect(README).toContain(`\`${name}\``);
    for (const code of [0, 1, 2, 99, 70]) expect(README).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('keeps the section the lead fills in', () => {
    expect(README).toContain('## How the model works');
  });
});

describe('README.md scenario examples', () => {
  it('every yaml block is a valid scenario, with all its strategies resolving', () => {
    const blocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'flashsim-readme-'));
    try {
      blocks.forEach((yaml, i) => {
        const file = join(dir, `example-${i}.yaml`);
        writeFileSync(file, yaml);
        const loaded = loadScenario(file);
        expect(resolveStrategies(loaded, {}).length).toBeGreaterThan(0);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
