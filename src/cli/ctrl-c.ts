/*
 * Ctrl-C (SIGINT) and SIGTERM during a command: stop the worker pool at
 * once, but never between the first and the last file of a report (exit 130
 * or 143 with what was written). Kubernetes, CI runners and `timeout` stop a
 * process with SIGTERM, so it gets exactly Ctrl-C's treatment.
 */

/** The signals a command stops cleanly on. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

/**
 * The stop signal received by the command now listening ({@link CtrlC.listen}
 * resets it). Module state rather than a field because the commands build
 * their {@link Interrupted} errors themselves, after the signal arrived.
 */
let received: StopSignal | undefined;

/**
 * The user pressed Ctrl-C, or something sent SIGTERM: exit 130 (128 + 2) or
 * 143 (128 + 15), with a one-line message saying what was and was not
 * written: "interrupted; out/ was written completely" or "terminated;
 * nothing was written".
 */
export class Interrupted extends Error {
  /** Which signal stopped the command. */
  readonly signal: StopSignal;

  /**
   * @param detail what was and was not written (see {@link writtenMessage}).
   * @param signal the signal; by default the one the listening command received (SIGINT if none).
   */
  constructor(
    readonly detail = 'nothing was written',
    signal: StopSignal = received ?? 'SIGINT',
  ) {
    super(`${signal === 'SIGTERM' ? 'terminated' : 'interrupted'}; ${detail}`);
    this.name = 'Interrupted';
    this.signal = signal;
  }
}

/**
 * Ctrl-C and SIGTERM for the length of a command. While {@link listen}ing,
 * neither signal kills the process: it aborts {@link signal} (the worker
 * pool stops at once) and the command decides when to stop — never between
 * writing a report's first file and its last, so a signal while writing
 * lets the write finish (or roll back) and then exits saying what was
 * written. (A report set is switched in one step, see
 * report/write-atomic.ts, so even a SIGKILL leaves one complete set.)
 *
 * A run in this thread (one worker) gives the event loop a turn between
 * slices of a million events (runOnceInSlices), so the listener runs within
 * a fraction of a second there too.
 */
export class CtrlC {
  private readonly controller = new AbortController();
  private listening = false;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    const stop: StopSignal = signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    received ??= stop;
    this.controller.abort(new Interrupted(undefined, stop));
  };

  /** Aborted (with an {@link Interrupted}) by Ctrl-C or SIGTERM while listening. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether Ctrl-C has been pressed or SIGTERM received. */
  get interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Takes over SIGINT and SIGTERM (idempotent) until {@link ignore}. */
  listen(): void {
    if (!this.listening) {
      received = undefined;
      for (const s of STOP_SIGNALS) process.on(s, this.onSignal);
    }
    this.listening = true;
  }

  /** SIGINT and SIGTERM kill the process again (also: call when the command ends). */
  ignore(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.onSignal);
    this.listening = false;
  }
}

/** "nothing was written", "out/ was written completely", "a/ and b/ were written completely". */
export function writtenMessage(paths: readonly string[]): string {
  if (paths.length === 0) return 'nothing was written';
  const list = paths.length === 1 ? paths[0] : `${paths.slice(0, -1).join(', ')} and ${paths[paths.length - 1]}`;
  return `${list} ${paths.length === 1 ? 'was' : 'were'} written completely`;
}
