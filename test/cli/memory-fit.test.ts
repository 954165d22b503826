import { totalmem } from 'node:os';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { fitToMemory, machineMemoryBytes, parseMemory } from '../../src/cli/memory-fit.js';
import type { RunPlan } from '../../src/execute/plan.js';

/** A reader that serves these files and fails (as a missing file does) for any other. */
const files = (contents: Record<string, string>) => (path: string) => {
  if (path in contents) return contents[path];
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
};

describe('machineMemoryBytes', () => {
  it("the machine's memory when no container limit applies", () => {
    expect(machineMemoryBytes(files({}))).toBe(totalmem());
    expect(machineMemoryBytes(files({ '/sys/fs/cgroup/memory.max': 'max\n' }))).toBe(totalmem());
    // cgroup v1 writes "no limit" as a huge number.
    expect(machineMemoryBytes(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n' }))).toBe(totalmem());
  });

  it("a container's lower limit (cgroup v2 or v1)", () => {
    expect(machineMemoryBytes(files({ '/sys/fs/cgroup/memory.max': '2147483648\n' }))).toBe(Math.min(totalmem(), 2147483648));
    expect(machineMemoryBytes(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '1073741824' }))).toBe(
      Math.min(totalmem(), 1073741824),
    );
  });
});

describe('parseMemory (--memory)', () => {
  it('sizes in bytes, decimal or binary units', () => {
    expect(parseMemory(undefined)).toBeUndefined();
    expect(parseMemory('8GiB')).toBe(8 * 2 ** 30);
    expect(parseMemory('512MB')).toBe(512e6);
  });

  it('anything else, and 0, is a usage error quoting what was typed', () => {
    for (const text of ['lots', '0', '-1GiB', '8Gb']) {
      expect(() => parseMemory(text)).toThrow(UsageError);
      expect(() => parseMemory(text)).toThrow(`--memory: expected a size such as 8GiB, 16GB or 512MiB (got ${JSON.stringify(text)})`);
    }
  });
});

describe('fitToMemory', () => {
  /** A plan of `tasks` runs of 500 users (~64 MiB each by the estimate). */
  const planOf = (tasks: number) =>
    ({
      scenario: { name: 'x', file: 'x.yaml' },
      strategies: [],
      tasks: Array.from({ length: tasks }, (_, index) => ({
        index,
        strategy: 's',
        replication: index,
        seed: 1,
        config: { users: { count: 500 } },
      })),
    }) as unknown as RunPlan;

  async function note(tasks: number, workers: number, memory: string): Promise<{ workers: number; stderr: string }> {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const fitted = await fitToMemory([planOf(tasks)], workers, memory, { stdout: new PassThrough(), stderr }, false);
    return { workers: fitted, stderr: text };
  }

  it('says how many runs would have gone at once: no more than the plan has, whatever --workers asked', async () => {
    // 2 runs, 8 workers asked: 2 would go at once, and 200 MiB holds 1.
    expect(await note(2, 8, '200MiB')).toEqual({
      workers: 1,
      stderr: 'flashsim: 1 run at a time instead of 2: a run of 500 users needs about 64 MiB, and the 200 MiB of --memory holds 1\n',
    });
    // 10 runs, 4 workers asked: 4 would go at once.
    expect((await note(10, 4, '300MiB')).stderr).toContain('flashsim: 3 runs at a time instead of 4:');
  });
  it('names a --memory below a mebibyte as given, not as "0 MiB"', async () => {
    // `--memory 10` (10 bytes) said "more than the 0 MiB of --memory": a limit nobody gave.
    await expect(fitToMemory([planOf(1)], 1, '10', { stdout: new PassThrough(), stderr: new PassThrough() }, true)).rejects.toThrow(
      'more than the 10 B of --memory',
    );
    await expect(fitToMemory([planOf(1)], 1, '1kB', { stdout: new PassThrough(), stderr: new PassThrough() }, true)).rejects.toThrow(
      'more than the 1000 B of --memory',
    );
    await expect(fitToMemory([planOf(1)], 1, '600KiB', { stdout: new PassThrough(), stderr: new PassThrough() }, true)).rejects.toThrow(
      'more than the 600 KiB of --memory',
    );
  });
});
