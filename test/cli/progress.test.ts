import { describe, expect, it } from 'vitest';
import { formatCompact, ProgressDisplay } from '../../src/cli/progress.js';
import type { TaskProgress } from '../../src/execute/execute.js';

function sink(columns?: number) {
  const chunks: string[] = [];
  return { stream: { write: (s: string) => (chunks.push(s), true), columns } as unknown as NodeJS.WritableStream, chunks };
}

const event = (phase: TaskProgress['phase'], simulatedUs: number, events: number, strategy = 'a', replication = 0): TaskProgress => ({
  task: 0,
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
    expect(chunks[0]).toBe('sale\n\x1b[2K  a   rep 1/1  [....................]   0%  sim 0µs / 1m40s  \n\x1b[2K  bb  waiting\n');
    expect(chunks.at(-1)).toBe('\x1b[2A\x1b[2K  a   done 1/1  5 events  \n\x1b[2K  bb  waiting\n');
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
});
