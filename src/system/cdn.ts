import type { CdnConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import { Link } from './link.js';
import { FairLink } from './fair-link.js';
import type { ReadonlyNumbers } from '../kernel/typed-arrays.js';

/** Objects an edge can cache. */
export const enum CdnObject {
  Page = 0,
  Script = 1,
}

/** Where a CDN edge sends its misses: the origin, answering later through {@link Cdn.fetched}. */
export interface CdnOrigin {
  /** Fetches `object` for `edge`; `waiter` is the user for an uncoalesced fetch, else -1. */
  fetchForEdge(edge: number, object: CdnObject, waiter: number, waiterGen: number): void;
}

/** What the CDN tells the user model. */
export interface CdnListener {
  /**
   * Whether `user` still waits for its request `gen` (default: yes). A user who gave up
   * has closed the connection: the edge sends nothing to it.
   */
  stillWaiting?(user: number, gen: number): boolean;
  /**
   * The edge has sent `object` to `user`: its last byte leaves the edge at
   * `edgeDoneUs` (the user adds its own network time). `generatedAtUs` is
   * when the origin generated the content (what the button script says
   * depends on it).
   */
  onEdgeResponse(user: number, gen: number, object: CdnObject, edgeDoneUs: number, generatedAtUs: number): void;
  /** The edge could not get `object` from the origin (origin overloaded): an error page at `nowUs`. */
  onEdgeError(user: number, gen: number, object: CdnObject, nowUs: number): void;
}

const NONE = -1;

/**
 * CDN edges with a TTL cache per object (a seed-design defence,
 * docs/domain.md). A request is served from the edge's cache when fresh; a
 * miss fetches from the origin.
 * With coalescing, concurrent misses at an edge wait for a single fetch;
 * without it, each miss makes its own fetch — so at TTL expiry or purge every
 * waiting request hits the origin (the stampede).
 *
 * Stale-while-revalidate (`staleWhileRevalidate` > 0): for that long after
 * the TTL, a request is still served the expired copy at once, and the
 * first such request starts one background fetch (shared, like a coalesced
 * one, whatever `coalesce` says: the edge fetches for its cache, not for a
 * waiting user) whose answer refreshes the copy. No request waits at a TTL
 * boundary then, but what it is served can be older than the TTL: a cached
 * button script may still say "not started" after T0 until the refresh
 * lands. A purge drops the copy (nothing stale to serve: the stampede at a
 * purge stays), and objects with TTL 0 are never kept, stale or fresh.
 *
 * Users are assigned to edges by id (user mod edges). Waiting users are
 * linked in per-edge lists through per-user typed arrays: no allocation per
 * request.
 */
export class Cdn {
  /** Number of edges (0: no CDN). */
  readonly edges: number;
  readonly #hitsByObject = new Float64Array(2);
  readonly #missesByObject = new Float64Array(2);
  readonly #staleHitsByObject = new Float64Array(2);
  #coalesced = 0;
  #originFetches = 0;
  /** Per-edge egress links. */
  readonly links: ReadonlyArray<Link | FairLink>;
  /** The same links when they are fair (`edgeDiscipline: fair`), else null: a response is then handed to the user when its last byte leaves. */
  private readonly fairLinks: FairLink[] | null;
  private readonly fifoLinks: Link[];
  private readonly expiresAt: Float64Array;
  private readonly generatedAt: Float64Array;
  private readonly fetching: Uint8Array;
  private readonly waitHead: Int32Array;
  private readonly waitTail: Int32Array;
  /**
   * Per object (page, script) and user: the next waiter in the same list,
   * the generation the user waits with, and whether the user is listed.
   * A user can wait for the page and, from an earlier abandoned request, for
   * the script at once, so each object has its own links.
   */
  private readonly nextWaiter: Int32Array[];
  private readonly waiterGen: Int32Array[];
  private readonly listed: Uint8Array[];
  private readonly bytes: [number, number];
  private readonly ttl: [number, number];
  /** Per object, how long (µs) after its TTL an expired copy is still served: 0 for none. */
  private readonly staleFor: [number, number];

  /**
   * @param users population size (per-user waiter links).
   * @param scriptBytes size of the button script, bytes.
   * @param scriptTtl edge TTL of the script, µs (0 = never cached).
   * @param scriptViaCdn whether scripts are requested through the edges.
   */
  constructor(
    private readonly sim: Simulation,
    private readonly config: CdnConfig,
    users: number,
    scriptBytes: number,
    scriptTtl: number,
    scriptViaCdn: boolean,
    private readonly origin: CdnOrigin,
    private readonly listener: CdnListener,
  ) {
    this.edges = config.edges;
    const slots = Math.max(1, this.edges) * 2;
    this.expiresAt = new Float64Array(slots).fill(-Infinity);
    this.generatedAt = new Float64Array(slots);
    this.fetching = new Uint8Array(slots);
    this.waitHead = new Int32Array(slots).fill(NONE);
    this.waitTail = new Int32Array(slots).fill(NONE);
    // Script lists are needed only when the script is fetched through the CDN.
    const perObject = (object: CdnObject) => (this.edges > 0 && (object === CdnObject.Page || scriptViaCdn) ? users : 0);
    this.nextWaiter = [new Int32Array(perObject(CdnObject.Page)), new Int32Array(perObject(CdnObject.Script))];
    this.waiterGen = [new Int32Array(perObject(CdnObject.Page)), new Int32Array(perObject(CdnObject.Script))];
    this.listed = [new Uint8Array(perObject(CdnObject.Page)), new Uint8Array(perObject(CdnObject.Script))];
    if (config.edgeDiscipline === 'fair') {
      const sink = (user: number, gen: number, generatedAtUs: number, object: number, doneUs: number) =>
        this.listener.onEdgeResponse(user, gen, object, doneUs + this.config.hitLatency, generatedAtUs);
      this.fairLinks = Array.from({ length: this.edges }, () => new FairLink(sim, config.edgeBandwidth, 'cdn.edge-link-done', sink));
      this.fifoLinks = [];
      this.links = this.fairLinks;
    } else {
      this.fairLinks = null;
      this.fifoLinks = Array.from({ length: this.edges }, () => new Link(config.edgeBandwidth));
      this.links = this.fifoLinks;
    }
    this.bytes = [config.pageBytes, scriptBytes];
    this.ttl = [config.ttl, scriptTtl];
    const staleFor = (ttl: number) => (ttl > 0 ? config.staleWhileRevalidate : 0);
    this.staleFor = [staleFor(config.ttl), staleFor(scriptTtl)];
    if (config.purgeAt !== undefined && this.edges > 0) {
      const purge = sim.register('cdn.purge', () => this.purge());
      sim.scheduleAt(config.purgeAt, purge);
    }
  }

  /** Requests served from cache, by object (index = CdnObject). */
  get hitsByObject(): ReadonlyNumbers {
    return this.#hitsByObject;
  }

  /** Requests that found no fresh copy, by object (index = CdnObject). */
  get missesByObject(): ReadonlyNumbers {
    return this.#missesByObject;
  }

  /** Of {@link hitsByObject}, requests served an expired copy (stale-while-revalidate), by object. */
  get staleHitsByObject(): ReadonlyNumbers {
    return this.#staleHitsByObject;
  }

  /** Misses that joined a fetch already under way. */
  get coalesced(): number {
    return this.#coalesced;
  }

  /** Fetches sent to the origin. */
  get originFetches(): number {
    return this.#originFetches;
  }

  /** Requests served from cache, pages and scripts. */
  get hits(): number {
    return this.#hitsByObject[CdnObject.Page] + this.#hitsByObject[CdnObject.Script];
  }

  /** Requests that found no fresh copy, pages and scripts. */
  get misses(): number {
    return this.#missesByObject[CdnObject.Page] + this.#missesByObject[CdnObject.Script];
  }

  /** The edge that serves `user`. */
  edgeOf(user: number): number {
    return user % this.edges;
  }

  /** `user` (request generation `gen`) asks its edge for `object`. */
  request(user: number, gen: number, object: CdnObject): void {
    const edge = this.edgeOf(user);
    const slot = edge * 2 + object;
    const now = this.sim.now;
    if (now < this.expiresAt[slot]) {
      this.#hitsByObject[object]++;
      this.send(edge, object, user, gen, this.generatedAt[slot], now);
      return;
    }
    if (now < this.expiresAt[slot] + this.staleFor[object]) {
      this.serveStale(edge, object, slot, user, gen, now);
      return;
    }
    this.#missesByObject[object]++;
    if (!this.config.coalesce) {
      this.#originFetches++;
      this.origin.fetchForEdge(edge, object, user, gen);
      return;
    }
    this.join(slot, object, user, gen);
    if (this.fetching[slot]) {
      this.#coalesced++;
    } else {
      this.fetching[slot] = 1;
      this.#originFetches++;
      this.origin.fetchForEdge(edge, object, NONE, 0);
    }
  }

  /** Serves the expired copy in `slot` (a hit) and starts its refresh unless one is under way. */
  private serveStale(edge: number, object: CdnObject, slot: number, user: number, gen: number, now: number): void {
    this.#hitsByObject[object]++;
    this.#staleHitsByObject[object]++;
    this.send(edge, object, user, gen, this.generatedAt[slot], now);
    if (this.fetching[slot]) return;
    this.fetching[slot] = 1;
    this.#originFetches++;
    this.origin.fetchForEdge(edge, object, NONE, 0);
  }

  /**
   * The origin's answer to a fetch reaches the edge now: `ok` false for an
   * error. `generatedAtUs` is when the origin produced the content.
   */
  fetched(edge: number, object: CdnObject, waiter: number, waiterGen: number, ok: boolean, generatedAtUs: number): void {
    const slot = edge * 2 + object;
    const now = this.sim.now;
    if (ok && now + this.ttl[object] > this.expiresAt[slot]) {
      this.expiresAt[slot] = now + this.ttl[object];
      this.generatedAt[slot] = generatedAtUs;
    }
    if (waiter !== NONE) {
      this.answer(edge, object, waiter, waiterGen, ok, generatedAtUs);
      return;
    }
    this.fetching[slot] = 0;
    let user = this.waitHead[slot];
    this.waitHead[slot] = NONE;
    this.waitTail[slot] = NONE;
    const nextWaiter = this.nextWaiter[object];
    const listed = this.listed[object];
    const gens = this.waiterGen[object];
    while (user !== NONE) {
      const next = nextWaiter[user];
      listed[user] = 0;
      this.answer(edge, object, user, gens[user], ok, generatedAtUs);
      user = next;
    }
  }

  /** Empties every edge's cache (a purge, e.g. at T0). */
  purge(): void {
    this.expiresAt.fill(-Infinity);
  }

  private answer(edge: number, object: CdnObject, user: number, gen: number, ok: boolean, generatedAtUs: number): void {
    if (this.listener.stillWaiting && !this.listener.stillWaiting(user, gen)) return;
    if (ok) this.send(edge, object, user, gen, generatedAtUs, this.sim.now);
    else this.listener.onEdgeError(user, gen, object, this.sim.now);
  }

  /**
   * Sends `object` to `user` over the edge's link. The edge's processing time
   * is added after the transfer, so every transfer starts now (keeps the
   * link's busy accounting exact).
   */
  private send(edge: number, object: CdnObject, user: number, gen: number, generatedAtUs: number, now: number): void {
    const fair = this.fairLinks;
    if (fair !== null) {
      fair[edge].send(this.bytes[object], user, gen, generatedAtUs, object);
      return;
    }
    const doneUs = this.fifoLinks[edge].transmit(now, this.bytes[object]) + this.config.hitLatency;
    this.listener.onEdgeResponse(user, gen, object, doneUs, generatedAtUs);
  }

  /**
   * Adds `user` to the slot's waiting list. A user who gave up and asked
   * again while the fetch is still under way is already listed: only the
   * generation it waits with is updated, so the list never holds a user twice.
   */
  private join(slot: number, object: CdnObject, user: number, gen: number): void {
    this.waiterGen[object][user] = gen;
    if (this.listed[object][user]) return;
    this.listed[object][user] = 1;
    const nextWaiter = this.nextWaiter[object];
    nextWaiter[user] = NONE;
    if (this.waitTail[slot] === NONE) this.waitHead[slot] = user;
    else nextWaiter[this.waitTail[slot]] = user;
    this.waitTail[slot] = user;
  }
}
