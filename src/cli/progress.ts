import type { TaskProgress } from '../execute/execute.js';
import { formatMicros, formatNumber } from '../report/console-table.js';

/**
 * Progress of a run, on stderr.
 *
 * - `live` (stderr is a terminal): one line per strategy, redrawn in place
 *   at most 10 times a second: replication, simulated time, events/s.
 * - `plain` (not a terminal: CI logs, pipes): one line each time a task
 *   crosses another 10% of its simulated time.
 * - `off` (--quiet or --no-progress; --json alone does not turn it off, as
 *   progress goes to stderr): nothing.
 *
 * Wall-clock time is read here (events/s), never in the simulator.
 */
export type ProgressMode = 'live' | 'plain' | 'off';

interface StrategyState {
  name: string;
  replications: number;
  done: number;
  replication: number;
  simulatedUs: number;
  durationUs: number;
  events: number;
  taskStartedMs: number;
  totalEvents: number;
  wallMs: number;
  running: boolean;
  lastDecile: number;
}

const REDRAW_MS = 100;

/** The progress display of one scenario's run, fed with every task's {@link TaskProgress}. */
export class ProgressDisplay {
  private readonly states: StrategyState[];
  private readonly byName = new Map<string, StrategyState>();
  private drawnLines = 0;
  private lastDraw = 0;

  /** @param now wall clock in ms (injected by tests). */
  constructor(
    private readonly stream: NodeJS.WritableStream & { columns?: number },
    private readonly mode: ProgressMode,
    private readonly scenario: string,
    strategies: ReadonlyArray<{ name: string; replications: number }>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.states = strategies.map((s) => ({
      name: s.name,
      replications: s.replications,
      done: 0,
      replication: 0,
      simulatedUs: 0,
      durationUs: 0,
      events: 0,
      taskStartedMs: 0,
      totalEvents: 0,
      wallMs: 0,
      running: false,
      lastDecile: 0,
    }));
    for (const s of this.states) this.byName.set(s.name, s);
  }

  /** Handles one progress report of a task. */
  update(p: TaskProgress): void {
    if (this.mode === 'off') return;
    const s = this.byName.get(p.strategy);
    if (!s) return;
    const t = this.now();
    if (p.phase === 'start') {
      s.running = true;
      s.replication = p.replication;
      s.taskStartedMs = t;
      s.lastDecile = 0;
    }
    s.simulatedUs = p.simulatedUs;
    s.durationUs = p.durationUs;
    s.events = p.events;
    if (p.phase === 'done') {
      s.running = false;
      s.done++;
      s.totalEvents += p.events;
      s.wallMs += t - s.taskStartedMs;
    }
    if (this.mode === 'plain') this.plain(s, p, t);
    else if (p.phase !== 'progress' || t - this.lastDraw >= REDRAW_MS) this.draw(t);
  }

  /** Final redraw (live mode), so the last state stays on screen. */
  finish(): void {
    if (this.mode === 'live') this.draw(this.now());
  }

  private rate(events: number, ms: number): string {
    return ms > 0 ? `${formatCompact((events / ms) * 1000)} events/s` : '';
  }

  private plain(s: StrategyState, p: TaskProgress, t: number): void {
    const fraction = p.durationUs > 0 ? p.simulatedUs / p.durationUs : 1;
    // At the end of the simulated time the run is closing: its "done" line
    // follows, and a "90%" line there would contradict its own clock.
    if (p.phase !== 'done' && fraction >= 1) return;
    const decile = p.phase === 'done' ? 10 : Math.min(9, Math.floor(fraction * 10 + 1e-9));
    if (decile <= s.lastDecile) return;
    s.lastDecile = decile;
    const rep = s.replications > 1 ? ` rep ${p.replication + 1}/${s.replications}` : '';
    const what =
      p.phase === 'done'
        ? `done: ${formatMicros(p.simulatedUs)} simulated, ${formatNumber(p.events)} events`
        : `${decile * 10}% (${formatMicros(p.simulatedUs)} of ${formatMicros(p.durationUs)} simulated, ${formatNumber(p.events)} events)`;
    const rate = this.rate(p.events, t - s.taskStartedMs);
    this.stream.write(`[${this.scenario}] ${s.name}${rep}: ${what}${rate ? `, ${rate}` : ''}\n`);
  }

  private line(s: StrategyState, t: number): string {
    const rep = `${Math.min(s.done + (s.running ? 1 : 0), s.replications)}/${s.replications}`;
    if (!s.running && s.done === 0) return `${s.name}  waiting`;
    if (!s.running && s.done >= s.replications) {
      return `${s.name}  done ${rep}  ${formatNumber(s.totalEvents)} events  ${this.rate(s.totalEvents, s.wallMs)}`;
    }
    const fraction = s.durationUs > 0 ? Math.min(1, s.simulatedUs / s.durationUs) : 0;
    const width = 20;
    const filled = Math.round(fraction * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    return `${s.name}  rep ${rep}  ${bar} ${pct}  sim ${formatMicros(s.simulatedUs)} / ${formatMicros(s.durationUs)}  ${this.rate(s.events, t - s.taskStartedMs)}`;
  }

  private draw(t: number): void {
    this.lastDraw = t;
    const pad = Math.max(...this.states.map((s) => s.name.length));
    const columns = this.stream.columns || 120;
    const lines = this.states.map((s) => {
      const text = this.line({ ...s, name: s.name.padEnd(pad) }, t);
      return text.length > columns - 1 ? text.slice(0, columns - 1) : text;
    });
    let out = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : `${this.scenario}\n`;
    for (const l of lines) out += `\x1b[2K  ${l}\n`;
    this.drawnLines = lines.length;
    this.stream.write(out);
  }
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
