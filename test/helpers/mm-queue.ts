import { Simulation } from '../../src/kernel/simulation.js';
import { RandomSource } from '../../src/kernel/random.js';
import { MultiServerQueue } from '../../src/kernel/multi-server-queue.js';

/** One replication of an M/M/c/K queue driven by the kernel. Times in µs. */
export interface MMRunOptions {
  servers: number;
  capacity: number;
  /** Mean interarrival time, µs. */
  meanInterarrivalUs: number;
  /** Mean service time, µs. */
  meanServiceUs: number;
  warmupUs: number;
  /** Observation window after the warm-up, µs. */
  runUs: number;
  seed: number | string;
  replication: number;
}

/** Post-warm-up observations of one replication. */
export interface MMRunResult {
  arrivals: number;
  served: number;
  blocked: number;
  /** Mean wait in queue of customers served in the window, µs. */
  meanWaitUs: number;
  /** Mean sojourn of customers served in the window, µs. */
  meanSojournUs: number;
  /** Time-average number in system over the window (busy + waiting gauges). */
  meanInSystem: number;
  /** Sum of sojourns of customers served in the window / window length: λ_eff × W. */
  lambdaW: number;
  /** Blocked / arrivals in the window. */
  blockingProbability: number;
  /** busyGauge mean / servers. */
  utilisation: number;
  events: number;
}

/**
 * Poisson arrivals (stream "arrivals", successive draws of entity 0) and
 * exponential service (stream "service", keyed by customer number) into a
 * {@link MultiServerQueue}; statistics cut at `warmupUs`.
 */
export function runMM(o: MMRunOptions): MMRunResult {
  const sim = new Simulation();
  const source = new RandomSource(o.seed, o.replication);
  const arrivals = source.stream('arrivals').sequence(0);
  const service = source.stream('service');
  const meanA = o.meanInterarrivalUs;
  const meanS = o.meanServiceUs;
  const queue = new MultiServerQueue(
    sim,
    {
      servers: o.servers,
      capacity: o.capacity,
      name: 'mm',
      serviceTime: (customer) => -meanS * Math.log(1 - service.uniform(customer, 0)),
    },
    { onDone() {}, onBlocked() {} },
  );
  let next = 0;
  const arrive = sim.register('arrival', () => {
    queue.arrive(next++, 0);
    sim.schedule(-meanA * Math.log(1 - arrivals.next()), arrive);
  });
  sim.schedule(-meanA * Math.log(1 - arrivals.next()), arrive);
  sim.run({ time: o.warmupUs });
  queue.resetStatistics(sim.now);
  sim.run({ time: o.warmupUs + o.runUs });
  const now = sim.now;
  const window = now - o.warmupUs;
  return {
    arrivals: queue.arrivals,
    served: queue.served,
    blocked: queue.blocked,
    meanWaitUs: queue.waitSumUs / queue.served,
    meanSojournUs: queue.sojournSumUs / queue.served,
    meanInSystem: queue.busyGauge.mean(now) + queue.queueGauge.mean(now),
    lambdaW: queue.sojournSumUs / window,
    blockingProbability: queue.blocked / queue.arrivals,
    utilisation: queue.busyGauge.mean(now) / o.servers,
    events: sim.eventsProcessed,
  };
}
