import { AsyncLocalStorage } from 'node:async_hooks';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * writeFilesAtomic against a kill at every point: the writer's file-system
 * calls stop for good after its k-th one (as if SIGKILLed there), a fresh
 * copy of the module (a new process: its own list of writes in progress)
 * recovers the directory, and the directory must hold exactly the previous
 * set or exactly the new one, with no temporary left.
 */

/** One writer "process": killed after its `killAt`-th call. Recovery runs outside any writer and is never stopped. */
interface Writer {
  killAt: number;
  ops: number;
  killed: boolean;
}
const writerContext = new AsyncLocalStorage<Writer>();
const current = vi.hoisted(() => ({ writer: (): { killAt: number; ops: number; killed: boolean } | undefined => undefined }));
current.writer = () => writerContext.getStore();

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const gate =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const w = current.writer();
      if (w === undefined) return f(...a);
      if (w.killed) return new Promise<R>(() => undefined); // the process is dead: nothing more happens
      const result = await f(...a);
      if (++w.ops >= w.killAt) w.killed = true;
      return result;
    };
  return {
    ...real,
    rename: gate(real.rename),
    rm: gate(real.rm),
    rmdir: gate(real.rmdir),
    mkdir: gate(real.mkdir),
    open: gate(real.open),
  };
});

type Module = typeof import('../../src/report/write-atomic.js');
/** A fresh copy of the module, as a new process would load it. */
async function freshModule(): Promise<Module> {
  vi.resetModules();
  return import('../../src/report/write-atomic.js');
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'flashsim-kill-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = entry.isDirectory() ? '<dir>' : await readFile(path, 'utf8');
  }
  return Object.fromEntries(Object.entries(out).sort());
}

async function oldReport(dir: string): Promise<void> {
  await mkdir(join(dir, 'charts'), { recursive: true });
  await writeFile(join(dir, 'summary.json'), 'old summary');
  await writeFile(join(dir, 'timing.json'), 'old timing');
  await writeFile(join(dir, 'summary.md'), 'old md');
  await writeFile(join(dir, 'charts', 'orders.png'), 'old chart');
  await writeFile(join(dir, 'notes.txt'), 'the user’s, not in the set');
}

const NEW = new Map([
  ['charts/orders.png', 'new chart'],
  ['summary.json', 'new summary'],
  ['summary.md', 'new md'],
  ['timing.json', 'new timing'],
]);

/** Streams a table into the staging directory, as the Parquet writer does. */
const streamTable = async (stagingDir: string): Promise<void> => {
  await mkdir(join(stagingDir, 'tables'));
  await pipeline(Readable.from(['row 1\n', 'row 2\n']), createWriteStream(join(stagingDir, 'tables', 'ledger.parquet')));
};

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 1));
}

describe('writeFilesAtomic killed at every file-system call', () => {
  it.each([
    ['into an existing report', true],
    ['into a new directory', false],
  ])(
    '%s: after recovery, exactly the previous set or exactly the new one',
    async (_label, existing) => {
      const dir = join(root, 'run');
      const before = existing ? (await oldReport(dir), await snapshot(dir)) : undefined;
      // The outcome when nothing is killed.
      const reference = join(root, 'reference');
      if (existing) await oldReport(reference);
      await (await freshModule()).writeFilesAtomic(reference, NEW, { stage: streamTable });
      const after = await snapshot(reference);
      const outcomes = new Set<string>();
      let k = 1;
      for (; k < 200; k++) {
        await rm(dir, { recursive: true, force: true });
        await rm(join(root, 'parent-view'), { recursive: true, force: true });
        if (existing) await oldReport(dir);
        const w: Writer = { killAt: k, ops: 0, killed: false };
        const writer = await freshModule();
        let finished = false;
        void writerContext.run(w, () => writer.writeFilesAtomic(dir, NEW, { stage: streamTable }).then(() => (finished = true)));
        await until(() => w.killed || finished);
        if (finished && !w.killed) break;
        const recovered = await (await freshModule()).recoverLeftovers(dir);
        const state = (await readdir(root)).includes('run') ? await snapshot(dir) : undefined;
        const leftoverSiblings = (await readdir(root)).filter((n) => n.startsWith('.'));
        expect(leftoverSiblings, `kill after call ${k}`).toEqual([]);
        if (state === undefined) {
          expect(existing, `kill after call ${k}: the directory vanished`).toBe(false);
          outcomes.add('none');
        } else if (JSON.stringify(state) === JSON.stringify(after)) outcomes.add('new');
        else {
          expect(state, `kill after call ${k}: neither set`).toEqual(existing ? before : after);
          outcomes.add('old');
        }
        if (recovered) expect(recovered.ignored).toEqual([]);
      }
      expect(k).toBeGreaterThan(5); // the write was killed at each of its calls
      expect(k).toBeLessThan(200);
      expect([...outcomes].sort()).toEqual(existing ? ['new', 'old'] : ['new', 'none']);
    },
    60_000,
  );
});

describe('writeFilesAtomic: extra files by path, leftovers', () => {
  it('files written by the stage callback join the set and are returned', async () => {
    const m = await freshModule();
    const dir = join(root, 'run');
    await oldReport(dir);
    const written = await m.writeFilesAtomic(dir, NEW, { stage: streamTable });
    expect(written).toContain(join(dir, 'tables', 'ledger.parquet'));
    expect(await readFile(join(dir, 'tables', 'ledger.parquet'), 'utf8')).toBe('row 1\nrow 2\n');
    expect((await readdir(dir)).sort()).toEqual(['charts', 'notes.txt', 'summary.json', 'summary.md', 'tables', 'timing.json']);
  });

  it('a stage callback that fails, or writes a hidden name, leaves the previous set as it was', async () => {
    const m = await freshModule();
    const dir = join(root, 'run');
    await oldReport(dir);
    const before = await snapshot(dir);
    await expect(
      m.writeFilesAtomic(dir, NEW, {
        stage: async (d) => {
          await writeFile(join(d, 'half.parquet'), 'x');
          throw new Error('disk full while streaming');
        },
      }),
    ).rejects.toThrow('disk full while streaming');
    expect(await snapshot(dir)).toEqual(before);
    await expect(m.writeFilesAtomic(dir, NEW, { stage: (d) => writeFile(join(d, '.hidden'), 'x') })).rejects.toThrow(/hidden name/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it("another live process's temporaries are left alone and reported; a dead one's are removed", async () => {
    const m = await freshModule();
    const dir = join(root, 'run');
    await oldReport(dir);
    const live = join(dir, `.flashsim-staging.${process.ppid}.0123abcd.tmp`);
    const dead = join(dir, '.summary.json.4194305.89abcdef.tmp'); // above Linux's largest pid
    await mkdir(live);
    await writeFile(dead, 'half');
    const seen: unknown[] = [];
    await m.writeFilesAtomic(dir, NEW, { onLeftovers: (l) => seen.push(l) });
    expect(seen).toEqual([{ dir, finished: [], removed: [dead], ignored: [live] }]);
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([live.slice(dir.length + 1)]);
  });

  it('pendingFile finds the committed copy of a write killed between commit and end', async () => {
    const m = await freshModule();
    const dir = join(root, 'run');
    await oldReport(dir);
    const commit = join(dir, '.flashsim-commit.4194305.89abcdef.tmp');
    await mkdir(commit);
    await writeFile(join(commit, 'summary.json'), 'new summary');
    expect(await m.pendingFile(dir, 'summary.json')).toBe(join(commit, 'summary.json'));
    expect(await m.pendingFile(dir, 'summary.md')).toBeUndefined();
    const found = await m.recoverLeftovers(dir);
    expect(found?.finished).toEqual([join(dir, 'summary.json')]);
    expect(await readFile(join(dir, 'summary.json'), 'utf8')).toBe('new summary');
    expect(await m.pendingFile(dir, 'summary.json')).toBeUndefined();
  });
});
