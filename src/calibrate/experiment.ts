import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { STEADY_CUT } from './steady.js';
import type { StockStore, TakeClient, TakeResult } from './store.js';

/**
 * The closed-loop experiment: at each concurrency level, N clients (each
 * its own connection) take units from a freshly reset stock, each issuing
 * a take, waiting for the reply and issuing the next, until the level's
 * take budget or its duration is spent. The stock is small against the
 * budget, so it sells out during the level and a racy primitive faces many
 * more takers than units, the situation in which it oversells.
 */

/** One take attempt, as a row of the ledger. */
export interface TakeRecord {
  /** The taker: unique per take attempt across the whole calibration. */
  user: number;
  /** Client (connection) index within the level, from 0. */
  client: number;
  /** When it was issued, µs from the level's start. */
  startUs: number;
  /** When its reply came, µs from the level's start. */
  endUs: number;
  /** What the client was told. */
  result: TakeResult;
  /** Tries (optimistic primitives retry; 1 otherwise). */
  attempts: number;
}

/** What one concurrency level measured. */
export interface LevelMeasurement {
  /** Closed-loop clients. */
  concurrency: number;
  /** Stock at the level's start. */
  initial: number;
  /** The store's value after the level. */
  remaining: number;
  /** Every take, in issue order. */
  takes: TakeRecord[];
  /** From the level's start to the last reply, µs. */
  elapsedUs: number;
  /**
   * CPU time of this process's main thread during the level, µs: the
   * client side's serial cost (every connection's driver runs on it).
   * Where Linux's per-thread schedstat is missing, the whole process's
   * CPU time (which also counts the garbage collector's helper threads).
   */
  clientCpuUs: number;
  /** Time the main thread was ready to run but waited for a core, µs (Linux only, else 0): other load on the machine. */
  clientWaitUs: number;
  /**
   * The main thread's CPU time and run-queue wait over the steady window
   * only (from the completion of take ⌊n/10⌋ to that of take ⌈9n/10⌉, n
   * the take budget), µs, and the takes completed in it: the client's cost
   * per take while every client is busy, in the window the throughput is
   * taken over. Absent where there is no per-thread schedstat or the level
   * stopped early.
   */
  steadyClientCpu?: { cpuUs: number; waitUs: number; takes: number };
  /** Whether the level stopped on its duration before its take budget. */
  timedOut: boolean;
}

/** The main thread's CPU and run-queue wait so far, µs (from /proc/<pid>/task/<pid>/schedstat), or null where there is none. */
function mainThreadTimes(): { cpuUs: number; waitUs: number } | null {
  try {
    const [run, wait] = readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? { cpuUs: run / 1000, waitUs: wait / 1000 } : null;
  } catch {
    return null;
  }
}

/** Bounds of each level. */
export interface LevelBounds {
  /** Take budget per level. */
  takes: number;
  /** Longest a level runs, µs (the clients stop issuing then; the replies in flight are awaited). */
  durationUs: number;
  /** Units at each level's start. */
  units: number;
}

/**
 * Runs one level: connects `concurrency` clients, resets the stock, runs
 * the closed loop, closes the clients, reads the stock back.
 *
 * @param nextUser the first user id to hand out; ids are consecutive.
 * @param signal stops the loop between takes (Ctrl-C); the level's clients are closed either way.
 */
export async function runLevel(
  store: StockStore,
  primitive: string,
  concurrency: number,
  bounds: LevelBounds,
  nextUser: number,
  signal?: AbortSignal,
): Promise<LevelMeasurement> {
  const clients: TakeClient[] = [];
  try {
    // Connected before the clock starts: connection set-up is not a take's cost.
    const settled = await Promise.allSettled(Array.from({ length: concurrency }, () => store.connect(primitive)));
    for (const s of settled) if (s.status === 'fulfilled') clients.push(s.value);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw new Error(`could not open ${concurrency} connections: ${(failed.reason as Error).message}`);
    await store.reset(bounds.units);
    const takes: TakeRecord[] = [];
    let issued = 0;
    let timedOut = false;
    const cpu0 = process.cpuUsage();
    const thread0 = mainThreadTimes();
    const t0 = performance.now();
    const deadline = t0 + bounds.durationUs / 1000;
    // The steady window's ends, in completions (steady.ts cuts a tenth at each end): the thread's CPU is read there.
    const windowFrom = Math.floor(bounds.takes * STEADY_CUT);
    const windowTo = Math.ceil(bounds.takes * (1 - STEADY_CUT));
    let completed = 0;
    let atFrom: { cpuUs: number; waitUs: number } | null = null;
    let steadyClientCpu: LevelMeasurement['steadyClientCpu'];
    const loop = async (client: number): Promise<void> => {
      const c = clients[client];
      while (issued < bounds.takes && !signal?.aborted) {
        const start = performance.now();
        if (start >= deadline) {
          timedOut = true;
          return;
        }
        const index = issued++;
        const { result, attempts } = await c.take();
        const end = performance.now();
        takes[index] = { user: nextUser + index, client, startUs: (start - t0) * 1000, endUs: (end - t0) * 1000, result, attempts };
        completed++;
        if (thread0 && windowTo > windowFrom && (completed === windowFrom || completed === windowTo)) {
          const now = mainThreadTimes();
          if (completed === windowFrom) atFrom = now;
          else if (atFrom && now) {
            steadyClientCpu = { cpuUs: now.cpuUs - atFrom.cpuUs, waitUs: now.waitUs - atFrom.waitUs, takes: windowTo - windowFrom };
          }
        }
      }
    };
    await Promise.all(clients.map((_, i) => loop(i)));
    const elapsedUs = (performance.now() - t0) * 1000;
    const cpu = process.cpuUsage(cpu0);
    const thread1 = thread0 && mainThreadTimes();
    const remaining = await store.read();
    return {
      concurrency,
      initial: bounds.units,
      remaining,
      takes: takes.filter((t) => t !== undefined),
      elapsedUs,
      clientCpuUs: thread0 && thread1 ? thread1.cpuUs - thread0.cpuUs : cpu.user + cpu.system,
      clientWaitUs: thread0 && thread1 ? thread1.waitUs - thread0.waitUs : 0,
      timedOut,
      ...(steadyClientCpu ? { steadyClientCpu } : {}),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
