import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Atomic file output: every file is written to a temporary file in the same
 * directory (same file system, so `rename` is atomic), flushed, then renamed
 * over the target. A reader sees either the old file or the whole new one;
 * a crash or an error leaves at most a `*.tmp` file, which the error path
 * removes.
 */

/** Suffix of temporary files (also in .gitignore). */
export const TEMP_SUFFIX = '.tmp';

/** The temporary name used for `file`: hidden, unique per process and call. */
export function tempNameFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
}

/** Writes `content` to `file` atomically (creating the directory if needed). */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = tempNameFor(file);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes a set of files (name relative to `dir` → content) into `dir`,
 * each atomically, in name order. If one fails, the files this call already
 * renamed into place are removed again (so a failed write leaves no partial
 * set of new outputs), then the error is rethrown. Files of an earlier
 * write that this call did not replace are left alone.
 */
export async function writeFilesAtomic(dir: string, files: ReadonlyMap<string, string | Uint8Array>): Promise<string[]> {
  const written: string[] = [];
  const dirExisted = await exists(dir);
  try {
    for (const name of [...files.keys()].sort()) {
      const target = join(dir, name);
      await writeFileAtomic(target, files.get(name)!);
      written.push(target);
    }
    return written;
  } catch (error) {
    for (const file of written) await rm(file, { force: true });
    if (!dirExisted) await removeIfEmpty(dir);
    throw error;
  }
}

async function exists(dir: string): Promise<boolean> {
  try {
    await readdir(dir);
    return true;
  } catch {
    return false;
  }
}

async function removeIfEmpty(dir: string): Promise<void> {
  try {
    if ((await readdir(dir)).length === 0) await rm(dir, { recursive: true });
  } catch {
    // best effort
  }
}
