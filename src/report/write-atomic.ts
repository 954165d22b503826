import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Atomic file output. A single file is written to a temporary file in the
 * same directory (same file system, so `rename` is atomic), flushed, then
 * renamed over the target. A set of files (a report directory) is written
 * whole into a temporary staging directory first and only then moved into
 * place, so that a failure while writing (a full disk, a bad name) leaves
 * the previous report exactly as it was, or nothing at all. Temporary names
 * end in {@link TEMP_SUFFIX}; the error paths remove them.
 *
 * Directories are created one level at a time, never with
 * `mkdir({ recursive: true })`: Node's recursive mkdir spins forever on
 * some paths (e.g. under /proc) instead of failing.
 */

/** Suffix of temporary files and directories (also in .gitignore). */
export const TEMP_SUFFIX = '.tmp';

/** The temporary name used for `file`: hidden, unique per process and call. */
export function tempNameFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
}

/** An error whose message names the path and what went wrong, keeping the system error as its cause. */
function fsError(what: string, path: string, cause: unknown): Error {
  const e = cause as NodeJS.ErrnoException;
  const why = e?.code ? `${DESCRIPTIONS[e.code] ?? e.code.toLowerCase()} (${e.code})` : String((cause as Error)?.message ?? cause);
  const error = new Error(`${what} ${path}: ${why}`, { cause });
  (error as NodeJS.ErrnoException).code = e?.code;
  return error;
}

const DESCRIPTIONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'already exists',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'name too long',
  EIO: 'input/output error',
  EBUSY: 'resource busy',
};

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

/**
 * Makes sure `dir` is a directory, creating it and any missing ancestors one
 * level at a time (never recursive mkdir, which can hang). Returns the
 * directories it created, outermost first, so a caller can remove them again.
 *
 * @throws an Error naming the path when something on the way is not a directory or cannot be created.
 */
export async function ensureDirectory(dir: string): Promise<string[]> {
  const path = dir === '' ? '.' : dir;
  if ((await directoryState(path)) === 'directory') return [];
  const parent = dirname(path);
  const created = parent === path ? [] : await ensureDirectory(parent);
  try {
    await mkdir(path);
    created.push(path);
  } catch (error) {
    if (code(error) !== 'EEXIST' || !(await isDirectory(path))) {
      await removeCreated(created);
      throw fsError('cannot create directory', dir, error);
    }
  }
  return created;
}

/**
 * 'directory' or 'missing'.
 *
 * @throws an Error naming `path` when it exists but is not a directory, or cannot be looked at.
 */
async function directoryState(path: string): Promise<'directory' | 'missing'> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (error) {
    if (code(error) === 'ENOENT') return 'missing';
    if (code(error) === 'ENOTDIR' && dirname(path) !== path) await directoryState(dirname(path)); // names the file in the way
    throw fsError('cannot use', path, error);
  }
  if (!isDir) throw Object.assign(new Error(`${path} is not a directory`), { code: 'ENOTDIR' });
  return 'directory';
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Removes directories {@link ensureDirectory} created, innermost first, if they are (still) empty. */
async function removeCreated(created: readonly string[]): Promise<void> {
  for (const dir of [...created].reverse()) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (someone else uses it) or gone: stop, best effort
    }
  }
}

/** Flushes a directory's entries to disk (best effort: not every platform can open a directory). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // EISDIR/EPERM on some platforms: the renames are still atomic, only their durability is the OS's.
  }
}

/** Writes and flushes a new file (`wx`: never follows or reuses an existing name). */
async function writeNewFile(file: string, content: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `content` to `file` atomically (creating the directory if needed; removed again if the write fails). */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const created = await ensureDirectory(dirname(file));
  const temp = tempNameFor(file);
  try {
    try {
      await writeNewFile(temp, content);
    } catch (error) {
      throw fsError('cannot write', file, error);
    }
    try {
      await rename(temp, file);
    } catch (error) {
      throw fsError('cannot replace', file, error);
    }
  } catch (error) {
    await rm(temp, { force: true });
    await removeCreated(created);
    throw error;
  }
}

/**
 * Checks, cheaply and without leaving anything behind, that
 * {@link writeFilesAtomic} could write into `dir`: every existing part of
 * the path is a directory and a directory can be made where the files would
 * be staged. For a pre-flight check before a long computation.
 *
 * @throws an Error naming the path when it cannot.
 */
export async function checkWritableDirectory(dir: string): Promise<void> {
  const existing = (await directoryState(dir)) === 'directory';
  const created = existing ? [] : await ensureDirectory(dirname(dir));
  const probe = existing ? tempNameFor(join(dir, 'write-check')) : tempNameFor(dir);
  try {
    await mkdir(probe);
    await rmdir(probe);
  } catch (error) {
    throw fsError('cannot write in', existing ? dir : dirname(dir), error);
  } finally {
    await removeCreated(created);
  }
}

/**
 * Writes a set of files (name relative to `dir`, `/`-separated → content)
 * into `dir` and returns their paths, in name order.
 *
 * The whole set is first written and flushed into a staging directory with
 * a temporary name. If `dir` does not exist, the staging directory is a
 * sibling of it and is renamed to `dir` (one atomic step). If `dir`
 * exists, the staging directory is made inside it (the same file system)
 * and each top-level entry of the set (a file, or a subdirectory such as
 * charts/ as a whole) is swapped in: the old entry is moved aside, the new
 * one renamed in; the old ones are deleted only once every new one is in
 * place. Entries of `dir` that the set does not name (e.g. summary.json
 * when `sim report` rebuilds the other files in place) are left alone.
 *
 * If anything fails, the entries already swapped in are removed and the old
 * ones put back, every temporary file and directory is removed (and so are
 * directories this call created), and the error is rethrown: a failed write
 * leaves the previous report intact, or nothing at all.
 */
export async function writeFilesAtomic(dir: string, files: ReadonlyMap<string, string | Uint8Array>): Promise<string[]> {
  const names = [...files.keys()].sort();
  for (const name of names) {
    if (name === '' || name.startsWith('/') || name.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`cannot write ${join(dir, name)}: not a plain relative file name`);
    }
  }
  const existing = (await directoryState(dir)) === 'directory';
  const created = existing ? [] : await ensureDirectory(dirname(dir));
  const stage = existing ? tempNameFor(join(dir, 'staging')) : tempNameFor(dir);
  let staged = false;
  try {
    try {
      await mkdir(stage);
      staged = true;
    } catch (error) {
      throw fsError('cannot write in', existing ? dir : dirname(dir), error);
    }
    await stageFiles(stage, dir, names, files);
    if (existing) await swapEntries(dir, stage, topLevel(names));
    else {
      try {
        await rename(stage, dir);
      } catch (error) {
        throw fsError('cannot create', dir, error);
      }
      staged = false;
      await syncDirectory(dirname(dir));
    }
  } catch (error) {
    if (staged) await rm(stage, { recursive: true, force: true });
    await removeCreated(created);
    throw error;
  }
  return names.map((name) => join(dir, name));
}

/** The first path component of each name, deduplicated, in order. */
function topLevel(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.split('/')[0]))];
}

/** Writes every file under `stage` (subdirectories made as needed) and flushes them and the directories. */
async function stageFiles(
  stage: string,
  dir: string,
  names: readonly string[],
  files: ReadonlyMap<string, string | Uint8Array>,
): Promise<void> {
  const dirs = new Set<string>([stage]);
  for (const name of names) {
    const parts = name.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const sub = join(stage, ...parts.slice(0, depth));
      if (dirs.has(sub)) continue;
      try {
        await mkdir(sub);
      } catch (error) {
        throw fsError('cannot create directory', join(dir, ...parts.slice(0, depth)), error);
      }
      dirs.add(sub);
    }
    try {
      await writeNewFile(join(stage, name), files.get(name)!);
    } catch (error) {
      throw fsError('cannot write', join(dir, name), error);
    }
  }
  for (const d of [...dirs].reverse()) await syncDirectory(d);
}

/**
 * Moves each entry `names` of `stage` into `dir`, the old entry of that name
 * (if any) first aside into a backup directory; deletes the backups once all
 * are in place. On failure undoes what it did (new entries removed, old ones
 * put back) and rethrows; if an old entry cannot be put back it is left in
 * the backup directory, which the error then names.
 */
async function swapEntries(dir: string, stage: string, names: readonly string[]): Promise<void> {
  const backup = tempNameFor(join(dir, 'previous'));
  try {
    await mkdir(backup);
  } catch (error) {
    throw fsError('cannot write in', dir, error);
  }
  const done: Array<{ name: string; movedOld: boolean; placedNew: boolean }> = [];
  try {
    for (const name of names) {
      const step = { name, movedOld: false, placedNew: false };
      done.push(step);
      const target = join(dir, name);
      if (await pathExists(target)) {
        try {
          await rename(target, join(backup, name));
        } catch (error) {
          throw fsError('cannot replace', target, error);
        }
        step.movedOld = true;
      }
      try {
        await rename(join(stage, name), target);
      } catch (error) {
        throw fsError('cannot write', target, error);
      }
      step.placedNew = true;
    }
  } catch (error) {
    let lost = false;
    for (const step of done.reverse()) {
      const target = join(dir, step.name);
      try {
        if (step.placedNew) await rm(target, { recursive: true, force: true });
        if (step.movedOld) await rename(join(backup, step.name), target);
      } catch {
        lost = true;
      }
    }
    if (lost) {
      throw new Error(`${(error as Error).message}; some previous files could not be put back and are in ${backup}`, { cause: error });
    }
    await rm(backup, { recursive: true, force: true });
    throw error;
  }
  await syncDirectory(dir);
  // Everything new is in place: the old entries can go, and so can the (now empty) staging directory.
  await rm(backup, { recursive: true, force: true });
  await rm(stage, { recursive: true, force: true });
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (code(error) === 'ENOENT') return false;
    throw error;
  }
}
