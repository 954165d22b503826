import { describe, expect, it } from 'vitest';
import { fitLine, formatCompact, ProgressDisplay } from '../../src/cli/progress.js';
import type { TaskProgress } from '../../src/execute/execute.js';

function sink(columns?: number, rows?: number) {
  const chunks: string[] = [];
  return { stream: { write: (s: string) => (chunks.push(s), true), columns, rows } as unknown as NodeJS.WritableStream, chunks };
}

const event = (
  phase: TaskProgress['phase'],
  simulatedUs: number,
  events: number,
  strategy = 'a',
  replication = 0,
  task = replication,
): TaskProgress => ({
  task,
  strategy,
  replication,
  simulatedUs,
  durationUs: 100_000_000,
  events,
  phase,
});

describe('ProgressDisplay', () => {
  it('plain: one line per 10% of simulated time crossed, then done', () => {
    const { stream, chunks } = sink();
    let t = 0;
    const d = new ProgressDisplay(stream, 'plain', 'sale', [{ name: 'a', replications: 2 }], () => t);
    d.update(event('start', 0, 0));
    t = 1000;
    d.update(event('progress', 5_000_000, 10)); // 5%: nothing
    d.update(event('progress', 25_000_000, 1_000_000)); // 25%: one line (20%)
    d.update(event('progress', 29_000_000, 1_100_000)); // still 20%: nothing
    d.update(event('progress', 100_000_000, 1_900_000)); // closing: nothing until done
    t = 2000;
    d.update(event('done', 100_000_000, 2_000_000));
    expect(chunks).toEqual([
      '[sale] a rep 1/2: 20% (25s of 1m40s simulated, 1,000,000 events), 1M events/s\n',
      '[sale] a rep 1/2: done: 1m40s simulated, 2,000,000 events, 1M events/s\n',
    ]);
  });

  it('live: one line per strategy, redrawn in place', () => {
    const { stream, chunks } = sink(80);
    const t = 0;
    const d = new ProgressDisplay(
      stream,
      'live',
      'sale',
      [
        { name: 'a', replications: 1 },
        { name: 'bb', replications: 1 },
      ],
      () => t,
    );
    d.update(event('start', 0, 0));
    d.update(event('done', 100_000_000, 5));
    d.finish();
    expect(chunks[0]).toBe('sale\n\x1b[2K  a   rep 1/1  [....................]   0%  sim 0µs / 1m40s\n\x1b[2K  bb  waiting\n');
    expect(chunks.at(-1)).toBe('\x1b[2A\x1b[2K  a   done 1/1  5 events\n\x1b[2K  bb  waiting\n');
  });

  it('off: writes nothing', () => {
    const { stream, chunks } = sink();
    const d = new ProgressDisplay(stream, 'off', 'sale', [{ name: 'a', replications: 1 }]);
    d.update(event('start', 0, 0));
    d.update(event('done', 1, 1));
    d.finish();
    expect(chunks).toEqual([]);
  });

  it('formats rates compactly', () => {
    expect(formatCompact(999)).toBe('999');
    expect(formatCompact(1234)).toBe('1.23k');
    expect(formatCompact(2_500_000)).toBe('2.5M');
  });

  it('plain: replications running at once each get their deciles, one done line and their own rate', () => {
    const { stream, chunks } = sink();
    let t = 0;
    const d = new ProgressDisplay(stream, 'plain', 'sale', [{ name: 'a', replications: 5 }], () => t);
    // Two workers: replication r + 1 starts while r is running; each task runs 1 s of wall time for 1M events.
    const starts = [0, 500, 1000, 1500, 2000];
    const timeline: Array<[number, TaskProgress]> = [];
    for (const [rep, start] of starts.entries()) {
      timeline.push([start, event('start', 0, 0, 'a', rep)]);
      timeline.push([start + 950, event('progress', 95_000_000, 950_000, 'a', rep)]);
      timeline.push([start + 1000, event('done', 100_000_000, 1_000_000, 'a', rep)]);
    }
    timeline.sort((x, y) => x[0] - y[0]);
    for (const [at, p] of timeline) {
      t = at;
      d.update(p);
    }
    const done = chunks.filter((c) => c.includes(': done:'));
    expect(done.map((c) => /rep (\d)\/5/.exec(c)?.[1]).sort()).toEqual(['1', '2', '3', '4', '5']);
    for (const c of done) expect(c).toMatch(/, 1M events\/s\n$/);
    for (const rep of [1, 2, 3, 4, 5]) {
      expect(chunks.filter((c) => c.includes(`rep ${rep}/5: 90%`))).toHaveLength(1);
    }
  });

  it('live: two replications of one strategy at once are shown together, their rates added', () => {
    const { stream, chunks } = sink(120);
    let t = 0;
    const d = new ProgressDisplay(stream, 'live', 'sale', [{ name: 'a', replications: 3 }], () => t);
    d.update(event('start', 0, 0, 'a', 0));
    d.update(event('start', 0, 0, 'a', 1));
    t = 1000;
    d.update(event('progress', 50_000_000, 1_000_000, 'a', 0));
    d.update(event('done', 100_000_000, 2_000_000, 'a', 1));
    expect(chunks.at(-1)).toBe('\x1b[1A\x1b[2K  a  rep 1/3  [##########..........]  50%  sim 50s / 1m40s  1M events/s\n');
    t = 1500;
    d.update(event('start', 0, 0, 'a', 2));
    t = 2000;
    d.update(event('progress', 75_000_000, 1_500_000, 'a', 0));
    d.update(event('progress', 20_000_000, 500_000, 'a', 2));
    d.finish();
    // The bar is the least advanced replication's; 1.5M/2 s + 0.5M/0.5 s.
    expect(chunks.at(-1)).toBe('\x1b[1A\x1b[2K  a  rep 1+3/3  [####................]  20%  sim 20s / 1m40s  1.75M events/s\n');
    t = 3000;
    d.update(event('done', 100_000_000, 2_000_000, 'a', 0));
    d.update(event('done', 100_000_000, 1_000_000, 'a', 2));
    // 5M events over 3 s + 1 s + 1.5 s of the tasks' own wall time.
    expect(chunks.at(-1)).toBe('\x1b[1A\x1b[2K  a  done 3/3  5,000,000 events  909k events/s\n');
  });

  it.each([80, 40])('live: every line, prefix included, fits %i columns', (columns) => {
    const { stream, chunks } = sink(columns);
    let t = 0;
    const names = ['seed-design', 'a-strategy-with-a-very-long-name-indeed', 'naive'];
    const d = new ProgressDisplay(
      stream,
      'live',
      'a-scenario-whose-name-is-longer-than-forty-columns',
      names.map((name) => ({ name, replications: 2 })),
      () => t,
    );
    for (const [i, name] of names.entries()) {
      d.update(event('start', 0, 0, name, 0, 2 * i));
      d.update(event('start', 0, 0, name, 1, 2 * i + 1));
      t += 1000;
      d.update(event('progress', 12_345_678, 98_765_432, name, 0, 2 * i));
      d.update(event('done', 100_000_000, 198_765_432, name, 1, 2 * i + 1));
    }
    d.finish();
    // eslint-disable-next-line no-control-regex -- the cursor and erase codes are what is stripped.
    const codes = /\x1b\[\d*[AK]/g;
    const lines = chunks.join('').replace(codes, '').split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns - 1);
  });

  it('live: a terminal too short for every strategy shows the running ones and a line for the rest', () => {
    const { stream, chunks } = sink(80, 5);
    const names = ['a', 'b', 'c', 'd', 'e'];
    const d = new ProgressDisplay(
      stream,
      'live',
      'sale',
      names.map((name) => ({ name, replications: 1 })),
      () => 0,
    );
    d.update(event('start', 0, 0, 'a', 0, 0));
    d.update(event('done', 100_000_000, 1, 'a', 0, 0));
    d.update(event('start', 0, 0, 'd', 0, 3));
    // 5 rows: the scenario, 3 lines, a spare row for the cursor.
    expect(chunks.at(-1)).toBe(
      '\x1b[3A\x1b[2K  b  waiting\n\x1b[2K  d  rep 1/1  [....................]   0%  sim 0µs / 1m40s\n\x1b[2K  … 3 more: 1 done, 2 waiting\n',
    );
  });

  it('fitLine cuts to the width less one column', () => {
    expect(fitLine('x'.repeat(100), 80)).toHaveLength(79);
    expect(fitLine('µ'.repeat(50), 40)).toBe('µ'.repeat(39));
    expect(fitLine('short', 80)).toBe('short');
  });
});
