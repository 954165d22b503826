import type { MainSiteConfig, OriginConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RandomSequence } from '../kernel/random.js';
import { samplerOf, type Sampler } from '../kernel/distributions.js';
import { MultiServerQueue } from '../kernel/multi-server-queue.js';
import { Link } from './link.js';
import { FairLink } from './fair-link.js';
import type { ReadonlyNumbers } from '../kernel/typed-arrays.js';

/** What an origin request is for: the low 3 bits of its tag. */
export const enum OriginKind {
  /** Product page for a user, no CDN (customer = user). */
  PageDirect = 0,
  /** Button script for a user (customer = user). */
  ScriptDirect = 1,
  /** Page fetch shared by an edge's waiting users (customer = edge). */
  EdgePageShared = 2,
  /** Script fetch shared by an edge's waiting users (customer = edge). */
  EdgeScriptShared = 3,
  /** Page fetch by an edge for one user, coalescing off (customer = user). */
  EdgePageSingle = 4,
  /** Script fetch by an edge for one user (customer = user). */
  EdgeScriptSingle = 5,
  /** Main-site request when the deployment is shared (customer = -1). */
  MainSite = 6,
}

/** Generations are kept to 26 bits so a tag (generation, kind) fits an int32. */
export const GEN_MASK = 0x3ffffff;

/** Packs a request generation and kind into a queue tag. */
export function packTag(gen: number, kind: OriginKind): number {
  return ((gen & GEN_MASK) << 3) | kind;
}
/** The kind of a tag. */
export function tagKind(tag: number): OriginKind {
  return tag & 7;
}
/** The generation of a tag. */
export function tagGen(tag: number): number {
  return (tag >>> 3) & GEN_MASK;
}

/** Receives the origin's answers. */
export interface OriginListener {
  /**
   * Whether the requester of (customer, tag) still waits. A user who gave up
   * has closed the connection: the origin did the work, but the response is
   * not sent over the link. Requests of edges and the main site always wait (default: yes).
   */
  stillWaiting?(customer: number, tag: number): boolean;
  /**
   * The origin finished request (customer, tag) now; its response's last
   * byte leaves the origin link at `linkDoneUs`. `ok` is false when the
   * request was refused (queue full): an error answered at once.
   * `sojournUs` is the time the request spent at the origin (0 if refused);
   * `generatedUs` when the origin finished it (what a button script says
   * depends on it). A FIFO link answers at that moment with a later
   * `linkDoneUs`; a fair one answers when the last byte leaves (now).
   */
  onOriginAnswer(customer: number, tag: number, linkDoneUs: number, ok: boolean, sojournUs: number, generatedUs: number): void;
}

/**
 * The origin pool: `servers × concurrency` slots sharing one FIFO queue of
 * at most `queue` requests (overflow → error response), and the origin link
 * that every response crosses. With a shared deployment the main site's
 * requests compete for the same slots and link (the cascade that isolating
 * the sale prevents, docs/domain.md).
 */
export class OriginPool {
  /** The `servers × concurrency` slots and their FIFO line. */
  readonly queue: MultiServerQueue;
  /** The origin's egress link, crossed by every response sent. */
  readonly link: Link | FairLink;
  /** The link when it is fair (processor sharing), else null: its answers come at each transfer's end. */
  private readonly fair: FairLink | null;
  readonly #requests = new Float64Array(7);
  readonly #errors = new Float64Array(7);
  private readonly services: Sampler[];
  private readonly bytes: Float64Array;

  /**
   * @param linkBytesPerSecond origin link capacity, bytes/s.
   * @param fairLink whether responses share the link fairly (processor sharing) instead of one after another.
   * @param pageBytes size of a product page response, bytes.
   * @param scriptBytes size of a button-script response, bytes.
   * @param mainSite service time and response size of main-site requests (used when shared).
   * @param draws draws for service times.
   */
  constructor(
    sim: Simulation,
    config: OriginConfig,
    linkBytesPerSecond: number,
    fairLink: boolean,
    pageBytes: number,
    scriptBytes: number,
    mainSite: MainSiteConfig,
    private readonly draws: RandomSequence,
    private readonly listener: OriginListener,
  ) {
    this.fair = fairLink
      ? new FairLink(sim, linkBytesPerSecond, 'origin.link-done', (customer, tag, generatedUs, sojourn, doneUs) =>
          this.listener.onOriginAnswer(customer, tag, doneUs, true, sojourn, generatedUs),
        )
      : null;
    this.link = this.fair ?? new Link(linkBytesPerSecond);
    const page = samplerOf(config.service);
    const script = samplerOf(config.scriptService);
    this.services = [page, script, page, script, page, script, samplerOf(mainSite.service)];
    this.bytes = Float64Array.of(pageBytes, scriptBytes, pageBytes, scriptBytes, pageBytes, scriptBytes, mainSite.bytes);
    this.queue = new MultiServerQueue(
      sim,
      {
        name: 'origin',
        servers: config.servers * config.concurrency,
        capacity: config.queue,
        serviceTime: (_customer, tag) => this.services[tag & 7](this.draws.next()),
      },
      {
        onDone: (customer, tag, _wait, sojourn) => {
          // Its requester gave up: no response is sent.
          if (this.listener.stillWaiting && !this.listener.stillWaiting(customer, tag)) return;
          const fair = this.fair;
          if (fair !== null) {
            fair.send(this.bytes[tag & 7], customer, tag, sim.now, sojourn);
            return;
          }
          const doneAt = (this.link as Link).transmit(sim.now, this.bytes[tag & 7]);
          this.listener.onOriginAnswer(customer, tag, doneAt, true, sojourn, sim.now);
        },
        onBlocked: (customer, tag) => {
          this.#errors[tag & 7]++;
          this.listener.onOriginAnswer(customer, tag, sim.now, false, 0, sim.now);
        },
      },
    );
  }

  /** Requests by kind (index = OriginKind). */
  get requests(): ReadonlyNumbers {
    return this.#requests;
  }

  /** Requests refused because the queue was full, by kind (index = OriginKind). */
  get errors(): ReadonlyNumbers {
    return this.#errors;
  }

  /** Sends a request; the answer comes through the listener. */
  request(customer: number, tag: number): void {
    this.#requests[tag & 7]++;
    this.queue.arrive(customer, tag);
  }
}
