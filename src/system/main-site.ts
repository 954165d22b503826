import type { MainSiteConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RandomSequence } from '../kernel/random.js';
import { samplerOf, type Sampler } from '../kernel/distributions.js';
import { LatencyHistogram } from '../kernel/stats/latency-histogram.js';
import { OriginKind, packTag, type OriginPool } from './origin.js';
import { Link } from './link.js';
import { MainSitePool } from './main-site-pool.js';

/**
 * The main shop's own traffic (isolating the sale from it is a seed-design
 * defence, docs/domain.md).
 * Poisson arrivals at `rps`. Isolated: served by the main site's own pool,
 * and its responses cross a link of its own. Shared: sent to the flash
 * sale's origin pool and link, where the storm's queueing and link
 * saturation hit it (the cascade). Latency (arrival to the response's last
 * byte leaving the link) and errors are measured the same way either way,
 * so the cost of not isolating is a number, not a difference in what is
 * measured.
 *
 * Isolated, the main site shares nothing with the sale, so its events run in
 * a loop of their own ({@link MainSitePool}) rather than in the sale's
 * million-event queue (2,000 requests/s over a 15-minute run are 3.6M
 * events, a sixth of a million-user storm's). Its owner brings it up to date
 * with {@link syncTo} before reading its counters, and ends it with
 * {@link close}. Its events keep their order among themselves, so every
 * figure is the same as on the sale's simulation.
 */
export class MainSite {
  /** Latency of answered requests, µs: from arrival to the response's last byte leaving the link (its own when isolated, the origin link when shared). */
  readonly latency = new LatencyHistogram();
  #requests = 0;
  #errors = 0;
  /** Requests sent. */
  get requests(): number {
    return this.#requests;
  }

  /** Requests refused by a full queue. */
  get errors(): number {
    return this.#errors;
  }

  /** Isolated: the main site's own pool and event loop; null when shared. */
  private readonly own: MainSitePool | null;
  /** Shared: the sale's simulation, which runs the main site's arrivals; null when isolated. */
  private readonly saleSim: Simulation | null;
  /** Time between arrivals (µs): exponential, mean 1/rps. */
  private readonly gap: Sampler;
  private readonly arrivalKind: number;
  private stopped = false;

  /**
   * @param saleSim the sale's simulation: the main site's arrivals run on it
   *   when the deployment is shared; isolated, the main site runs its own loop.
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
    const meanGapUs = config.rps > 0 ? 1e6 / config.rps : Infinity;
    const gap = samplerOf({ kind: 'exponential', mean: meanGapUs });
    this.gap = gap;
    if (shared === null) {
      const service = samplerOf(config.service);
      // Isolated, its responses cross an uplink of its own.
      const link = new Link(ownLinkBytesPerSecond);
      const bytes = config.bytes;
      const pool: MainSitePool = new MainSitePool({
        servers: config.servers * config.concurrency,
        capacity: config.queue,
        nextGap: () => gap(arrivals.next()),
        nextService: () => service(services.next()),
        onArrival: () => this.#requests++,
        onRefused: () => this.#errors++,
        onDone: (sojournUs) => {
          const now = pool.now;
          this.latency.record(sojournUs + (link.transmit(now, bytes) - now));
        },
      });
      this.own = pool;
      this.saleSim = null;
      this.arrivalKind = -1;
      if (meanGapUs < Infinity) pool.start(gap(arrivals.next()));
    } else {
      this.own = null;
      this.saleSim = saleSim;
      this.arrivalKind = saleSim.register('main-site.arrival', () => this.arrive());
      if (meanGapUs < Infinity) this.scheduleNext();
    }
  }

  /** Events run on the main site's own loop (isolated); 0 when shared, as they count in the sale's. */
  get ownEvents(): number {
    return this.own ? this.own.eventsProcessed : 0;
  }

  /** The main site's clock (µs): after {@link close}, when its last request completed (isolated). */
  get nowUs(): number {
    return this.own ? this.own.now : this.saleSim!.now;
  }

  /**
   * Isolated: runs the main site's events earlier than `timeUs` (integer µs),
   * so that its counters are those the sale's simulation would show at that
   * time before any event scheduled later at the same µs. Shared: nothing to do.
   */
  syncTo(timeUs: number): void {
    this.own?.run(timeUs - 1);
  }

  /**
   * The run is closing at `timeUs`: no new requests from then on; requests in
   * flight complete (isolated: at once, on the main site's own clock).
   */
  close(timeUs: number): void {
    const own = this.own;
    if (own === null) {
      this.stopped = true;
      return;
    }
    own.run(timeUs - 1);
    // On the sale's clock the first request, scheduled when the model was
    // built, precedes the close event even at the same µs; every later one
    // comes after it. While no event has run on the main site's own clock,
    // its one pending event is that first request.
    if (own.eventsProcessed === 0 && own.peekTime() === timeUs) own.run(timeUs, 1);
    own.stopArrivals();
    own.run();
  }

  /** A shared-pool answer for a main-site request that arrived at `arrivedUs`. */
  answered(arrivedUs: number, linkDoneUs: number, ok: boolean): void {
    if (ok) this.latency.record(linkDoneUs - arrivedUs);
    else this.#errors++;
  }

  /** Shared: a request arrives on the sale's simulation and goes to its origin pool. */
  private arrive(): void {
    if (this.stopped) return;
    this.#requests++;
    this.shared!.request(-1, packTag(0, OriginKind.MainSite));
    this.scheduleNext();
  }

  private scheduleNext(): void {
    this.saleSim!.schedule(this.gap(this.arrivals.next()), this.arrivalKind);
  }
}
