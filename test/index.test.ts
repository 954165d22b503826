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
