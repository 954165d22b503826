import { UsageError } from '../errors.js';
import { writeLedgerTables } from '../report/ledger-tables.js';
import { writeRunDirectory } from '../report/run-files.js';
import type { RunResult } from '../results/result.js';
import { checkWritableDirectory } from '../report/write-atomic.js';

/*
 * Where the commands write their reports: checked before any simulation,
 * written as a whole, and any failure the user's to fix (exit 2).
 */

/** An unwritable place is the user's to fix (exit 2): the message names the path and why. */
function cannotWrite(dir: string, error: unknown): UsageError {
  const message = (error as Error).message;
  return new UsageError(message.startsWith('cannot ') && message.includes(dir) ? message : `cannot write ${dir}: ${message}`);
}

/**
 * Pre-flight check, before a long simulation: `dir` is (or can be made) a
 * writable directory. Creates nothing that stays.
 *
 * @throws {UsageError} naming the path.
 */
export async function checkOutput(dir: string): Promise<void> {
  try {
    await checkWritableDirectory(dir);
  } catch (error) {
    throw cannotWrite(dir, error);
  }
}

/**
 * Tests only: `FLASHSIM_TEST_WRITE_PAUSE_MS=500` makes {@link writeOutputs}
 * say "writing DIR/" on stderr and wait that long once it has begun, so
 * that a test can send Ctrl-C while a report is being written.
 */
export const WRITE_PAUSE_ENV = 'FLASHSIM_TEST_WRITE_PAUSE_MS';

/** Writes a report directory atomically; an unwritable place is the user's to fix (exit 2), and nothing half-written remains. */
export async function writeOutputs(dir: string, files: Map<string, string | Uint8Array>): Promise<string[]> {
  const pause = Number(process.env[WRITE_PAUSE_ENV] ?? 0);
  if (pause > 0) {
    process.stderr.write(`writing ${dir}/\n`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  try {
    return await writeRunDirectory(dir, files);
  } catch (error) {
    throw cannotWrite(dir, error);
  }
}

/** Writes a run's ledger tables into its directory (see writeLedgerTables); an unwritable place is the user's to fix (exit 2). */
export async function writeTables(dir: string, results: readonly RunResult[]): Promise<string[]> {
  try {
    return await writeLedgerTables(dir, results);
  } catch (error) {
    throw cannotWrite(dir, error);
  }
}
