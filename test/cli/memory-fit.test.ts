import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { machineMemoryBytes, parseMemory } from '../../src/cli/memory-fit.js';

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
    expect(machineMemoryBytes(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '1073741824' }))).toBe(Math.min(totalmem(), 1073741824));
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
