import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkWritableDirectory, ensureDirectory, TEMP_SUFFIX, writeFileAtomic, writeFilesAtomic } from '../../src/report/write-atomic.js';

/**
 * writeFilesAtomic's promise: a failed write leaves the previous report
 * exactly as it was, or nothing at all, and no temporary file. Failures are
 * injected by making the nth fs `rename` (or file write) fail.
 */

const faults = vi.hoisted(() => ({ renameFailsAt: 0, renames: 0, writeFailsOn: '' }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  return {
    ...real,
    rename: async (from: string, to: string) => {
      faults.renames++;
      if (faults.renameFailsAt > 0 && faults.renames === faults.renameFailsAt) throw enospc();
      return real.rename(from, to);
    },
    open: async (path: string, flags?: string) => {
      const handle = await real.open(path, flags);
      if (faults.writeFailsOn && String(path).includes(faults.writeFailsOn)) {
        return Object.assign(Object.create(Object.getPrototypeOf(handle) as object) as object, handle, {
          writeFile: () => Promise.reject(enospc()),
          sync: () => handle.sync(),
          close: () => handle.close(),
        });
      }
      return handle;
    },
  };
});

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'flashsim-write-atomic-'));
  Object.assign(faults, { renameFailsAt: 0, renames: 0, writeFailsOn: '' });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every file under `dir` with its content, sorted (temporary files included, so that leftovers show). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = entry.isDirectory() ? '<dir>' : await readFile(path, 'utf8');
  }
  return Object.fromEntries(Object.entries(out).sort());
}

const NEW = new Map([
  ['charts/orders.png', 'new chart'],
  ['junit.xml', 'new junit'],
  ['summary.md', 'new md'],
]);

async function oldReport(): Promise<string> {
  const dir = join(root, 'run');
  await mkdir(join(dir, 'charts'), { recursive: true });
  await writeFile(join(dir, 'summary.json'), 'old summary');
  await writeFile(join(dir, 'summary.md'), 'old md');
  await writeFile(join(dir, 'junit.xml'), 'old junit');
  await writeFile(join(dir, 'charts', 'orders.png'), 'old chart');
  await writeFile(join(dir, 'charts', 'stale.png'), 'old stale');
  return dir;
}

describe('writeFilesAtomic', () => {
  it('into a new directory: writes the set (parents created), returns the paths, leaves no temporary name', async () => {
    const dir = join(root, 'a', 'b', 'run');
    const written = await writeFilesAtomic(dir, NEW);
    expect(written).toEqual(['charts/orders.png', 'junit.xml', 'summary.md'].map((n) => join(dir, n)));
    expect(await snapshot(join(root, 'a'))).toEqual({
      b: '<dir>',
      'b/run': '<dir>',
      'b/run/charts': '<dir>',
      'b/run/charts/orders.png': 'new chart',
      'b/run/junit.xml': 'new junit',
      'b/run/summary.md': 'new md',
    });
  });

  it('into an existing report: replaces the named entries (charts/ as a whole), keeps the others', async () => {
    const dir = await oldReport();
    await writeFilesAtomic(dir, NEW);
    expect(await snapshot(dir)).toEqual({
      charts: '<dir>',
      'charts/orders.png': 'new chart',
      'junit.xml': 'new junit',
      'summary.json': 'old summary',
      'summary.md': 'new md',
    });
  });

  it('a write failing mid-set (ENOSPC) leaves an existing report exactly as it was', async () => {
    const dir = await oldReport();
    const before = await snapshot(dir);
    faults.writeFailsOn = 'summary.md';
    await expect(writeFilesAtomic(dir, NEW)).rejects.toThrow(/^cannot write .*summary\.md: no space left on device \(ENOSPC\)$/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('a bad name mid-set leaves an existing report as it was (no new file of the set remains)', async () => {
    const dir = await oldReport();
    const before = await snapshot(dir);
    // 'junit.xml/x' cannot be created because junit.xml is a file written just before.
    await expect(writeFilesAtomic(dir, new Map([...NEW, ['junit.xml/x', 'X']]))).rejects.toThrow(/junit\.xml/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it.each([1, 2, 3, 4, 5, 6])('a rename failing while swapping in (rename #%i) puts the old report back', async (n) => {
    const dir = await oldReport();
    const before = await snapshot(dir);
    faults.renameFailsAt = n;
    await expect(writeFilesAtomic(dir, NEW)).rejects.toThrow(/ENOSPC/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('a failure writing into a new directory leaves nothing: no directory, no charts/, no temporary sibling', async () => {
    faults.writeFailsOn = 'summary.md';
    await expect(writeFilesAtomic(join(root, 'new', 'run'), NEW)).rejects.toThrow(/ENOSPC/);
    expect(await readdir(root)).toEqual([]);
    faults.writeFailsOn = '';
    faults.renameFailsAt = 1; // the final rename of the staging directory
    await mkdir(join(root, 'parent'));
    await expect(writeFilesAtomic(join(root, 'parent', 'run'), NEW)).rejects.toThrow(/ENOSPC/);
    expect(await readdir(root)).toEqual(['parent']);
    expect(await readdir(join(root, 'parent'))).toEqual([]);
  });

  it('a path through a regular file fails with a message naming it', async () => {
    await writeFile(join(root, 'afile'), 'x');
    await expect(writeFilesAtomic(join(root, 'afile', 'run'), NEW)).rejects.toThrow(`${join(root, 'afile')} is not a directory`);
    await expect(writeFilesAtomic(join(root, 'afile'), NEW)).rejects.toThrow(`${join(root, 'afile')} is not a directory`);
    expect(await snapshot(root)).toEqual({ afile: 'x' });
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file; a failed write keeps the old one and leaves no temporary file', async () => {
    const file = join(root, 'x.png');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    faults.writeFailsOn = `x.png.`;
    await expect(writeFileAtomic(file, 'three')).rejects.toThrow(/^cannot write .*x\.png: no space left on device \(ENOSPC\)$/);
    expect(await snapshot(root)).toEqual({ 'x.png': 'two' });
  });

  it('creates missing directories, and removes them again when the write fails', async () => {
    faults.writeFailsOn = `x.png.`;
    await expect(writeFileAtomic(join(root, 'a', 'b', 'x.png'), 'one')).rejects.toThrow(/ENOSPC/);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('ensureDirectory and checkWritableDirectory', () => {
  it('make directories one level at a time and return the ones made', async () => {
    expect(await ensureDirectory(join(root, 'a', 'b'))).toEqual([join(root, 'a'), join(root, 'a', 'b')]);
    expect(await ensureDirectory(join(root, 'a', 'b'))).toEqual([]);
  });

  it.runIf(existsSync('/proc/self'))(
    'fail under /proc instead of hanging (recursive mkdir spins there)',
    async () => {
      await expect(ensureDirectory('/proc/flashsim-nope/x')).rejects.toThrow(
        /^cannot create directory \/proc\/flashsim-nope: no such file or directory \(ENOENT\)$/,
      );
      await expect(checkWritableDirectory('/proc/flashsim-nope/x')).rejects.toThrow(/\/proc\/flashsim-nope/);
      await expect(writeFileAtomic('/proc/flashsim-nope/x.png', 'x')).rejects.toThrow(/\/proc\/flashsim-nope/);
    },
    5000,
  );

  it('checkWritableDirectory refuses a regular file, a path under one and /dev/null, and leaves nothing behind', async () => {
    await writeFile(join(root, 'afile'), 'x');
    await expect(checkWritableDirectory(join(root, 'afile'))).rejects.toThrow(`${join(root, 'afile')} is not a directory`);
    await expect(checkWritableDirectory(join(root, 'afile', 'deeper', 'run'))).rejects.toThrow(`${join(root, 'afile')} is not a directory`);
    if (existsSync('/dev/null')) await expect(checkWritableDirectory('/dev/null')).rejects.toThrow('/dev/null is not a directory');
    await checkWritableDirectory(join(root, 'new', 'deeper', 'run'));
    await checkWritableDirectory(root);
    expect(await snapshot(root)).toEqual({ afile: 'x' });
    expect((await readdir(root)).filter((n) => n.endsWith(TEMP_SUFFIX))).toEqual([]);
  });
});

describe('atomic writes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flashsim-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the files and leaves no temporary file behind', async () => {
    await writeFilesAtomic(
      join(dir, 'run'),
      new Map([
        ['a.txt', 'A'],
        ['b.txt', 'B'],
      ]),
    );
    expect((await readdir(join(dir, 'run'))).sort()).toEqual(['a.txt', 'b.txt']);
    await writeFileAtomic(join(dir, 'run', 'a.txt'), 'A2');
    expect(await readFile(join(dir, 'run', 'a.txt'), 'utf8')).toBe('A2');
    expect((await readdir(join(dir, 'run'))).sort()).toEqual(['a.txt', 'b.txt']);
  });

  it('on failure removes what it wrote and its temporary files', async () => {
    const target = join(dir, 'run');
    // 'b.txt/x' cannot be created because b.txt is a file written just before.
    await expect(
      writeFilesAtomic(
        target,
        new Map([
          ['a.txt', 'A'],
          ['b.txt', 'B'],
          ['b.txt/x', 'X'],
        ]),
      ),
    ).rejects.toThrow();
    await expect(readdir(target)).rejects.toThrow(); // the directory it created is gone
  });

  it('keeps the old file intact when a write fails', async () => {
    if (process.getuid?.() === 0) return; // root ignores permissions
    await writeFile(join(dir, 'keep.txt'), 'old');
    await chmod(dir, 0o555);
    try {
      await expect(writeFileAtomic(join(dir, 'keep.txt'), 'new')).rejects.toThrow();
    } finally {
      await chmod(dir, 0o755);
    }
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['keep.txt']);
  });
});

// Keep the real module reachable for the type checker (the mock spreads it).
void fs;
