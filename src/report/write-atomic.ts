import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';

/**
 * Atomic file output. A single file is written to a temporary file in the
 * same directory (same file system, so `rename` is atomic), flushed, then
 * renamed over the target. A set of files (a report directory) is written
 * whole into a staging directory first and then switched in as one set
 * (see {@link writeFilesAtomic}), so that a failure while writing (a full
 * disk, a bad name) leaves the previous report exactly as it was, or
 * nothing at all, and a process killed at any point (SIGKILL) leaves either
 * the previous set or the new one, once the next write into the directory
 * has recovered it ({@link recoverLeftovers}). Temporary names are hidden
 * and end in `.<pid>.<8 hex>` + {@link TEMP_SUFFIX}; the error paths remove
 * them, and the next write removes a killed process's.
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

/** Where {@link writeFilesAtomic} has got to, for {@link WriteSetOptions.pause}. */
export type WritePhase = 'staged' | 'committed';

/**
 * What a write found of earlier writes into the same directory that were
 * killed (SIGKILL, a power cut: nothing can catch those), and what it did.
 */
export interface Leftovers {
  /** The directory looked at. */
  dir: string;
  /** Entries of a committed set that a killed write had not all moved into place: moved now, so that set is whole. */
  finished: string[];
  /** Temporary files and directories of killed writes, removed (paths). */
  removed: string[];
  /** Temporary names of a process that is still running (another write in progress), left alone (paths). */
  ignored: string[];
}

/** Options of {@link writeFilesAtomic}. */
export interface WriteSetOptions {
  /**
   * Writes further files of the set into the staging directory, by path:
   * large or binary files written as streams (Parquet tables) join the set
   * this way instead of being held in memory. Called once, after the
   * in-memory files are staged, with the staging directory's path.
   *
   * The contract: create files and subdirectories only inside `stagingDir`
   * (not the in-memory names), finish every write (streams closed) before
   * the promise resolves, and keep no handle open afterwards. Every entry
   * found under `stagingDir` then is part of the set: flushed to disk,
   * switched in with the rest, returned among the paths. Top-level names
   * must not start with "." (hidden names are the writer's temporaries). If
   * the callback throws, nothing is switched in and the error is rethrown.
   */
  stage?: (stagingDir: string) => Promise<void>;
  /** Told when leftovers of killed writes were found (and finished or removed) before this write. */
  onLeftovers?: (leftovers: Leftovers) => void;
  /** Test hook: awaited once the set is staged, and once it is committed (not yet all in place). */
  pause?: (phase: WritePhase) => Promise<void>;
}

/** A temporary name of this module: `.<label>.<pid>.<8 hex>.tmp`. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.([0-9a-f]{8})\.tmp$/;

/** Labels of the set's staging, committed and backup directories inside an existing directory. */
const STAGING = 'flashsim-staging';
const COMMIT = 'flashsim-commit';
const PREVIOUS = 'flashsim-previous';

/** Temporary paths of writes in progress in this process (a pid check cannot tell them from a dead process's). */
const active = new Set<string>();

/** Whether a process with this pid exists (EPERM: it does, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return code(error) === 'EPERM';
  }
}

async function entriesOf(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return []; // unreadable or gone: nothing of ours to recover there
  }
}

/**
 * Recovers `dir` from writes that were killed: finishes a set that was
 * committed but not all moved into place (so the directory holds that set
 * whole), and removes the temporaries of dead processes, in `dir` and its
 * sibling staging directories (`.<name>.<pid>.<hex>.tmp` next to it, left
 * when a new directory was being made). Temporaries of live processes are
 * left alone and listed. {@link writeFilesAtomic} calls this first; a
 * reader may call it too.
 *
 * @returns what was found, or undefined when there was nothing.
 * @throws an Error naming the path when a committed set cannot be finished.
 */
export async function recoverLeftovers(dir: string): Promise<Leftovers | undefined> {
  const found: Leftovers = { dir, finished: [], removed: [], ignored: [] };
  const live = (path: string, pid: number): boolean => active.has(path) || (pid !== process.pid && alive(pid));
  const groups = new Map<string, Array<{ name: string; label: string }>>();
  for (const name of await entriesOf(dir)) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    if (live(path, Number(m[2]))) {
      found.ignored.push(path);
      continue;
    }
    const id = `${m[2]}.${m[3]}`;
    if (!groups.has(id)) groups.set(id, []);
    groups.get(id)!.push({ name, label: m[1] });
  }
  for (const [id, group] of groups) {
    if (group.some((e) => e.label === COMMIT)) {
      // Committed: the new set is whole in the commit directory and in place; finish moving it.
      const commit = join(dir, `.${COMMIT}.${id}${TEMP_SUFFIX}`);
      found.finished.push(...(await moveAllIn(dir, commit, join(dir, `.${PREVIOUS}.${id}${TEMP_SUFFIX}`))));
      await rmdir(commit).catch(() => undefined);
    }
    for (const e of group) {
      const path = join(dir, e.name);
      if (e.label === COMMIT && !(await pathExists(path))) continue;
      await rm(path, { recursive: true, force: true });
      found.removed.push(path);
    }
  }
  const prefix = `.${basename(dir)}.`;
  for (const name of await entriesOf(dirname(dir))) {
    const m = TEMP_NAME.exec(name);
    if (!m || !name.startsWith(prefix) || `.${m[1]}.` !== prefix) continue;
    const path = join(dirname(dir), name);
    if (live(path, Number(m[2]))) found.ignored.push(path);
    else {
      await rm(path, { recursive: true, force: true });
      found.removed.push(path);
    }
  }
  return found.finished.length + found.removed.length + found.ignored.length > 0 ? found : undefined;
}

/**
 * The committed but not yet placed copy of `name` in `dir`, if a write into
 * `dir` is between its commit and its end (in progress, or killed there):
 * that copy, not `dir/name`, belongs to the directory's current set.
 */
export async function pendingFile(dir: string, name: string): Promise<string | undefined> {
  for (const entry of await entriesOf(dir)) {
    const m = TEMP_NAME.exec(entry);
    if (m?.[1] !== COMMIT) continue;
    const path = join(dir, entry, name);
    if (await pathExists(path)) return path;
  }
  return undefined;
}

/**
 * Writes a set of files into `dir` and returns their paths, in name order:
 * `files` (name relative to `dir`, `/`-separated → content) and whatever
 * {@link WriteSetOptions.stage} writes. The set replaces the entries of the
 * same names as one set, or not at all, even if the process is killed.
 *
 * The whole set is first written and flushed into a staging directory with
 * a temporary name. If `dir` does not exist, the staging directory is a
 * sibling of it and is renamed to `dir`: one atomic step. If `dir` exists,
 * the staging directory is made inside it (the same file system) and the
 * set is committed by renaming it to a commit name (one atomic step); then
 * each top-level entry (a file, or a subdirectory such as charts/ as a
 * whole) is moved in, the old entry of that name first moved aside into a
 * backup directory, deleted once every new entry is in place. A write killed
 * before the commit leaves only temporaries, which the next write removes
 * (the previous set is untouched); one killed after it leaves the commit
 * directory, from which the next write finishes moving the set in (see
 * {@link recoverLeftovers}). Entries of `dir` that the set does not name
 * (e.g. summary.json when `sim report` rebuilds the other files in place)
 * are left alone.
 *
 * If anything fails in this process, the entries already moved in are taken
 * back and the old ones put back, every temporary is removed (and so are
 * directories this call created), and the error is rethrown: a failed write
 * leaves the previous report intact, or nothing at all.
 */
export async function writeFilesAtomic(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  options: WriteSetOptions = {},
): Promise<string[]> {
  for (const name of files.keys()) {
    if (name === '' || name.startsWith('/') || name.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`cannot write ${join(dir, name)}: not a plain relative file name`);
    }
  }
  const existing = (await directoryState(dir)) === 'directory';
  const leftovers = await recoverLeftovers(dir);
  if (leftovers) options.onLeftovers?.(leftovers);
  const created = existing ? [] : await ensureDirectory(dirname(dir));
  const id = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const stage = existing ? join(dir, `.${STAGING}.${id}${TEMP_SUFFIX}`) : tempNameFor(dir);
  const commit = join(dir, `.${COMMIT}.${id}${TEMP_SUFFIX}`);
  const previous = join(dir, `.${PREVIOUS}.${id}${TEMP_SUFFIX}`);
  const temporaries = existing ? [stage, commit, previous] : [stage];
  for (const t of temporaries) active.add(t);
  let staged = false;
  let names: string[];
  try {
    try {
      await mkdir(stage);
      staged = true;
    } catch (error) {
      throw fsError('cannot write in', existing ? dir : dirname(dir), error);
    }
    names = await stageSet(stage, dir, files, options.stage);
    if (existing) {
      // Made before the commit, so that a full disk stops the write while nothing has moved.
      try {
        await mkdir(previous);
      } catch (error) {
        throw fsError('cannot write in', dir, error);
      }
    }
    await options.pause?.('staged');
    if (existing) {
      try {
        await rename(stage, commit);
      } catch (error) {
        throw fsError('cannot write in', dir, error);
      }
      staged = false;
      await syncDirectory(dir);
      await options.pause?.('committed');
      await switchIn(dir, stage, commit, previous, topLevel(names));
    } else {
      try {
        await rename(stage, dir);
      } catch (error) {
        throw fsError('cannot create', dir, error);
      }
      staged = false;
      await syncDirectory(dirname(dir));
    }
  } catch (error) {
    if (staged) {
      // Not committed: nothing has moved, the backup directory is still empty.
      await rm(stage, { recursive: true, force: true });
      if (existing) await rm(previous, { recursive: true, force: true });
    }
    await removeCreated(created);
    throw error;
  } finally {
    for (const t of temporaries) active.delete(t);
  }
  return names.map((name) => join(dir, name));
}

/** The first path component of each name, deduplicated, in order. */
function topLevel(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.split('/')[0]))];
}

/**
 * Writes the in-memory files under `stage` (subdirectories made as needed),
 * lets `extra` write its own, flushes whatever `extra` wrote and every
 * directory, and returns the names of every file of the set, sorted.
 */
async function stageSet(
  stage: string,
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  extra: WriteSetOptions['stage'],
): Promise<string[]> {
  const dirs = new Set<string>([stage]);
  for (const name of [...files.keys()].sort()) {
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
  if (extra === undefined) {
    for (const d of [...dirs].reverse()) await syncDirectory(d);
    return [...files.keys()].sort();
  }
  await extra(stage);
  const names: string[] = [];
  for (const entry of await readdir(stage, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const name = path
      .slice(stage.length + 1)
      .split(sep)
      .join('/');
    if (!name.includes('/') && name.startsWith('.')) {
      throw new Error(`cannot write ${join(dir, name)}: a hidden name is reserved for temporary files`);
    }
    if (entry.isDirectory()) dirs.add(path);
    else {
      names.push(name);
      if (!files.has(name)) await syncFile(path);
    }
  }
  for (const d of [...dirs].sort().reverse()) await syncDirectory(d);
  return names.sort();
}

/** Flushes a file another writer made. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Moves entry `name` of `commit` into `dir`, the old entry of that name (if any) aside into `previous` first. */
async function moveIn(dir: string, commit: string, previous: string, name: string): Promise<void> {
  const target = join(dir, name);
  if (await pathExists(target)) {
    const aside = join(previous, name);
    await rm(aside, { recursive: true, force: true }); // only after a crash: the set is committed, the old copy is garbage
    try {
      await rename(target, aside);
    } catch (error) {
      throw fsError('cannot replace', target, error);
    }
  }
  try {
    await rename(join(commit, name), target);
  } catch (error) {
    throw fsError('cannot write', target, error);
  }
}

/** Recovery after a kill between commit and end: moves every entry left in `commit` into `dir`; deletes `previous`. */
async function moveAllIn(dir: string, commit: string, previous: string): Promise<string[]> {
  const names = await entriesOf(commit);
  if (names.length > 0) await mkdir(previous).catch(() => undefined);
  for (const name of names) {
    try {
      await moveIn(dir, commit, previous, name);
    } catch (error) {
      throw new Error(`cannot finish an interrupted write in ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }
  await syncDirectory(dir);
  await rm(previous, { recursive: true, force: true });
  return names.map((name) => join(dir, name));
}

/**
 * Moves the committed entries `names` of `commit` into `dir` (see
 * {@link moveIn}); deletes the old ones once all are in place. On failure
 * undoes what it did, each step leaving a state from which
 * {@link recoverLeftovers} would still finish the set if the process died:
 * a new entry goes back into `commit` before the old one comes back; once
 * all are back, the commit is undone by renaming `commit` back to `stage`,
 * and the error is rethrown. If an old entry cannot be put back it is
 * left in `previous`, which the error then names.
 */
async function switchIn(dir: string, stage: string, commit: string, previous: string, names: readonly string[]): Promise<void> {
  const done: Array<{ name: string; movedOld: boolean }> = [];
  try {
    for (const name of names) {
      const step = { name, movedOld: await pathExists(join(dir, name)) };
      await moveIn(dir, commit, previous, name);
      done.push(step);
    }
  } catch (error) {
    let lost = false;
    const undo = async (step: () => Promise<void>): Promise<void> => {
      try {
        await step();
      } catch {
        lost = true;
      }
    };
    // The entry that failed did not move in; if its old copy had moved aside, it goes back first.
    const failed = names[done.length];
    if (failed !== undefined && (await pathExists(join(previous, failed))) && !(await pathExists(join(dir, failed)))) {
      await undo(() => rename(join(previous, failed), join(dir, failed)));
    }
    for (const step of [...done].reverse()) {
      const target = join(dir, step.name);
      await undo(async () => {
        await rename(target, join(commit, step.name));
        if (step.movedOld) await rename(join(previous, step.name), target);
      });
    }
    if (lost) {
      throw new Error(`${(error as Error).message}; some previous files could not be put back and are in ${previous}`, { cause: error });
    }
    // Every old entry is back: undo the commit (one rename), then remove the new set.
    await rename(commit, stage).catch(() => undefined);
    await rm(stage, { recursive: true, force: true });
    await rm(commit, { recursive: true, force: true });
    await rm(previous, { recursive: true, force: true });
    throw error;
  }
  await syncDirectory(dir);
  // Everything new is in place: the old entries can go, and so can the (now empty) commit directory.
  await rmdir(commit).catch(() => rm(commit, { recursive: true, force: true }));
  await rm(previous, { recursive: true, force: true });
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
