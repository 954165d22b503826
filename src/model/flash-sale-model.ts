import type { ResolvedConfig } from '../scenario/schema.js';
import { Simulation } from '../kernel/simulation.js';
import { RandomSource } from '../kernel/random.js';
import { Cdn, CdnObject } from '../system/cdn.js';
import { OriginKind, OriginPool, packTag, tagGen } from '../system/origin.js';
import { MainSite } from '../system/main-site.js';
import { EdgeFetches } from '../system/edge-fetches.js';
import { OrderFlow, orderFlowStreams } from '../system/order-flow.js';
import { STREAM } from '../system/streams.js';
import { tokenSecretSeed } from '../system/token-gate.js';
import { Users } from '../workload/users.js';
import { SeriesRecorder } from './series-recorder.js';

/** How far a run has got, for progress displays. */
export interface RunProgress {
  /** Simulated time reached, µs (may pass `durationUs` while in-flight requests drain). */
  simulatedUs: number;
  /** The scenario's duration, µs. */
  durationUs: number;
  /** Events handled so far, both clocks. */
  events: number;
}

/** Which run of a plan this is, and how to report progress. */
export interface RunOptions {
  /** Strategy name, written into the result and ledger. */
  strategy: string;
  /** Replication number, from 0: selects independent random streams. */
  replication: number;
  /** The master seed. */
  seed: number | string;
  /** The token gate's secret seed, as the run's plan derived it (default: tokenSecretSeed of `seed` and `replication`). */
  tokenSecret?: number;
  /** Called every `progressEvery` events of the sale's simulation (default 1M) and once at the end; `events` counts every event. */
  onProgress?: (progress: RunProgress) => void;
  /** Events between progress calls. */
  progressEvery?: number;
}

/**
 * The whole flash-sale system and its users, wired on one simulation.
 * Routes the origin's answers (by request kind) to the user model, the CDN
 * edges or the main site.
 */
export class FlashSaleModel {
  /** The sale's simulation (an isolated main site runs on its own). */
  readonly sim: Simulation;
  /** The edges, or null without a CDN (`system.cdn.edges: 0`). */
  readonly cdn: Cdn | null;
  /** Origin pool and link. */
  readonly origin: OriginPool;
  /** The shop's background traffic. */
  readonly mainSite: MainSite;
  /** Order servers, stock, orders and ledger. */
  readonly flow: OrderFlow;
  /** The population. */
  readonly users: Users;
  /** The per-interval series. */
  readonly series: SeriesRecorder;

  /** Builds and wires every component and schedules every user's arrival and the close at `duration`; runs nothing. */
  constructor(
    readonly config: ResolvedConfig,
    readonly options: RunOptions,
  ) {
    const random = new RandomSource(options.seed, options.replication);
    const system = config.system;
    // Near T0 about 1.1 events per user are pending, in partly filled chunks:
    // reserve 1.5 per user so the queue need not grow (and briefly hold two
    // copies of its storage) at the peak.
    const sim = new Simulation(Math.ceil(config.users.count * 1.5) + 4096);
    this.sim = sim;
    // First, so that its ticks precede every other event at the same time.
    this.series = new SeriesRecorder(this, config.interval, config.duration);
    const edgeFetched = sim.register('cdn.fetched', (edgeObject, ok) => this.edgeFetched(edgeObject, ok));
    const edgeSingle = sim.register('cdn.fetched-single', (slot, ok) => this.edgeSingleFetched(slot, ok));
    const linkBandwidth = system.originLink.bandwidth + system.originLink.leased;
    const scriptBytes = system.buttonScript.bytes;
    // The answer to an edge's fetch crosses the edge-origin network (the request's way is folded in: the origin sees it at once).
    const edgeOriginRtt = system.cdn.originRtt ?? 0;
    this.origin = new OriginPool(
      sim,
      system.origin,
      linkBandwidth,
      system.originLink.discipline === 'fair',
      system.cdn.pageBytes,
      scriptBytes,
      system.mainSite,
      random.stream(STREAM.originService).sequence(),
      {
        stillWaiting: (customer, tag) => {
          // An edge's fetch is wanted by the edge (to cache it) even when the
          // user it was made for has gone; the edge checks the user itself.
          const kind = tag & 7;
          const perUser = kind === OriginKind.PageDirect || kind === OriginKind.ScriptDirect;
          return !perUser || this.users.stillWaiting(customer, tagGen(tag));
        },
        onOriginAnswer: (customer, tag, linkDoneUs, ok, sojournUs, generatedUs) => {
          const kind = tag & 7;
          switch (kind) {
            case OriginKind.PageDirect:
            case OriginKind.ScriptDirect:
              this.users.originAnswer(customer, tagGen(tag), kind, linkDoneUs, ok, generatedUs);
              break;
            case OriginKind.EdgePageShared:
            case OriginKind.EdgeScriptShared: {
              const object = kind === OriginKind.EdgePageShared ? CdnObject.Page : CdnObject.Script;
              this.generatedAt[customer * 2 + object] = generatedUs;
              sim.scheduleAt((ok ? linkDoneUs : sim.now) + edgeOriginRtt, edgeFetched, customer * 2 + object, ok ? 1 : 0);
              break;
            }
            case OriginKind.EdgePageSingle:
            case OriginKind.EdgeScriptSingle:
              sim.scheduleAt(
                (ok ? linkDoneUs : sim.now) + edgeOriginRtt,
                edgeSingle,
                this.edgeFetches.put(customer, tag, generatedUs),
                ok ? 1 : 0,
              );
              break;
            case OriginKind.MainSite:
              this.mainSite.answered(generatedUs - sojournUs, linkDoneUs, ok);
              break;
          }
        },
      },
    );
    this.generatedAt = new Float64Array(Math.max(1, system.cdn.edges) * 2);
    this.cdn =
      system.cdn.edges > 0
        ? new Cdn(
            sim,
            system.cdn,
            config.users.count,
            scriptBytes,
            system.buttonScript.cdnTtl,
            system.buttonScript.servedBy === 'cdn',
            {
              fetchForEdge: (edge, object, waiter, waiterGen) => {
                if (waiter < 0) {
                  this.origin.request(
                    edge,
                    packTag(0, object === CdnObject.Page ? OriginKind.EdgePageShared : OriginKind.EdgeScriptShared),
                  );
                } else {
                  this.origin.request(
                    waiter,
                    packTag(waiterGen, object === CdnObject.Page ? OriginKind.EdgePageSingle : OriginKind.EdgeScriptSingle),
                  );
                }
              },
            },
            {
              stillWaiting: (user, gen) => this.users.stillWaiting(user, gen),
              // Explicit arguments, not rest/spread: this is on every CDN hit.
              onEdgeResponse: (user, gen, object, edgeDoneUs, generatedAtUs) =>
                this.users.cdnListener.onEdgeResponse(user, gen, object, edgeDoneUs, generatedAtUs),
              onEdgeError: (user, gen, object, nowUs) => this.users.cdnListener.onEdgeError(user, gen, object, nowUs),
            },
          )
        : null;
    this.mainSite = new MainSite(
      sim,
      system.mainSite,
      system.mainSite.deployment === 'shared' ? this.origin : null,
      random.stream(STREAM.mainSiteArrivals).sequence(),
      random.stream(STREAM.mainSiteService).sequence(),
      system.mainSite.bandwidth,
    );
    this.flow = new OrderFlow({
      sim,
      config,
      users: config.users.count,
      strategy: options.strategy,
      tokenSecret: options.tokenSecret ?? tokenSecretSeed(options.seed, options.replication),
      streams: orderFlowStreams(random),
      listener: {
        onOrderAnswer: (user, gen, answer, clickedAtUs) => this.users.orderListener.onOrderAnswer(user, gen, answer, clickedAtUs),
        onLetThrough: (user, gen) => this.users.orderListener.onLetThrough(user, gen),
        onUnanswered: (user, clickedAtUs) => this.users.orderListener.onUnanswered(user, clickedAtUs),
      },
    });
    this.users = new Users(sim, config, random, this.cdn, this.origin, this.flow);
    this.series.watchLatency('order', this.users.orderLatency);
    this.series.watchLatency('page', this.users.pageLatency);
    const close = sim.register('run.close', () => {
      this.users.close();
      this.flow.close();
      this.mainSite.close(sim.now);
    });
    sim.scheduleAt(config.duration, close);
  }

  private readonly generatedAt: Float64Array;
  /** Uncoalesced edge fetches on their way from the origin to the edge. */
  private readonly edgeFetches = new EdgeFetches();

  /** Events handled so far: the sale's simulation's and an isolated main site's. */
  get eventsProcessed(): number {
    return this.sim.eventsProcessed + this.mainSite.ownEvents;
  }

  /** Time of the last event handled (µs), on either clock. */
  get endUs(): number {
    return Math.max(this.sim.now, this.mainSite.nowUs);
  }

  /** A shared edge fetch reached the edge. */
  private edgeFetched(edgeObject: number, ok: number): void {
    const edge = edgeObject >> 1;
    const object = (edgeObject & 1) as CdnObject;
    this.cdn!.fetched(edge, object, -1, 0, ok === 1, this.generatedAt[edgeObject]);
  }

  /** An uncoalesced edge fetch (slot of {@link edgeFetches}) reached the edge; its content is as old as the origin made it. */
  private edgeSingleFetched(slot: number, ok: number): void {
    const fetches = this.edgeFetches;
    const user = fetches.userOf(slot);
    const tag = fetches.tagOf(slot);
    const generatedAt = fetches.generatedAtOf(slot);
    fetches.release(slot);
    const object = (tag & 7) === OriginKind.EdgePageSingle ? CdnObject.Page : CdnObject.Script;
    this.cdn!.fetched(this.cdn!.edgeOf(user), object, user, tagGen(tag), ok === 1, generatedAt);
  }
}
