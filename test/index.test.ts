import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './cli/build.js';

describe('the package entry point', () => {
  it("runs the README's programmatic-use snippet as written, importing 'flashsim' from inside the repository", () => {
    ensureBuilt();
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Programmatic use'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet).toContain("from 'flashsim'");
    const out = mkdtempSync(join(tmpdir(), 'flashsim-snippet-'));
    // Self-reference resolves from files inside the package: the script sits in dist/.
    const script = join(ROOT, 'dist', `.readme-snippet-${process.pid}.mjs`);
    try {
      writeFileSync(script, snippet!.replace("'out/smoke'", JSON.stringify(join(out, 'smoke'))));
      const r = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^0 \d+\n$/);
      expect(existsSync(join(out, 'smoke', 'summary.json'))).toBe(true);
    } finally {
      rmSync(script, { force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('the public API', () => {
  it('is the curated list of docs/architecture.md, nothing more', async () => {
    const api = await import('../src/index.js');
    expect(Object.keys(api).sort()).toEqual(
      [
        'FlashsimError',
        'InternalError',
        'METRIC_CATALOGUE',
        'ScenarioError',
        'UsageError',
        'compareSummaries',
        'executeRun',
        'executeSweep',
        'fitDistributions',
        'fitSamples',
        'formatSpec',
        'parseSummaryJson',
        'prepareRun',
        'prepareSweep',
        'readSummary',
        'renderCompareMarkdown',
        'renderCompareText',
        'renderConsoleSummary',
        'renderRunFiles',
        'runScenario',
        'scenarioJsonSchema',
        'validateScenario',
        'writeRunDirectory',
      ].sort(),
    );
  });

  it("offers the discrete-event kernel alone as 'flashsim/kernel'", () => {
    ensureBuilt();
    const script = join(ROOT, 'dist', `.kernel-subpath-${process.pid}.mjs`);
    try {
      writeFileSync(
        script,
        "import { Simulation } from 'flashsim/kernel';\n" +
          'const sim = new Simulation(16);\nlet fired = 0;\nconst kind = sim.register("tick", () => fired++);\n' +
          'sim.scheduleAt(5, kind);\nsim.run({});\nconsole.log(fired, sim.now);\n',
      );
      const r = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('1 5\n');
    } finally {
      rmSync(script, { force: true });
    }
  });
});
