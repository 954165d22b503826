import type { MainSiteConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RandomSequence } from '../kernel/random.js';
import { samplerOf } from '../kernel/distributions.js';
import { MultiServerQueue } from '../kernel/multi-server-queue.js';
import { LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import { OriginKind, packTag, type OriginPool } from './origin.js';

/**
 * The main shop's own traffic (DESIGN defence 1: independent deployment).
 * Poisson arrivals at `rps`. Isolated: served by the main site's own pool.
 * Shared: sent to the flash sale's origin pool, where the storm's queueing
 * and link saturation hit it (the cascade). Latency and errors are measured
 * either way, so the cost of not isolating is a number.
 */
export class MainSite {
  readonly latency = new LatencyHistogram();
  requests = 0;
  errors = 0;
  private readonly own: MultiServerQueue | null;
  private readonly meanGapUs: number;
  private readonly arrivalKind: number;
  private stopped = false;

  constructor(
    private readonly sim: Simulation,
    config: MainSiteConfig,
    private readonly shared: OriginPool | null,
    private readonly arrivals: RandomSequence,
    services: RandomSequence,
  ) {
    this.meanGapUs = config.rps > 0 ? 1e6 / config.rps : Infinity;
    const service = samplerOf(config.service);
    this.own =
      shared === null
        ? new MultiServerQueue(
            sim,
            {
              name: 'main-site',
              servers: config.servers * config.concurrency,
              capacity: config.queue,
              serviceTime: () => service(services.next()),
            },
            {
              onDone: (_c, _t, _wait, sojourn) => this.latency.record(sojourn),
              onBlocked: () => this.errors++,
            },
          )
        : null;
    this.arrivalKind = sim.register('main-site.arrival', () => this.arrive());
    if (this.meanGapUs < Infinity) this.scheduleNext();
  }

  /** Stops generating new requests (the run is closing). */
  stop(): void {
    this.stopped = true;
  }

  /** A shared-pool answer for a main-site request that arrived at `arrivedUs`. */
  answered(arrivedUs: number, linkDoneUs: number, ok: boolean): void {
    if (ok) this.latency.record(linkDoneUs - arrivedUs);
    else this.errors++;
  }

  private arrive(): void {
    if (this.stopped) return;
    this.requests++;
    if (this.own) this.own.arrive(-1, 0);
    else this.shared!.request(-1, packTag(0, OriginKind.MainSite));
    this.scheduleNext();
  }

  private scheduleNext(): void {
    this.sim.schedule(-this.meanGapUs * Math.log(1 - this.arrivals.next()), this.arrivalKind);
  }
}
