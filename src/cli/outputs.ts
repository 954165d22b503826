import { UsageError } from '../errors.js';
import { writeRunDirectory } from '../report/run-files.js';
import { checkWritableDirectory, type Leftovers, type WriteSetOptions } from '../report/write-atomic.js';

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

/**
 * Tests only: `FLASHSIM_TEST_WRITE_PHASE_PAUSE=committed:2000` (or
 * `staged:…`) makes {@link writeOutputs} say "writing DIR/: committed" on
 * stderr and wait that long at that point of the atomic write (the set
 * staged; the set committed, not yet all moved in), so that a test can kill
 * the process there. Unset (always, outside tests), nothing waits.
 */
export const WRITE_PHASE_PAUSE_ENV = 'FLASHSIM_TEST_WRITE_PHASE_PAUSE';

/** The pause hook {@link WRITE_PHASE_PAUSE_ENV} asks for, if any. */
function phasePause(dir: string): WriteSetOptions['pause'] {
  const m = /^(staged|committed):(\d+)$/.exec(process.env[WRITE_PHASE_PAUSE_ENV] ?? '');
  if (!m) return undefined;
  return async (phase) => {
    if (phase !== m[1]) return;
    process.stderr.write(`writing ${dir}/: ${phase}\n`);
    await new Promise((resolve) => setTimeout(resolve, Number(m[2])));
  };
}

/** One line about what an earlier, killed write left in `dir` and what was done about it. */
export function leftoversMessage(l: Leftovers): string {
  const parts: string[] = [];
  if (l.finished.length > 0) parts.push(`finished moving in ${l.finished.length} file(s) of a report set whose write was killed`);
  if (l.removed.length > 0) parts.push(`removed ${l.removed.length} temporary file(s) of a killed write`);
  if (l.ignored.length > 0)
    parts.push(`left alone ${l.ignored.length} temporary file(s) of a write still running (${l.ignored.join(', ')})`);
  return `flashsim: note: ${l.dir}/: ${parts.join('; ')}`;
}

/**
 * Writes a report directory as one set; an unwritable place is the user's to
 * fix (exit 2), and nothing half-written remains. Leftovers of an earlier
 * killed write into the same directory are recovered first and reported on
 * stderr (one line). `stage` writes further files (streams) into the set.
 */
export async function writeOutputs(
  dir: string,
  files: Map<string, string | Uint8Array>,
  stage?: WriteSetOptions['stage'],
): Promise<string[]> {
  const pause = Number(process.env[WRITE_PAUSE_ENV] ?? 0);
  if (pause > 0) {
    process.stderr.write(`writing ${dir}/\n`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  const options: WriteSetOptions = {
    onLeftovers: (l) => process.stderr.write(`${leftoversMessage(l)}\n`),
    ...(stage ? { stage } : {}),
  };
  const hook = phasePause(dir);
  if (hook) options.pause = hook;
  try {
    return await writeRunDirectory(dir, files, options);
  } catch (error) {
    throw cannotWrite(dir, error);
  }
}
