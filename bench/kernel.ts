/**
 * Kernel benchmark: the hold model (pop the earliest event, schedule a new one
 * at now + U(0, 1 s) in integer µs) with a fixed number of pending events.
 *
 * Contenders, measured in the same process with interleaved rounds:
 * - kernel: a {@link Simulation} whose one registered handler reschedules
 *   itself (queue, clock, handler dispatch and `schedule` checks included);
 * - queue: the bare {@link EventQueue} in a loop (the queue's own share);
 * - reference: a bare typed-array binary heap ({@link ReferenceHeap}) in a
 *   loop doing nothing per event.
 * The target is kernel / reference ≥ 1.5 at 1M pending.
 */
import { EventQueue } from '../src/kernel/event-queue.js';
import { Simulation } from '../src/kernel/simulation.js';
import { ReferenceHeap } from './reference-heap.js';
import { BenchRandom, formatRate, median, seconds, type BenchOptions, type BenchSection } from './section.js';

const HOLD_US = 1_000_000;
const SIZES = [1_000, 1_000_000];
const TARGET_RATIO = 1.5;

interface Contender {
  name: 'kernel' | 'queue' | 'reference';
  /** Handles `events` events of the hold model. */
  run(events: number): void;
}

function kernel(pending: number, seed: number): Contender {
  const simulation = new Simulation(pending + 1024);
  const random = new BenchRandom(seed);
  let kind = 0;
  kind = simulation.register('hold', () => {
    simulation.schedule(random.below(HOLD_US), kind);
  });
  for (let i = 0; i < pending; i++) simulation.scheduleAt(random.below(HOLD_US), kind);
  return {
    name: 'kernel',
    run(events) {
      simulation.run({ maxEvents: events });
    },
  };
}

function queue(pending: number, seed: number): Contender {
  const q = new EventQueue(pending + 1024);
  const random = new BenchRandom(seed);
  for (let i = 0; i < pending; i++) q.push(random.below(HOLD_US), 0, i, 0);
  return {
    name: 'queue',
    run(events) {
      for (let i = 0; i < events; i++) {
        q.pop(Infinity);
        q.push(q.poppedTime + random.below(HOLD_US), q.poppedKind, q.poppedA, q.poppedB);
      }
    },
  };
}

function reference(pending: number, seed: number): Contender {
  const heap = new ReferenceHeap(pending + 1);
  const random = new BenchRandom(seed);
  for (let i = 0; i < pending; i++) heap.push(random.below(HOLD_US), i);
  return {
    name: 'reference',
    run(events) {
      for (let i = 0; i < events; i++) {
        const now = heap.pop();
        heap.push(now + random.below(HOLD_US), 0);
      }
    },
  };
}

export interface Measurement {
  /** Median events per second over the timed rounds. */
  eventsPerSecond: number;
  /** Events per second of each timed round, in order. */
  rounds: number[];
}

function sizeLabel(pending: number): string {
  return pending >= 1e6 ? `${pending / 1e6}M` : pending >= 1e3 ? `${pending / 1e3}k` : String(pending);
}

/** Events per timed round at `pending` pending events: enough to turn the pending set over twice. */
function holdEvents(pending: number, options: BenchOptions): number {
  return Math.max(1000, Math.round(Math.max(2_000_000, 2 * pending) * options.scale));
}

/** Runs the hold model at one size for every contender; rounds interleave. */
function measure(pending: number, options: BenchOptions): Record<Contender['name'], Measurement> {
  const events = holdEvents(pending, options);
  const contenders = [kernel(pending, 1), queue(pending, 1), reference(pending, 1)];
  // Warm-up: JIT, and the pending set settling into its steady state (the
  // hold model turns the whole set over about twice per simulated second).
  for (const contender of contenders) contender.run(Math.round(events * 1.5));
  const rates: Record<string, number[]> = {};
  for (let round = 0; round < options.rounds; round++) {
    for (const contender of contenders) {
      const rate = events / seconds(() => contender.run(events));
      (rates[contender.name] ??= []).push(rate);
    }
    options.log(
      `kernel ${sizeLabel(pending)} round ${round + 1}/${options.rounds}: ` +
        contenders.map((c) => `${c.name} ${formatRate(rates[c.name][round])}/s`).join(', '),
    );
  }
  const result = {} as Record<Contender['name'], Measurement>;
  for (const contender of contenders) {
    const rounds = rates[contender.name].map(Math.round);
    result[contender.name] = { eventsPerSecond: median(rounds), rounds };
  }
  return result;
}

/**
 * The kernel contender alone at `pending` events (warm-up, then the median of
 * `rounds` timed rounds): the hold-model rate other sections compare against.
 */
export function kernelHoldRate(pending: number, options: BenchOptions): Measurement {
  const events = holdEvents(pending, options);
  const contender = kernel(pending, 1);
  contender.run(Math.round(events * 1.5));
  const rounds: number[] = [];
  for (let round = 0; round < options.rounds; round++) rounds.push(Math.round(events / seconds(() => contender.run(events))));
  return { eventsPerSecond: median(rounds), rounds };
}

export const kernelSection: BenchSection = {
  name: 'kernel',
  description: 'hold model (now + U(0, 1 s)) at 1k and 1M pending: kernel vs bare binary heap',
  run(options) {
    const json = {
      kernel: {} as Record<string, Measurement>,
      queue: {} as Record<string, Measurement>,
      reference: {} as Record<string, Measurement>,
      ratios: {} as Record<string, number>,
      target: { pending: 1_000_000, minimumRatio: TARGET_RATIO, met: false },
    };
    const lines = [
      'kernel: hold model, pop the earliest event and schedule one at now + U(0, 1 s); median of ' + `${options.rounds} rounds`,
      `  ${'pending'.padEnd(8)} ${'kernel/s'.padStart(10)} ${'queue/s'.padStart(10)} ${'heap/s'.padStart(10)}  kernel/heap`,
    ];
    for (const pending of SIZES) {
      const label = String(pending);
      const m = measure(pending, options);
      json.kernel[label] = m.kernel;
      json.queue[label] = m.queue;
      json.reference[label] = m.reference;
      const ratio = m.kernel.eventsPerSecond / m.reference.eventsPerSecond;
      json.ratios[label] = Math.round(ratio * 1000) / 1000;
      lines.push(
        `  ${sizeLabel(pending).padEnd(8)} ${formatRate(m.kernel.eventsPerSecond).padStart(10)} ` +
          `${formatRate(m.queue.eventsPerSecond).padStart(10)} ${formatRate(m.reference.eventsPerSecond).padStart(10)}  ` +
          `${ratio.toFixed(2)}x`,
      );
    }
    const ratio = json.ratios[String(json.target.pending)];
    json.target.met = ratio >= TARGET_RATIO;
    lines.push(
      `  target: kernel ≥ ${TARGET_RATIO}x the heap at 1M pending: ${ratio.toFixed(2)}x, ` + (json.target.met ? 'met' : 'NOT met'),
    );
    return { json, lines };
  },
};
