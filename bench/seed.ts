/**
 * Seed-design storm benchmark: scenarios/flash-sale.yaml's seed
 * design at 1,000,000 users, single-threaded, against the kernel's hold
 * benchmark at the storm's own mean pending count, measured in the same run.
 *
 * - Events/s: the event loop's rate (model built, `sim.run()` timed, result
 *   not yet built), the figure comparable with the hold benchmark's, and the
 *   end-to-end rate including building the model and the result. Median of
 *   `min(rounds, 3)` runs, each in a fresh child process.
 * - Pending count: the event-weighted mean (and peak) of pending events
 *   during the loop, sampled every 4096 events; the hold benchmark runs at
 *   that mean ("a similar pending count").
 * - Memory: peak RSS of a child at 1M and at 250k users; their difference
 *   over 750k users is the cost per user, the rest is the fixed base.
 *
 * - Queue share: the storm's own push/pop sequence, recorded in one more
 *   child and replayed through a bare {@link EventQueue} with no handlers:
 *   the queue's cost for this pattern, hence the ceiling of storm/hold if
 *   handling an event cost nothing.
 *
 * Targets: loop events/s ≥ half the hold benchmark's; ≤ 150 bytes per user.
 */
import { fileURLToPath } from 'node:url';
import { childMain, FLASH_SALE_SCENARIO, runChild } from './child.js';
import { kernelHoldRate } from './kernel.js';
import { formatRate, median, seconds, type BenchOptions, type BenchSection } from './section.js';
import { EventQueue } from '../src/kernel/event-queue.js';
import type { FlashSaleModel } from '../src/model/flash-sale-model.js';

const USERS = 1_000_000;
const SMALL_USERS = 250_000;
const TARGET_RATIO = 0.5;
const TARGET_BYTES_PER_USER = 150;
const SAMPLE_EVERY = 4096;

/** What one child run reports. */
interface SeedRun {
  users: number;
  buildMs: number;
  loopMs: number;
  resultMs: number;
  events: number;
  meanPending: number;
  peakPending: number;
  peakRssBytes: number;
}

/** What the queue-share child reports. */
interface QueueShare {
  pops: number;
  /** Pops (with their pushes) per second of each replay. */
  rounds: number[];
}

/** Push times and, per pop, how many pushes preceded it: one queue's sequence of operations. */
class QueueTrace {
  times = new Float64Array(1 << 20);
  pushes = 0;
  popAfter = new Int32Array(1 << 20);
  pops = 0;

  push(time: number): void {
    if (this.pushes === this.times.length) this.times = grown(this.times);
    this.times[this.pushes++] = time;
  }

  pop(): void {
    if (this.pops === this.popAfter.length) this.popAfter = grown(this.popAfter);
    this.popAfter[this.pops++] = this.pushes;
  }

  /** Seconds to replay the trace through a fresh queue (the sale's run pops without a time limit). */
  replay(): number {
    const queue = new EventQueue(this.pushes);
    const { times, popAfter } = this;
    return seconds(() => {
      let j = 0;
      for (let i = 0; i < this.pops; i++) {
        for (const end = popAfter[i]; j < end; j++) queue.push(times[j], 0, j, 0);
        queue.pop(Infinity);
      }
    });
  }
}

function grown<T extends Float64Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** Records the operations of every queue while the seed design runs, then replays the sale's. */
async function queueShareChild(users: number, rounds: number): Promise<QueueShare> {
  const traces = new Map<EventQueue, QueueTrace>();
  const trace = (queue: EventQueue): QueueTrace => {
    let t = traces.get(queue);
    if (t === undefined) traces.set(queue, (t = new QueueTrace()));
    return t;
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped below and called with the queue as `this`.
  const { push, pop } = EventQueue.prototype;
  EventQueue.prototype.push = function (this: EventQueue, time, kind, a, b) {
    trace(this).push(time);
    push.call(this, time, kind, a, b);
  };
  EventQueue.prototype.pop = function (this: EventQueue, limit) {
    trace(this).pop();
    return pop.call(this, limit);
  };
  const model = (await seedDesign(users))();
  model.sim.run({});
  EventQueue.prototype.push = push;
  EventQueue.prototype.pop = pop;
  const sale = traces.get(model.sim.queue)!;
  sale.replay(); // warm-up
  const measured: number[] = [];
  for (let i = 0; i < rounds; i++) measured.push(Math.round(sale.pops / sale.replay()));
  return { pops: sale.pops, rounds: measured };
}

/** A builder of the seed design's model at `users` users (modules loaded and the scenario resolved beforehand). */
async function seedDesign(users: number): Promise<() => FlashSaleModel> {
  const { prepareRun } = await import('../src/app/prepare.js');
  const { FlashSaleModel } = await import('../src/model/flash-sale-model.js');
  const task = prepareRun(FLASH_SALE_SCENARIO, { users, strategies: ['seed-design'] }).plan.tasks[0];
  return () => new FlashSaleModel(task.config, { strategy: task.strategy, replication: task.replication, seed: task.seed });
}

async function child(argv: string[]): Promise<SeedRun | QueueShare> {
  const users = Number(argv[0]);
  if (argv[1] === 'queue-share') return queueShareChild(users, Number(argv[2]));
  const build = await seedDesign(users);
  const { buildResult } = await import('../src/model/build-result.js');
  const started = performance.now();
  const model = build();
  const built = performance.now();
  let samples = 0;
  let pendingSum = 0;
  let peakPending = 0;
  model.sim.run(
    {},
    {
      every: SAMPLE_EVERY,
      onProgress: (sim) => {
        const pending = sim.pending;
        samples++;
        pendingSum += pending;
        if (pending > peakPending) peakPending = pending;
      },
    },
  );
  const looped = performance.now();
  buildResult(model);
  const finished = performance.now();
  return {
    users,
    buildMs: built - started,
    loopMs: looped - built,
    resultMs: finished - looped,
    events: model.eventsProcessed,
    meanPending: samples > 0 ? pendingSum / samples : 0,
    peakPending,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)}s`;
const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

export const seedSection: BenchSection = {
  name: 'seed',
  description: 'seed design, 1M users, 1 thread: loop events/s vs the kernel hold benchmark at the same pending count; RSS per user',
  async run(options: BenchOptions) {
    const file = fileURLToPath(import.meta.url);
    const users = Math.max(4_000, Math.round(USERS * options.scale));
    const small = Math.max(1_000, Math.round(SMALL_USERS * options.scale));
    const repeats = Math.min(options.rounds, 3);
    const runs: SeedRun[] = [];
    for (let i = 0; i < repeats; i++) {
      options.log(`seed: ${users.toLocaleString('en')} users, run ${i + 1}/${repeats} …`);
      runs.push(await runChild<SeedRun>(file, [String(users)]));
    }
    options.log(`seed: ${small.toLocaleString('en')} users (memory baseline) …`);
    const smallRun = await runChild<SeedRun>(file, [String(small)]);
    const byLoop = [...runs].sort((a, b) => a.loopMs - b.loopMs);
    const typical = byLoop[(byLoop.length - 1) >> 1];
    const loopRate = typical.events / (typical.loopMs / 1000);
    const endToEnd = median(runs.map((r) => r.events / ((r.buildMs + r.loopMs + r.resultMs) / 1000)));
    const pending = Math.round(typical.meanPending);
    options.log(`seed: kernel hold benchmark at ${pending.toLocaleString('en')} pending …`);
    const hold = kernelHoldRate(pending, options);
    const ratio = loopRate / hold.eventsPerSecond;
    options.log(`seed: the storm's queue operations alone (recorded, then replayed) …`);
    const share = await runChild<QueueShare>(file, [String(users), 'queue-share', String(repeats)]);
    const queueRate = median(share.rounds);
    // What the target leaves for everything but the queue: the loop may take
    // events / (target × hold) seconds, of which the queue's own operations
    // (measured above on a bare queue) take pops / queueRate.
    const queueSeconds = share.pops / queueRate;
    const targetLoopSeconds = typical.events / (TARGET_RATIO * hold.eventsPerSecond);
    const restSeconds = typical.loopMs / 1000 - queueSeconds;
    const restBudgetSeconds = targetLoopSeconds - queueSeconds;
    const perEventNs = (s: number): number => Math.round((s * 1e9) / typical.events);
    const peakRss = Math.max(...runs.map((r) => r.peakRssBytes));
    const bytesPerUser = (peakRss - smallRun.peakRssBytes) / (users - small);
    const baseBytes = smallRun.peakRssBytes - bytesPerUser * small;
    const json = {
      seed: {
        scenario: 'scenarios/flash-sale.yaml',
        strategy: 'seed-design',
        users,
        runs: runs.map((r) => ({ buildMs: Math.round(r.buildMs), loopMs: Math.round(r.loopMs), resultMs: Math.round(r.resultMs) })),
        events: typical.events,
        wallMs: Math.round(typical.buildMs + typical.loopMs + typical.resultMs),
        loopEventsPerSecond: Math.round(loopRate),
        endToEndEventsPerSecond: Math.round(endToEnd),
        meanPending: pending,
        peakPending: typical.peakPending,
        kernelHold: hold,
        ratio: Math.round(ratio * 1000) / 1000,
        queueOnly: {
          pops: share.pops,
          eventsPerSecond: queueRate,
          rounds: share.rounds,
          ratioToHold: Math.round((queueRate / hold.eventsPerSecond) * 1000) / 1000,
        },
        budget: {
          targetLoopMs: Math.round(targetLoopSeconds * 1000),
          queueMs: Math.round(queueSeconds * 1000),
          restMs: Math.round(restSeconds * 1000),
          restBudgetMs: Math.round(restBudgetSeconds * 1000),
          restNsPerEvent: perEventNs(restSeconds),
          restBudgetNsPerEvent: perEventNs(restBudgetSeconds),
        },
        peakRssMiB: mib(peakRss),
        smallUsers: small,
        smallPeakRssMiB: mib(smallRun.peakRssBytes),
        bytesPerUser: Math.round(bytesPerUser),
        baseMiB: mib(baseBytes),
        targets: {
          ratio: TARGET_RATIO,
          ratioMet: ratio >= TARGET_RATIO,
          bytesPerUser: TARGET_BYTES_PER_USER,
          bytesPerUserMet: bytesPerUser <= TARGET_BYTES_PER_USER,
        },
      },
    };
    const lines = [
      `seed: flash-sale.yaml seed design, ${users.toLocaleString('en')} users, 1 thread; median of ${repeats} runs, each in a fresh process`,
      `  ${typical.events.toLocaleString('en')} events; build ${secs(typical.buildMs)} + loop ${secs(typical.loopMs)} + result ${secs(typical.resultMs)} = ${secs(typical.buildMs + typical.loopMs + typical.resultMs)} wall`,
      `  loop ${formatRate(loopRate)} events/s (end to end ${formatRate(endToEnd)}/s); pending events: mean ${pending.toLocaleString('en')}, peak ${typical.peakPending.toLocaleString('en')}`,
      `  kernel hold benchmark at ${pending.toLocaleString('en')} pending: ${formatRate(hold.eventsPerSecond)} events/s; storm/hold ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}): ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`,
      `  the sale's ${share.pops.toLocaleString('en')} pops and their pushes, replayed on a bare queue: ${formatRate(queueRate)}/s (${(queueRate / hold.eventsPerSecond).toFixed(2)}x hold), ` +
        `${secs(queueSeconds * 1000)} of the ${secs(typical.loopMs)} loop; the rest is handlers, dispatch and the main site's own simulation`,
      `  storm/hold ${TARGET_RATIO} needs a loop of at most ${secs(targetLoopSeconds * 1000)}: after the queue's ${secs(queueSeconds * 1000)}, ` +
        `${restBudgetSeconds > 0 ? `${secs(restBudgetSeconds * 1000)} (${perEventNs(restBudgetSeconds)} ns per event)` : 'nothing'} for the rest, which takes ${secs(restSeconds * 1000)} (${perEventNs(restSeconds)} ns per event)`,
      `  peak RSS ${mib(peakRss)} MiB (${small.toLocaleString('en')} users: ${mib(smallRun.peakRssBytes)} MiB): ${Math.round(bytesPerUser)} bytes/user above a ${mib(baseBytes)} MiB base (target ≤ ${TARGET_BYTES_PER_USER}): ${bytesPerUser <= TARGET_BYTES_PER_USER ? 'met' : 'NOT met'}`,
    ];
    return { json, lines };
  },
};

childMain(import.meta.url, child);
