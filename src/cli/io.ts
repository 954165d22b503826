/** Where the CLI writes: stdout for results, stderr for progress and messages. */
export interface CliIO {
  /** Results: tables, --json output. */
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Progress, warnings and errors; `isTTY` picks the progress mode. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/**
 * Whether a write failed because the reader has gone (`sim run --json |
 * head`): the output is no longer wanted, which is no failure of the run.
 */
function readerGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

let brokenPipeHandled = false;

/**
 * The process's own streams; tests pass their own {@link CliIO} instead.
 * A reader that stops early ends only the output: without an 'error'
 * listener, EPIPE on stdout or stderr would crash the process with a stack
 * trace and exit 1, as if an invariant had been violated.
 */
export function processIO(): CliIO {
  if (!brokenPipeHandled) {
    brokenPipeHandled = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (error) => {
        if (!readerGone(error)) throw error;
      });
    }
  }
  return { stdout: process.stdout, stderr: process.stderr };
}

/**
 * Writes text and resolves once it is handed to the OS (so large --json
 * output is never cut short), or once the reader has gone (nothing more to
 * hand over).
 */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error && !readerGone(error) ? reject(error) : resolve()));
  });
}
