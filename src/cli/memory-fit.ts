import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { UsageError } from '../errors.js';
import { parseBytes, UnitError } from '../kernel/units.js';
import { fitWorkers, PROCESS_BASE_BYTES, RUN_BYTES_PER_USER } from '../execute/memory.js';
import type { RunPlan } from '../execute/plan.js';
import { write, type CliIO } from './io.js';
import { errorText } from './messages.js';

/** cgroup v2, then v1: a container's memory limit, which os.totalmem() does not see. */
const CGROUP_LIMITS = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];

/**
 * The memory this process may use (bytes): the machine's, or its
 * container's limit when lower. A cgroup file that is missing, unreadable
 * or says "max" (no limit) is ignored.
 */
export function machineMemoryBytes(readText: (path: string) => string = (path) => readFileSync(path, 'utf8')): number {
  let limit = totalmem();
  for (const file of CGROUP_LIMITS) {
    let text: string;
    try {
      text = readText(file);
    } catch {
      continue;
    }
    const bytes = Number(text.trim());
    if (Number.isFinite(bytes) && bytes > 0) limit = Math.min(limit, bytes);
  }
  return limit;
}

/** "15.3 GiB", "900 MiB"; below a MiB "600 KiB" or "10 B", so that a tiny `--memory` is not named "0 MiB". */
function formatBytes(bytes: number): string {
  const gib = bytes / 2 ** 30;
  if (gib >= 1) return `${gib.toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${Math.round(bytes / 2 ** 20)} MiB`;
  return bytes >= 2 ** 10 && bytes % 2 ** 10 === 0 ? `${bytes / 2 ** 10} KiB` : `${bytes} B`;
}

/** `--memory` as typed → bytes; undefined when not given. */
export function parseMemory(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    const bytes = parseBytes(text);
    if (bytes > 0) return bytes;
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
  }
  throw new UsageError(`--memory: expected a size such as 8GiB, 16GB or 512MiB (got ${JSON.stringify(text)})`);
}

/**
 * Runs at most as many runs at once as fit in memory (see src/execute/memory.ts):
 * returns `workers`, or fewer with a note on stderr (unless quiet). Results
 * do not depend on the number of workers, so fewer only takes longer.
 *
 * @param memoryArg `--memory` as typed; default: {@link machineMemoryBytes}.
 * @throws {UsageError} when not even one run fits.
 */
export async function fitToMemory(
  plans: readonly RunPlan[],
  workers: number,
  memoryArg: string | undefined,
  io: CliIO,
  quiet: boolean,
): Promise<number> {
  const given = parseMemory(memoryArg);
  const memory = given ?? machineMemoryBytes();
  const fit = fitWorkers(plans, workers, memory);
  const of = given !== undefined ? `the ${formatBytes(memory)} of --memory` : `this machine's ${formatBytes(memory)}`;
  const run = `a run of ${fit.largestUsers.toLocaleString('en')} users needs about ${formatBytes(fit.largestRunBytes)}`;
  if (fit.workers === 0) {
    throw new UsageError(
      `${run} (${RUN_BYTES_PER_USER} bytes per user, estimated), and this process ${formatBytes(PROCESS_BASE_BYTES)}: more than ${of}; ` +
        `simulate fewer users (users.count or --users)${given !== undefined ? ' or give more --memory' : ''}`,
    );
  }
  if (fit.limited && !quiet) {
    // "instead of" the runs that would have gone at once: never more than the plan has, whatever --workers asked.
    await write(
      io.stderr,
      errorText(
        `${fit.workers} run${fit.workers === 1 ? '' : 's'} at a time instead of ${fit.atOnce}: ${run}, and ${of} holds ${fit.workers}`,
      ),
    );
  }
  return fit.workers;
}
