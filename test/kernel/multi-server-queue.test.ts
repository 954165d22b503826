import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation } from '../../src/kernel/simulation.js';
import { RandomSource } from '../../src/kernel/random.js';
import { MultiServerQueue, type MultiServerQueueOptions, type QueueListener } from '../../src/kernel/multi-server-queue.js';

type Outcome =
  | { kind: 'done'; customer: number; tag: number; at: number; wait: number; sojourn: number }
  | { kind: 'blocked'; customer: number; tag: number; at: number }
  | { kind: 'reneged'; customer: number; tag: number; at: number };

/** A queue whose listener logs every outcome with the simulation time. */
function setup(options: Partial<MultiServerQueueOptions> & { serviceTime: MultiServerQueueOptions['serviceTime'] }) {
  const sim = new Simulation();
  const log: Outcome[] = [];
  const listener: QueueListener = {
    onDone: (customer, tag, wait, sojourn) => log.push({ kind: 'done', customer, tag, at: sim.now, wait, sojourn }),
    onBlocked: (customer, tag) => log.push({ kind: 'blocked', customer, tag, at: sim.now }),
    onReneged: (customer, tag) => log.push({ kind: 'reneged', customer, tag, at: sim.now }),
  };
  const queue = new MultiServerQueue(sim, { servers: 1, capacity: Infinity, name: 'q', ...options }, listener);
  /** Schedules arrival of customer i (tag 100 + i) at times[i]. */
  const arrivals = (times: number[]) => {
    const kind = sim.register('test-arrival', (customer) => queue.arrive(customer, 100 + customer));
    times.forEach((t, i) => sim.scheduleAt(t, kind, i, 0));
  };
  return { sim, queue, log, arrivals };
}

function consistent(q: MultiServerQueue): boolean {
  return q.arrivals + q.inSystemAtReset === q.served + q.blocked + q.reneged + q.inSystem;
}

describe('MultiServerQueue mechanics', () => {
  it('serves in FIFO order on one server; wait and sojourn are exact', () => {
    const { sim, queue, log, arrivals } = setup({ serviceTime: () => 10 });
    arrivals([0, 0, 0, 3, 4]);
    sim.run();
    expect(log).toEqual([
      { kind: 'done', customer: 0, tag: 100, at: 10, wait: 0, sojourn: 10 },
      { kind: 'done', customer: 1, tag: 101, at: 20, wait: 10, sojourn: 20 },
      { kind: 'done', customer: 2, tag: 102, at: 30, wait: 20, sojourn: 30 },
      { kind: 'done', customer: 3, tag: 103, at: 40, wait: 27, sojourn: 37 },
      { kind: 'done', customer: 4, tag: 104, at: 50, wait: 36, sojourn: 46 },
    ]);
    expect(queue.served).toBe(5);
    expect(queue.waitSumUs).toBe(0 + 10 + 20 + 27 + 36);
    expect(queue.sojournSumUs).toBe(10 + 20 + 30 + 37 + 46);
    expect(queue.maxWaitSeenUs).toBe(36);
    expect(queue.inSystem).toBe(0);
  });

  it('serves in FIFO order on several servers', () => {
    // Service time depends on the customer so that servers free up out of order.
    const service = [50, 10, 30, 5, 5, 5, 5];
    const { sim, log, arrivals } = setup({ servers: 3, serviceTime: (c) => service[c] });
    arrivals([0, 0, 0, 1, 2, 3, 4]);
    const starts: number[] = [];
    sim.run();
    for (const o of log) if (o.kind === 'done') starts[o.customer] = o.at - o.sojourn + o.wait;
    // Customers 3.. start in arrival order as servers free up: 10 (after 1), 15 (after 3), 20 (after 4), 25.
    expect(starts.slice(3)).toEqual([10, 15, 20, 25]);
    for (let i = 4; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]);
  });

  it('blocks arrivals when every server is busy and the queue is full', () => {
    const { sim, queue, log, arrivals } = setup({ servers: 2, capacity: 2, serviceTime: () => 100 });
    expect(queue.accepting).toBe(true);
    arrivals([0, 0, 0, 0, 0, 0]);
    sim.run({ time: 0 });
    expect(queue.busy).toBe(2);
    expect(queue.waiting).toBe(2);
    // `accepting` says in advance what arrive() would do now: refuse.
    expect(queue.accepting).toBe(false);
    expect(log).toEqual([
      { kind: 'blocked', customer: 4, tag: 104, at: 0 },
      { kind: 'blocked', customer: 5, tag: 105, at: 0 },
    ]);
    expect(consistent(queue)).toBe(true);
    sim.run();
    expect(queue.served).toBe(4);
    expect(queue.blocked).toBe(2);
    expect(consistent(queue)).toBe(true);
  });

  it('capacity 0 is a pure loss system (Erlang B): no one ever waits', () => {
    const { sim, queue, log, arrivals } = setup({ servers: 3, capacity: 0, serviceTime: () => 10 });
    arrivals([0, 1, 2, 3, 4, 10, 11]);
    sim.run();
    // Customer 5's arrival at 10 was scheduled (up front) before customer 0's
    // completion at 10, so it runs first and finds every server busy.
    expect(log.filter((o) => o.kind === 'blocked').map((o) => o.customer)).toEqual([3, 4, 5]);
    expect(log.every((o) => o.kind !== 'done' || o.wait === 0)).toBe(true);
    expect(queue.queueGauge.max).toBe(0);
    expect(queue.served).toBe(4);
  });

  it('reneges exactly at arrival + maxWaitUs, and not once service has started', () => {
    const { sim, queue, log, arrivals } = setup({ maxWaitUs: 30, serviceTime: () => 100 });
    // 0 is served at once; 1 and 2 give up at 40 and 50; 3 arrives at 80 and starts at 100 (waits 20 < 30).
    arrivals([0, 10, 20, 80]);
    sim.run({ time: 39 });
    expect(queue.waiting).toBe(2);
    sim.run({ time: 40 });
    expect(queue.waiting).toBe(1);
    sim.run();
    expect(log).toEqual([
      { kind: 'reneged', customer: 1, tag: 101, at: 40 },
      { kind: 'reneged', customer: 2, tag: 102, at: 50 },
      { kind: 'done', customer: 0, tag: 100, at: 100, wait: 0, sojourn: 100 },
      { kind: 'done', customer: 3, tag: 103, at: 200, wait: 20, sojourn: 120 },
    ]);
    expect(queue.reneged).toBe(2);
    expect(consistent(queue)).toBe(true);
    expect(queue.queueGauge.level).toBe(0);
  });

  it('a deadline at the same µs as a completion scheduled earlier loses: the customer is served', () => {
    // Customer 0's completion (at 30) was scheduled before customer 1's
    // deadline (at 0 + 30), so it runs first and customer 1 starts service.
    const { sim, log, arrivals } = setup({ maxWaitUs: 30, serviceTime: () => 30 });
    arrivals([0, 0]);
    sim.run();
    expect(log.map((o) => [o.kind, o.customer, o.at])).toEqual([
      ['done', 0, 30],
      ['done', 1, 60],
    ]);
  });

  it('keeps deadlines right while the waiting line grows its ring buffer', () => {
    // 200 customers queue behind one long service; the ring grows from 16 several times.
    const n = 200;
    const times = Array.from({ length: n + 1 }, (_, i) => i);
    const { sim, queue, log, arrivals } = setup({ maxWaitUs: 1000, serviceTime: (c) => (c === 0 ? 1500 : 1) });
    arrivals(times);
    sim.run({ time: n });
    expect(queue.waiting).toBe(n);
    sim.run();
    const reneged = log.filter((o) => o.kind === 'reneged');
    // Customer i (arrived at i) reneges at i + 1000 < 1500.
    expect(reneged.map((o) => o.customer)).toEqual(times.slice(1));
    expect(reneged.every((o) => o.at === o.customer + 1000)).toBe(true);
    expect(queue.waiting).toBe(0);
    expect(consistent(queue)).toBe(true);
  });

  it('Infinity servers serve every arrival at once', () => {
    const { sim, queue, log, arrivals } = setup({ servers: Infinity, capacity: 0, serviceTime: () => 5 });
    arrivals(new Array(1000).fill(0));
    sim.run({ time: 0 });
    expect(queue.busy).toBe(1000);
    sim.run();
    expect(log).toHaveLength(1000);
    expect(log.every((o) => o.kind === 'done' && o.wait === 0 && o.at === 5)).toBe(true);
    expect(queue.busyGauge.max).toBe(1000);
    expect(queue.busyGauge.mean(5)).toBe(1000);
  });

  it('calls serviceTime when service starts, with busy already counting the customer', () => {
    const seen: number[] = [];
    const { sim, queue, log, arrivals } = setup({
      servers: 3,
      serviceTime: () => {
        seen.push(queue.busy);
        return 10 * queue.busy;
      },
    });
    arrivals([0, 1, 2, 3]);
    sim.run();
    expect(seen).toEqual([1, 2, 3, 3]);
    expect(log.map((o) => (o.kind === 'done' ? [o.customer, o.sojourn] : null))).toEqual([
      [0, 10],
      [1, 20],
      [2, 30],
      [3, 37], // arrived at 3, started at 10 when customer 0 left (busy = 3 again), served 30
    ]);
  });

  it('a listener that re-enters arrive() from onDone cannot overtake the waiting line', () => {
    const sim = new Simulation();
    const order: number[] = [];
    const queue: MultiServerQueue = new MultiServerQueue(
      sim,
      { servers: 1, capacity: Infinity, name: 'q', serviceTime: () => 10 },
      {
        onDone(customer) {
          order.push(customer);
          if (customer === 0) queue.arrive(99, 0);
        },
        onBlocked() {},
      },
    );
    const kind = sim.register('a', (c) => queue.arrive(c, 0));
    sim.scheduleAt(0, kind, 0, 0);
    sim.scheduleAt(1, kind, 1, 0);
    sim.scheduleAt(2, kind, 2, 0);
    sim.run();
    expect(order).toEqual([0, 1, 2, 99]);
  });

  it('time-weighted gauges give utilisation and mean queue length; resetStatistics is the warm-up cut', () => {
    const { sim, queue, arrivals } = setup({ servers: 2, serviceTime: () => 100 });
    arrivals([0, 0, 0, 50]);
    sim.run({ time: 100 });
    // Busy: 2 on [0,100]. Waiting: 1 on [0,50), 2 on [50,100].
    expect(queue.busyGauge.mean(100) / queue.servers).toBe(1);
    expect(queue.queueGauge.mean(100)).toBe(1.5);
    queue.resetStatistics(sim.now);
    // run({ time: 100 }) handled the events at 100: 0 and 1 left, 2 and 3 started.
    expect(queue.inSystemAtReset).toBe(2);
    sim.run();
    // After the cut: 2 and 3 serve on [100, 200].
    expect(queue.served).toBe(2);
    expect(queue.arrivals).toBe(0);
    expect(consistent(queue)).toBe(true);
    expect(queue.busyGauge.mean(200)).toBe(2);
    expect(queue.queueGauge.mean(200)).toBe(0);
  });

  // Guards inSystemAtReset counting waiting customers, not only those in service, so that
  // arrivals + inSystemAtReset = served + blocked + reneged + inSystem holds after a cut.
  it('a cut with customers waiting counts them in inSystemAtReset', () => {
    const { sim, queue, arrivals } = setup({ servers: 1, serviceTime: () => 100 });
    arrivals([0, 0, 0]);
    sim.run({ time: 50 });
    expect([queue.busy, queue.waiting]).toEqual([1, 2]);
    queue.resetStatistics();
    expect(queue.inSystemAtReset).toBe(3);
    sim.run();
    expect(queue.served).toBe(3);
    expect(consistent(queue)).toBe(true);
  });

  it('rejects invalid options', () => {
    const sim = new Simulation();
    const l: QueueListener = { onDone() {}, onBlocked() {} };
    const base = { name: 'q', serviceTime: () => 1 };
    expect(() => new MultiServerQueue(sim, { ...base, servers: 0, capacity: 0 }, l)).toThrow(RangeError);
    expect(() => new MultiServerQueue(sim, { ...base, servers: 1.5, capacity: 0 }, l)).toThrow(RangeError);
    expect(() => new MultiServerQueue(sim, { ...base, servers: 1, capacity: -1 }, l)).toThrow(RangeError);
    expect(() => new MultiServerQueue(sim, { ...base, servers: 1, capacity: 1, maxWaitUs: -1 }, l)).toThrow(RangeError);
  });
});

describe('MultiServerQueue against independent recursions', () => {
  /**
   * FIFO G/G/c waits satisfy the Kiefer–Wolfowitz recursion on the sorted
   * workload vector (Lindley's recursion for c = 1): customer n waits
   * W[0]; then W[0] += S_n, every entry drops by the next interarrival time
   * (floored at 0), and the vector is re-sorted. With the same rounded draws
   * the queue must reproduce every wait exactly.
   */
  for (const c of [1, 3]) {
    it(`reproduces the ${c === 1 ? 'Lindley' : 'Kiefer–Wolfowitz'} recursion exactly (c = ${c})`, () => {
      const rho = 0.85;
      const meanS = 1000;
      const meanA = meanS / (rho * c);
      const n = 20_000;
      const src = new RandomSource('kw', c);
      const arrivalStream = src.stream('arrivals');
      const serviceStream = src.stream('service');
      const interarrival = (k: number) => Math.round(-meanA * Math.log(1 - arrivalStream.uniform(0, k)));
      const service = (k: number) => Math.round(-meanS * Math.log(1 - serviceStream.uniform(k, 0)));

      const expected = new Float64Array(n);
      const work = new Float64Array(c);
      for (let k = 0; k < n; k++) {
        expected[k] = work[0];
        work[0] += service(k);
        const a = interarrival(k + 1);
        for (let j = 0; j < c; j++) work[j] = Math.max(0, work[j] - a);
        work.sort();
      }

      const sim = new Simulation();
      const waits = new Float64Array(n).fill(-1);
      const queue = new MultiServerQueue(
        sim,
        { servers: c, capacity: Infinity, name: 'kw', serviceTime: (k) => service(k) },
        { onDone: (k, _tag, wait) => (waits[k] = wait), onBlocked: () => {} },
      );
      let next = 0;
      const arrive = sim.register('arrive', () => {
        queue.arrive(next, 0);
        next++;
        if (next < n) sim.schedule(interarrival(next), arrive);
      });
      sim.scheduleAt(0, arrive);
      sim.run();
      expect(queue.served).toBe(n);
      let mismatches = 0;
      for (let k = 0; k < n; k++) if (waits[k] !== expected[k]) mismatches++;
      expect(mismatches).toBe(0);
    });
  }
});

describe('MultiServerQueue properties (random arrivals, services, capacities, deadlines)', () => {
  it('is work-conserving, FIFO, within limits, and accounts for every customer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 5 })),
        fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 80 }),
        (servers, capacity, maxWaitUs, customers) => {
          const sim = new Simulation();
          const arrivalAt: number[] = [];
          const startAt: number[] = [];
          const outcome: string[] = [];
          let violations = 0;
          // eslint-disable-next-line prefer-const -- assigned after the callbacks that read it.
          let queue!: MultiServerQueue;
          const check = () => {
            if (queue.waiting > 0 && queue.busy < servers) violations++; // idle server while someone waits
            if (queue.waiting > capacity || queue.busy > servers) violations++;
            if (!consistent(queue)) violations++;
          };
          queue = new MultiServerQueue(
            sim,
            {
              servers,
              capacity,
              maxWaitUs,
              name: 'p',
              serviceTime: (c) => {
                startAt[c] = sim.now;
                return customers[c][1];
              },
            },
            {
              onDone(c, tag, wait, sojourn) {
                if (outcome[c] !== undefined || tag !== c + 7) violations++;
                outcome[c] = 'done';
                if (wait !== startAt[c] - arrivalAt[c] || sojourn !== sim.now - arrivalAt[c]) violations++;
                if (maxWaitUs !== undefined && wait > maxWaitUs) violations++;
              },
              onBlocked(c) {
                if (outcome[c] !== undefined) violations++;
                outcome[c] = 'blocked';
                if (queue.waiting !== capacity || queue.busy !== servers) violations++;
              },
              onReneged(c) {
                if (outcome[c] !== undefined) violations++;
                outcome[c] = 'reneged';
                if (sim.now !== arrivalAt[c] + maxWaitUs!) violations++;
              },
            },
          );
          const kind = sim.register('arrive', (c) => {
            arrivalAt[c] = sim.now;
            queue.arrive(c, c + 7);
            check();
          });
          let t = 0;
          customers.forEach(([gap], c) => {
            t += gap;
            sim.scheduleAt(t, kind, c, 0);
          });
          sim.run({}, { every: 1, onProgress: check });
          // Everyone has exactly one outcome; service starts follow arrival order.
          const served = customers.map((_, c) => c).filter((c) => startAt[c] !== undefined);
          for (let i = 1; i < served.length; i++) {
            if (startAt[served[i]] < startAt[served[i - 1]]) violations++;
          }
          expect(violations).toBe(0);
          expect(outcome.filter((o) => o !== undefined)).toHaveLength(customers.length);
          expect(queue.inSystem).toBe(0);
          expect(queue.arrivals).toBe(queue.served + queue.blocked + queue.reneged);
        },
      ),
      { numRuns: 300 },
    );
  });
});
