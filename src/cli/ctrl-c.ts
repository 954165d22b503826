/*
 * Ctrl-C during a command: stop the worker pool at once, but never between
 * the first and the last file of a report (exit 130 with what was written).
 */

/** The user pressed Ctrl-C: exit 130, with a message saying what was and was not written. */
export class Interrupted extends Error {
  /** @param message what was and was not written (see {@link writtenMessage}). */
  constructor(message = 'interrupted; nothing was written') {
    super(message);
    this.name = 'Interrupted';
  }
}

/**
 * Ctrl-C for the length of a command. While {@link listen}ing, SIGINT does
 * not kill the process: it aborts {@link signal} (the worker pool stops at
 * once) and the command decides when to stop — never between writing a
 * report's first file and its last, so a Ctrl-C while writing lets the
 * write finish (or roll back) and then exits 130 saying what was written.
 *
 * A run in this thread (one worker) gives the event loop a turn between
 * slices of a million events (runOnceInSlices), so the listener runs within
 * a fraction of a second there too.
 */
export class CtrlC {
  private readonly controller = new AbortController();
  private listening = false;
  private readonly onSignal = (): void => {
    this.controller.abort(new Interrupted());
  };

  /** Aborted (with an {@link Interrupted}) by Ctrl-C while listening. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether Ctrl-C has been pressed. */
  get interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Takes over SIGINT (idempotent) until {@link ignore}. */
  listen(): void {
    if (!this.listening) process.on('SIGINT', this.onSignal);
    this.listening = true;
  }

  /** SIGINT kills the process again (also: call when the command ends). */
  ignore(): void {
    process.off('SIGINT', this.onSignal);
    this.listening = false;
  }
}

/** "out/ was written completely", "a/ and b/ were written completely". */
export function writtenMessage(paths: readonly string[]): string {
  if (paths.length === 0) return 'interrupted; nothing was written';
  const list = paths.length === 1 ? paths[0] : `${paths.slice(0, -1).join(', ')} and ${paths[paths.length - 1]}`;
  return `interrupted; ${list} ${paths.length === 1 ? 'was' : 'were'} written completely`;
}
