import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { MAX_SAMPLE_FILE_BYTES } from './read.js';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * A samples file's text, read up to {@link MAX_SAMPLE_FILE_BYTES}: at most
 * one byte more is read, so that a larger file, a pipe or /dev/zero is
 * refused without being read to its end.
 *
 * @throws {UsageError} naming the file: missing, unreadable, a directory, too large.
 */
export function readSampleFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`,
    );
  }
  try {
    const buffer = Buffer.alloc(Math.min(MAX_SAMPLE_FILE_BYTES + 1, sizeHint(file) + 1 || MAX_SAMPLE_FILE_BYTES + 1));
    let length = 0;
    let grown = buffer;
    for (let n = 1; n > 0 && length <= MAX_SAMPLE_FILE_BYTES; length += n) {
      if (length === grown.length) {
        const bigger = Buffer.alloc(Math.min(MAX_SAMPLE_FILE_BYTES + 1, grown.length * 2));
        grown.copy(bigger);
        grown = bigger;
      }
      n = readSync(fd, grown, length, grown.length - length, null);
    }
    if (length > MAX_SAMPLE_FILE_BYTES) {
      const size = sizeHint(file);
      const what = size > MAX_SAMPLE_FILE_BYTES ? `the file is ${mib(size)}` : 'the file is larger than that';
      throw new UsageError(`${file}: ${what}; sim fit reads at most ${mib(MAX_SAMPLE_FILE_BYTES)} (take a random subset of the samples)`);
    }
    return grown.toString('utf8', 0, length);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'EISDIR' ? 'is a directory, not a samples file' : (error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The size of a regular file (0 for a device or a pipe, whose size is unknown). */
function sizeHint(file: string): number {
  try {
    const stats = statSync(file);
    return stats.isFile() ? stats.size : 0;
  } catch {
    return 0;
  }
}
