import type { TaskProgress } from '../execute/execute.js';
import { formatMicros, formatNumber } from '../report/console-table.js';

/**
 * Progress of a run, on stderr.
 *
 * - `live` (stderr is a terminal): one line per strategy, redrawn in place
 *   at most 10 times a second: the replications running, simulated time,
 *   events/s. Every line, prefix included, is cut to the terminal's width
 *   less one column, so that no line wraps and moving the cursor up by the
 *   number of lines drawn always lands on the first of them (a narrow
 *   terminal loses the bar first, then the end of the line). A terminal
 *   with fewer rows than strategies shows the running ones and a line
 *   counting the others, for the same reason.
 * - `plain` (not a terminal: CI logs, pipes): one line each time a task
 *   crosses another 10% of its simulated time, and one `done:` line per task.
 * - `off` (--quiet or --no-progress; --json alone does not turn it off, as
 *   progress goes to stderr): nothing.
 *
 * State is kept per task (strategy × replication): with several workers,
 * replications of one strategy run at the same time, and each has its own
 * start time, deciles and event count. A rate is always one task's events
 * over that task's wall time (a strategy's line adds the rates of its
 * running tasks). Wall-clock time is read here, never in the simulator.
 */
export type ProgressMode = 'live' | 'plain' | 'off';

/** One task (strategy × replication) as the display has seen it. */
interface TaskState {
  replication: number;
  startedMs: number;
  simulatedUs: number;
  durationUs: number;
  events: number;
  /** Wall time from start to done, ms (0 while running). */
  wallMs: number;
  done: boolean;
  /** The last tenth of simulated time reported in plain mode (10 once done). */
  lastDecile: number;
}

interface StrategyState {
  name: string;
  replications: number;
  /** Tasks seen so far, by task index in the plan. */
  tasks: Map<number, TaskState>;
}

const REDRAW_MS = 100;

/** Columns assumed when the stream does not say (not a terminal, or a test sink). */
const DEFAULT_COLUMNS = 120;

/**
 * Cuts `text` to fit a terminal `columns` wide without wrapping: at most
 * `columns − 1` characters (a line exactly as wide as the terminal leaves
 * some terminals' cursor in a pending-wrap state). Progress text is ASCII
 * plus µ, one column each.
 */
export function fitLine(text: string, columns: number | undefined): string {
  const width = Math.max(1, (columns || DEFAULT_COLUMNS) - 1);
  const chars = [...text];
  return chars.length > width ? chars.slice(0, width).join('') : text;
}

/** The progress display of one scenario's run, fed with every task's {@link TaskProgress}. */
export class ProgressDisplay {
  private readonly states: StrategyState[];
  private readonly byName = new Map<string, StrategyState>();
  private drawnLines = 0;
  private lastDraw = 0;

  /** @param now wall clock in ms (injected by tests). */
  constructor(
    private readonly stream: NodeJS.WritableStream & { columns?: number; rows?: number },
    private readonly mode: ProgressMode,
    private readonly scenario: string,
    strategies: ReadonlyArray<{ name: string; replications: number }>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.states = strategies.map((s) => ({ name: s.name, replications: s.replications, tasks: new Map() }));
    for (const s of this.states) this.byName.set(s.name, s);
  }

  /** Handles one progress report of a task. */
  update(p: TaskProgress): void {
    if (this.mode === 'off') return;
    const s = this.byName.get(p.strategy);
    if (!s) return;
    const t = this.now();
    let task = s.tasks.get(p.task);
    if (!task || p.phase === 'start') {
      task = { replication: p.replication, startedMs: t, simulatedUs: 0, durationUs: 0, events: 0, wallMs: 0, done: false, lastDecile: 0 };
      s.tasks.set(p.task, task);
    }
    if (task.done) return; // a report after 'done' would count the task twice
    task.simulatedUs = p.simulatedUs;
    task.durationUs = p.durationUs;
    task.events = p.events;
    if (p.phase === 'done') {
      task.done = true;
      task.wallMs = t - task.startedMs;
    }
    if (this.mode === 'plain') this.plain(s, task, p.phase, t);
    else if (p.phase !== 'progress' || t - this.lastDraw >= REDRAW_MS) this.draw(t);
  }

  /**
   * A precision-driven run adds replications: the strategies' counts grow
   * to `next`, and a plain display says why (the live one redraws with the
   * new counts).
   */
  more(batches: ReadonlyArray<{ strategy: string; done: number; next: number; why: string }>): void {
    if (this.mode === 'off') return;
    for (const b of batches) {
      const s = this.byName.get(b.strategy);
      if (!s) continue;
      s.replications = b.next;
      if (this.mode === 'plain') {
        const added = b.next - b.done;
        this.stream.write(
          `[${this.scenario}] ${s.name}: ${added} more replication${added === 1 ? '' : 's'} (${b.done + 1}-${b.next}): ${b.why}\n`,
        );
      }
    }
    if (this.mode === 'live') this.draw(this.now());
  }

  /** Final redraw (live mode), so the last state stays on screen. */
  finish(): void {
    if (this.mode === 'live') this.draw(this.now());
  }

  private plain(s: StrategyState, task: TaskState, phase: TaskProgress['phase'], t: number): void {
    const fraction = task.durationUs > 0 ? task.simulatedUs / task.durationUs : 1;
    // At the end of the simulated time the run is closing: its "done" line
    // follows, and a "90%" line there would contradict its own clock.
    if (phase !== 'done' && fraction >= 1) return;
    const decile = phase === 'done' ? 10 : Math.min(9, Math.floor(fraction * 10 + 1e-9));
    if (decile <= task.lastDecile) return;
    task.lastDecile = decile;
    const rep = s.replications > 1 ? ` rep ${task.replication + 1}/${s.replications}` : '';
    const what =
      phase === 'done'
        ? `done: ${formatMicros(task.simulatedUs)} simulated, ${formatNumber(task.events)} events`
        : `${decile * 10}% (${formatMicros(task.simulatedUs)} of ${formatMicros(task.durationUs)} simulated, ${formatNumber(task.events)} events)`;
    const rate = rateText(task.events, t - task.startedMs);
    this.stream.write(`[${this.scenario}] ${s.name}${rep}: ${what}${rate ? `, ${rate}` : ''}\n`);
  }

  /** A strategy's line, with its bar when it fits in `columns` (prefix included), else without. */
  private line(s: StrategyState, name: string, t: number, columns: number | undefined): string {
    const full = this.lineText(s, name, t, true);
    return full.length + 2 <= (columns || DEFAULT_COLUMNS) - 1 ? full : this.lineText(s, name, t, false);
  }

  private lineText(s: StrategyState, name: string, t: number, withBar: boolean): string {
    const tasks = [...s.tasks.values()];
    const done = tasks.filter((k) => k.done);
    const running = tasks.filter((k) => !k.done).sort((a, b) => a.replication - b.replication);
    if (running.length === 0 && done.length === 0) return `${name}  waiting`;
    if (running.length === 0) {
      // Events over the tasks' own wall time: one thread's rate, whatever ran alongside.
      const events = done.reduce((n, k) => n + k.events, 0);
      const wallMs = done.reduce((n, k) => n + k.wallMs, 0);
      const status =
        done.length >= s.replications ? `done ${done.length}/${s.replications}` : `${done.length}/${s.replications} done, waiting`;
      return `${name}  ${status}  ${formatNumber(events)} events  ${rateText(events, wallMs)}`.trimEnd();
    }
    // The bar and the simulated time are those of the least advanced running replication.
    const behind = running.reduce((a, b) => (fractionOf(b) < fractionOf(a) ? b : a));
    const fraction = Math.min(1, fractionOf(behind));
    const width = 20;
    const filled = Math.round(fraction * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    const reps = `rep ${running.map((k) => k.replication + 1).join('+')}/${s.replications}`;
    const rate = running.reduce((sum, k) => sum + perSecond(k.events, t - k.startedMs), 0);
    return `${name}  ${reps}  ${withBar ? `${bar} ` : ''}${pct}  sim ${formatMicros(behind.simulatedUs)} / ${formatMicros(behind.durationUs)}  ${
      running.some((k) => t - k.startedMs > 0) ? `${formatCompact(rate)} events/s` : ''
    }`.trimEnd();
  }

  /** The strategies to show: all of them, or on a terminal too short for all, the running ones first and a line for the rest. */
  private visible(): { shown: StrategyState[]; hidden: StrategyState[] } {
    const rows = this.stream.rows;
    // The scenario's line, the strategies, and one row to spare for the cursor.
    const room = rows && rows > 3 ? rows - 2 : Infinity;
    if (this.states.length <= room) return { shown: this.states, hidden: [] };
    const rank = (s: StrategyState): number => {
      const tasks = [...s.tasks.values()];
      if (tasks.some((k) => !k.done)) return 0;
      return tasks.length === 0 ? 1 : 2;
    };
    const order = [...this.states].sort((a, b) => rank(a) - rank(b));
    const shown = new Set(order.slice(0, room - 1));
    return { shown: this.states.filter((s) => shown.has(s)), hidden: this.states.filter((s) => !shown.has(s)) };
  }

  private draw(t: number): void {
    this.lastDraw = t;
    const { columns } = this.stream;
    const { shown, hidden } = this.visible();
    const pad = Math.max(...shown.map((s) => s.name.length));
    const lines = shown.map((s) => this.line(s, s.name.padEnd(pad), t, columns));
    if (hidden.length > 0) {
      const finished = hidden.filter((s) => [...s.tasks.values()].filter((k) => k.done).length >= s.replications).length;
      lines.push(`… ${hidden.length} more: ${finished} done, ${hidden.length - finished} waiting`);
    }
    let out = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : `${fitLine(this.scenario, columns)}\n`;
    for (const l of lines) out += `\x1b[2K${fitLine(`  ${l}`, columns)}\n`;
    this.drawnLines = lines.length;
    this.stream.write(out);
  }
}

function fractionOf(task: TaskState): number {
  return task.durationUs > 0 ? task.simulatedUs / task.durationUs : 0;
}

/** Events per second of wall time (0 before any time has passed). */
function perSecond(events: number, ms: number): number {
  return ms > 0 ? (events / ms) * 1000 : 0;
}

/** "1.2M events/s", or "" before any wall time has passed. */
function rateText(events: number, ms: number): string {
  return ms > 0 ? `${formatCompact(perSecond(events, ms))} events/s` : '';
}

/** 1234567 → "1.23M". */
export function formatCompact(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const units: Array<[number, string]> = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) if (Math.abs(x) >= scale) return `${Number((x / scale).toPrecision(3))}${suffix}`;
  return String(Math.round(x));
}
