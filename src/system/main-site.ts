import type { MainSiteConfig } from '../scenario/schema.js';
import { Simulation } from '../kernel/simulation.js';
import type { RandomSequence } from '../kernel/random.js';
import { samplerOf, type Sampler } from '../kernel/distributions.js';
import { MultiServerQueue } from '../kernel/multi-server-queue.js';
import { LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import { OriginKind, packTag, type OriginPool } from './origin.js';
import { Link } from './link.js';

/**
 * The main shop's own traffic (DESIGN defence 1: independent deployment).
 * Poisson arrivals at `rps`. Isolated: served by the main site's own pool,
 * and its responses cross a link of its own. Shared: sent to the flash
 * sale's origin pool and link, where the storm's queueing and link
 * saturation hit it (the cascade). Latency (arrival to the response's last
 * byte leaving the link) and errors are measured the same way either way,
 * so the cost of not isolating is a number, not a difference in what is
 * measured.
 *
 * Isolated, the main site shares nothing with the sale, so its events run on
 * a simulation of their own rather than in the sale's million-event queue,
 * where each would cost a bucket slot or a heap entry among the storm's
 * (2,000 requests/s over a 15-minute run are 3.6M events, a sixth of a
 * million-user storm's). Its owner brings it up to date with {@link syncTo}
 * before reading its counters, and ends it with {@link close}. Its events
 * keep their order among themselves, so every figure is the same as on the
 * sale's simulation.
 */
export class MainSite {
  /** Latency of answered requests, µs: sojourn in its own pool (isolated), or arrival to the response's last byte on the origin link (shared). */
  readonly latency = new LatencyHistogram();
  /** Requests sent. */
  requests = 0;
  /** Requests refused by a full queue. */
  errors = 0;
  private readonly own: MultiServerQueue | null;
  /** The sale's simulation when shared, else the main site's own. */
  private readonly sim: Simulation;
  /** Time between arrivals (µs): exponential, mean 1/rps. */
  private readonly gap: Sampler;
  private readonly arrivalKind: number;
  private stopped = false;

  /**
   * @param saleSim the sale's simulation: the main site's events run on it
   *   when the deployment is shared, on a simulation of their own otherwise.
   * @param shared the sale's origin pool when the deployment is shared, else null.
   * @param arrivals draws for the gaps between requests.
   * @param services draws for service times in the own pool.
   * @param ownLinkBytesPerSecond isolated: the capacity of the main site's
   *   own uplink (bytes/s); unused when shared.
   */
  constructor(
    saleSim: Simulation,
    config: MainSiteConfig,
    private readonly shared: OriginPool | null,
    private readonly arrivals: RandomSequence,
    services: RandomSequence,
    ownLinkBytesPerSecond: number,
  ) {
    const sim = shared === null ? new Simulation(64) : saleSim;
    this.sim = sim;
    const meanGapUs = config.rps > 0 ? 1e6 / config.rps : Infinity;
    this.gap = samplerOf({ kind: 'exponential', mean: meanGapUs });
    const service = samplerOf(config.service);
    // Isolated, its responses cross an uplink of its own.
    const link = shared === null ? new Link(ownLinkBytesPerSecond) : null;
    const bytes = config.bytes;
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
              onDone: (_c, _t, _wait, sojourn) => {
                const now = sim.now;
                this.latency.record(sojourn + (link!.transmit(now, bytes) - now));
              },
              onBlocked: () => this.errors++,
            },
          )
        : null;
    this.arrivalKind = sim.register('main-site.arrival', () => this.arrive());
    if (meanGapUs < Infinity) this.scheduleNext();
  }

  /** Events run on the main site's own simulation (isolated); 0 when shared, as they count in the sale's. */
  get ownEvents(): number {
    return this.shared === null ? this.sim.eventsProcessed : 0;
  }

  /** The main site's clock (µs): after {@link close}, when its last request completed (isolated). */
  get nowUs(): number {
    return this.sim.now;
  }

  /**
   * Isolated: runs the main site's events earlier than `timeUs` (integer µs),
   * so that its counters are those the sale's simulation would show at that
   * time before any event scheduled later at the same µs. Shared: nothing to do.
   */
  syncTo(timeUs: number): void {
    if (this.shared === null) this.sim.run({ time: timeUs - 1 });
  }

  /**
   * The run is closing at `timeUs`: no new requests from then on; requests in
   * flight complete (isolated: at once, on the main site's own clock).
   */
  close(timeUs: number): void {
    this.syncTo(timeUs);
    // On the sale's clock the first request, scheduled when the model was
    // built, precedes the close event even at the same µs; every later one
    // comes after it. While no event has run on the main site's own clock,
    // its one pending event is that first request.
    if (this.shared === null && this.sim.eventsProcessed === 0 && this.sim.queue.peekTime() === timeUs) {
      this.sim.run({ time: timeUs, maxEvents: 1 });
    }
    this.stopped = true;
    if (this.shared === null) this.sim.run();
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
    this.sim.schedule(this.gap(this.arrivals.next()), this.arrivalKind);
  }
}
