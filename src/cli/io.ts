/** Where the CLI writes: stdout for results, stderr for progress and messages. */
export interface CliIO {
  /** Results: tables, --json output. */
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Progress, warnings and errors; `isTTY` picks the progress mode. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** The process's own streams; tests pass their own {@link CliIO} instead. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** Writes text and resolves once it is handed to the OS (so large --json output is never cut short). */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
