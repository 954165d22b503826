import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveStrategies } from '../../src/scenario/strategies.js';

const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));

describe('every file in scenarios/', () => {
  test('the expected scenarios are there', () => {
    expect(files.sort()).toEqual(
      [
        'bots',
        'capacity-plan',
        'cdn-stampede',
        'flash-sale',
        'isolation',
        'order-admission',
        'smoke',
        'stock-buffers',
        'stock-primitives',
        'undersell',
        'unpaid',
      ].map((n) => `${n}.yaml`),
    );
  });

  test.each(files)('%s validates, and every strategy resolves', (file) => {
    const loaded = loadScenario(`scenarios/${file}`);
    expect(loaded.scenario.name).toBe(file.replace(/\.yaml$/, ''));
    const plans = resolveStrategies(loaded);
    expect(plans.length).toBeGreaterThanOrEqual(2);
  });

  test.each(files)('%s starts with a comment saying what it shows and what to look at', (file) => {
    const text = readFileSync(`scenarios/${file}`, 'utf8');
    const header = text.slice(0, text.search(/^[^#\n]/m));
    expect(header).toMatch(/^# /);
    expect(header.toLowerCase()).toContain('what it shows');
    expect(header.toLowerCase()).toContain('what to look at');
  });

  test('sizes: smoke is small, flash-sale and capacity-plan have 1M users, focused ones 20k-200k', () => {
    for (const file of files) {
      const { scenario } = loadScenario(`scenarios/${file}`);
      const count = scenario.users.count;
      if (file === 'smoke.yaml') expect(count).toBeLessThanOrEqual(5_000);
      else if (file === 'flash-sale.yaml' || file === 'capacity-plan.yaml') expect(count).toBe(1_000_000);
      else expect(count >= 20_000 && count <= 200_000, `${file}: ${count} users`).toBe(true);
    }
  });

  test('smoke has seed-design and naive; flash-sale has seed-design, naive and 2-5 variants', () => {
    const smoke = loadScenario('scenarios/smoke.yaml').scenario;
    expect(Object.keys(smoke.strategies)).toEqual(['seed-design', 'naive']);
    const flash = Object.keys(loadScenario('scenarios/flash-sale.yaml').scenario.strategies);
    expect(flash.slice(0, 2)).toEqual(['seed-design', 'naive']);
    expect(flash.length - 2).toBeGreaterThanOrEqual(2);
    expect(flash.length - 2).toBeLessThanOrEqual(5);
  });
});
