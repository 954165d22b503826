import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/simulation.js';
import { Cdn, CdnObject, type CdnListener } from '../../src/system/cdn.js';
import { configOf } from '../helpers/flash-config.js';

interface Fetch {
  at: number;
  edge: number;
  object: CdnObject;
  waiter: number;
  waiterGen: number;
}
interface Answer {
  at: number;
  user: number;
  gen: number;
  object: CdnObject;
  edgeDoneUs?: number;
  generatedAtUs?: number;
  error?: true;
}

const PAGE_BYTES = 1000;
/** Edge links run at 1 MB/s = 1 byte per µs: a page takes 1000 µs. */
const HIT_LATENCY = 2000;
const TTL = 10_000_000;
const FETCH_US = 50_000;

/**
 * A CDN on a bare simulation. The fake origin answers every fetch
 * FETCH_US later (ok unless `failFetches`), as the run wiring does.
 */
function setup(
  cdn: Record<string, unknown> = {},
  opts: { failFetches?: boolean; users?: number; stillWaiting?: (user: number, gen: number) => boolean } = {},
) {
  const config = configOf({
    system: {
      cdn: { edges: 2, ttl: '10s', coalesce: true, pageBytes: '1000B', edgeBandwidth: '1MB/s', hitLatency: '2ms', ...cdn },
    },
  });
  const sim = new Simulation();
  const fetches: Fetch[] = [];
  const answers: Answer[] = [];
  const listener: CdnListener = {
    onEdgeResponse: (user, gen, object, edgeDoneUs, generatedAtUs) =>
      answers.push({ at: sim.now, user, gen, object, edgeDoneUs, generatedAtUs }),
    onEdgeError: (user, gen, object) => answers.push({ at: sim.now, user, gen, object, error: true }),
    ...(opts.stillWaiting ? { stillWaiting: opts.stillWaiting } : {}),
  };
  // eslint-disable-next-line prefer-const -- assigned below, after the listeners that close over it.
  let edgeUnderTest: Cdn;
  // Fetch answers: a = index into `fetches`.
  const answerKind = sim.register('test.origin-answer', (i) => {
    const f = fetches[i];
    edgeUnderTest.fetched(f.edge, f.object, f.waiter, f.waiterGen, !opts.failFetches, f.at);
  });
  edgeUnderTest = new Cdn(
    sim,
    config.system.cdn,
    opts.users ?? 100,
    100,
    0,
    true,
    {
      fetchForEdge: (edge, object, waiter, waiterGen) => {
        fetches.push({ at: sim.now, edge, object, waiter, waiterGen });
        sim.schedule(FETCH_US, answerKind, fetches.length - 1);
      },
    },
    listener,
  );
  const requestKind = sim.register('test.request', (user, gen) => edgeUnderTest.request(user, gen, CdnObject.Page));
  /** Schedules `user` asking for the page at `at` with generation `gen`. */
  const ask = (at: number, user: number, gen = 1) => sim.scheduleAt(at, requestKind, user, gen);
  return { sim, cdn: edgeUnderTest, fetches, answers, ask, config };
}

describe('CDN edges', () => {
  it('a first request misses and fetches; a request within the TTL is a hit served by the edge', () => {
    const { sim, cdn, fetches, answers, ask } = setup();
    ask(0, 0);
    ask(5_000_000, 2); // same edge (2 % 2 = 0), 5 s later
    sim.run();
    expect(fetches).toHaveLength(1);
    expect(fetches[0]).toMatchObject({ at: 0, edge: 0, object: CdnObject.Page, waiter: -1 });
    expect(answers).toHaveLength(2);
    // The miss is answered when the fetch lands, over the edge link.
    expect(answers[0]).toMatchObject({ at: FETCH_US, user: 0, gen: 1, generatedAtUs: 0 });
    expect(answers[0].edgeDoneUs).toBe(FETCH_US + HIT_LATENCY + PAGE_BYTES);
    // The hit is answered at once with the cached copy's generation time.
    expect(answers[1]).toMatchObject({ at: 5_000_000, user: 2, generatedAtUs: 0 });
    expect(answers[1].edgeDoneUs).toBe(5_000_000 + HIT_LATENCY + PAGE_BYTES);
    expect(cdn.hits).toBe(1);
    expect(cdn.misses).toBe(1);
    expect(cdn.originFetches).toBe(1);
  });

  it('a request after the TTL misses again; exactly at expiry is a miss, just before is a hit', () => {
    const { sim, cdn, fetches, ask } = setup();
    ask(0, 0);
    // Cached at FETCH_US until FETCH_US + TTL.
    ask(FETCH_US + TTL - 1, 0, 2);
    ask(FETCH_US + TTL, 0, 3);
    sim.run();
    expect(cdn.hits).toBe(1);
    expect(cdn.misses).toBe(2);
    expect(fetches.map((f) => f.at)).toEqual([0, FETCH_US + TTL]);
  });

  it('coalescing: N concurrent misses at one edge make one origin fetch and all N are answered', () => {
    const { sim, cdn, fetches, answers, ask } = setup();
    const users = [0, 2, 4, 6, 8, 10, 12, 14]; // all on edge 0
    users.forEach((u, i) => ask(i * 1000, u, 10 + u)); // spread within the fetch time
    sim.run();
    expect(fetches).toHaveLength(1);
    expect(cdn.originFetches).toBe(1);
    expect(cdn.misses).toBe(users.length);
    expect(cdn.coalesced).toBe(users.length - 1);
    expect(answers.map((a) => [a.user, a.gen]).sort((x, y) => x[0] - y[0])).toEqual(users.map((u) => [u, 10 + u]));
    expect(answers.every((a) => a.at === FETCH_US)).toBe(true);
    // Edge link: answers leave one after another, a page time apart.
    const done = answers.map((a) => a.edgeDoneUs!).sort((a, b) => a - b);
    expect(done).toEqual(users.map((_, i) => FETCH_US + HIT_LATENCY + PAGE_BYTES * (i + 1)));
  });

  it('without coalescing: N concurrent misses make N origin fetches, each for its own waiter', () => {
    const { sim, cdn, fetches, answers, ask } = setup({ coalesce: false });
    const users = [0, 2, 4, 6, 8];
    users.forEach((u, i) => ask(i * 1000, u, 7));
    sim.run();
    expect(fetches).toHaveLength(users.length);
    expect(fetches.map((f) => [f.edge, f.waiter, f.waiterGen])).toEqual(users.map((u) => [0, u, 7]));
    expect(cdn.originFetches).toBe(users.length);
    expect(cdn.coalesced).toBe(0);
    expect(answers.map((a) => a.user)).toEqual(users);
    // Each answer comes with its own fetch.
    expect(answers.map((a) => a.at)).toEqual(users.map((_, i) => i * 1000 + FETCH_US));
  });

  it('with coalescing a stampede after expiry still makes one fetch per edge; without it one per request', () => {
    const run = (coalesce: boolean) => {
      const { sim, cdn, ask } = setup({ coalesce }, { users: 1000 });
      for (let u = 0; u < 1000; u++) ask(20_000_000 + u, u);
      sim.run();
      return cdn.originFetches;
    };
    expect(run(true)).toBe(2);
    expect(run(false)).toBe(1000);
  });

  it('a purge at a given time empties every edge: the next request at each edge misses', () => {
    const { sim, cdn, fetches, ask } = setup({ purgeAt: '1s' });
    ask(0, 0); // edge 0
    ask(0, 1); // edge 1
    ask(500_000, 2); // edge 0: hit
    ask(500_000, 3); // edge 1: hit
    ask(1_000_000, 4); // edge 0: after the purge (scheduled at construction, so it runs first)
    ask(1_000_001, 5); // edge 1
    sim.run();
    expect(cdn.hits).toBe(2);
    expect(fetches.map((f) => [f.at, f.edge])).toEqual([
      [0, 0],
      [0, 1],
      [1_000_000, 0],
      [1_000_001, 1],
    ]);
  });

  it('purge() empties every edge at once', () => {
    const { sim, cdn, ask } = setup({ edges: 3 });
    for (let u = 0; u < 3; u++) ask(0, u);
    sim.run();
    cdn.purge();
    const before = cdn.originFetches;
    const kind = sim.register('ask-after', (u) => cdn.request(u, 9, CdnObject.Page));
    for (let u = 0; u < 3; u++) sim.schedule(1, kind, u);
    sim.run();
    expect(cdn.originFetches - before).toBe(3);
    expect(cdn.hits).toBe(0);
  });

  it('a user is served by edge user % edges', () => {
    const { sim, cdn, fetches, ask } = setup({ edges: 5, coalesce: false });
    const users = [0, 1, 7, 13, 24, 99];
    users.forEach((u) => ask(0, u));
    sim.run();
    expect(fetches.map((f) => f.edge)).toEqual(users.map((u) => u % 5));
    expect(users.map((u) => cdn.edgeOf(u))).toEqual(users.map((u) => u % 5));
    // Edge caches are independent: edge 2 (user 7) is warm, edge 2 serves user 2 from cache.
    const hitsBefore = cdn.hits;
    const kind = sim.register('ask2', (u) => cdn.request(u, 1, CdnObject.Page));
    sim.schedule(1, kind, 2);
    sim.run();
    expect(cdn.hits).toBe(hitsBefore + 1);
  });

  // Also guards join()'s "already listed" check when the re-asking user is not the list's
  // tail: relinking it would cut off everyone queued behind it (user 6 here).
  it('a user who re-asks while listed is listed once, keeps its place and is answered once, with the latest generation', () => {
    const { sim, cdn, answers, ask } = setup();
    ask(0, 4, 1);
    ask(10_000, 6, 1);
    ask(20_000, 4, 2);
    ask(25_000, 4, 3);
    ask(30_000, 8, 1);
    sim.run();
    expect(cdn.originFetches).toBe(1);
    expect(answers.map((a) => [a.user, a.gen])).toEqual([
      [4, 3],
      [6, 1],
      [8, 1],
    ]);
  });

  it('a failed fetch answers every waiter with an error and caches nothing', () => {
    const { sim, cdn, answers, ask } = setup({}, { failFetches: true });
    ask(0, 0);
    ask(1000, 2);
    ask(200_000, 4); // after the failed fetch: misses again
    sim.run();
    expect(answers.map((a) => [a.user, a.error === true])).toEqual([
      [0, true],
      [2, true],
      [4, true],
    ]);
    expect(cdn.originFetches).toBe(2);
    expect(cdn.hits).toBe(0);
  });

  // Guards the stillWaiting check: a user who gave up (or asked again with a newer
  // generation) gets no answer and no bytes, coalesced or not.
  it('sends nothing to a waiter who no longer waits for that request', () => {
    for (const coalesce of [true, false]) {
      const gone = (user: number, gen: number) => !(user === 2 || (user === 4 && gen === 1));
      const { sim, cdn, answers, ask } = setup({ coalesce }, { stillWaiting: gone });
      ask(0, 0);
      ask(10, 2);
      ask(20, 4, 1);
      ask(30, 6);
      sim.run();
      expect(answers.map((a) => a.user)).toEqual([0, 6]);
      expect(cdn.links[0].bytes).toBe(2 * PAGE_BYTES);
    }
  });

  // Guards the freshness rule of fetched(): a copy replaces the cached one only when it
  // expires later, so of two copies landing in the same µs the first one stays.
  it('of two copies reaching an edge in the same µs, hits serve the first', () => {
    const { sim, cdn, answers, ask } = setup({ coalesce: false });
    const land = sim.register('test.land', (waiter, generatedAt) => cdn.fetched(0, CdnObject.Page, waiter, 1, true, generatedAt));
    sim.scheduleAt(1000, land, 0, 10);
    sim.scheduleAt(1000, land, 2, 20);
    ask(2000, 4);
    sim.run({ time: 2000 });
    expect(answers.map((a) => [a.user, a.generatedAtUs])).toEqual([
      [0, 10],
      [2, 20],
      [4, 10],
    ]);
    expect(cdn.hits).toBe(1);
  });

  it('the edge link queues transfers: bytes and busy time add up', () => {
    const { sim, cdn, ask } = setup();
    ask(0, 0);
    for (let i = 1; i <= 10; i++) ask(100_000, 2 * i);
    sim.run();
    expect(cdn.links[0].bytes).toBe(11 * PAGE_BYTES);
    expect(cdn.links[1].bytes).toBe(0);
  });

  it('the script with TTL 0 is never served from cache, but concurrent misses still share a fetch; page and script caches are separate', () => {
    const { sim, cdn, fetches, answers } = setup();
    const kind = sim.register('ask-script', (u) => cdn.request(u, 1, CdnObject.Script));
    const page = sim.register('ask-page', (u) => cdn.request(u, 1, CdnObject.Page));
    sim.scheduleAt(0, kind, 0);
    sim.scheduleAt(10, kind, 2); // joins the fetch under way
    sim.scheduleAt(0, page, 4); // page fetch of its own, same edge
    sim.scheduleAt(FETCH_US + 1, kind, 6); // TTL 0: misses again
    sim.run();
    expect(fetches.map((f) => [f.at, f.object])).toEqual([
      [0, CdnObject.Script],
      [0, CdnObject.Page],
      [FETCH_US + 1, CdnObject.Script],
    ]);
    expect(cdn.hits).toBe(0);
    expect(answers.map((a) => [a.user, a.object])).toEqual([
      [0, CdnObject.Script],
      [2, CdnObject.Script],
      [4, CdnObject.Page],
      [6, CdnObject.Script],
    ]);
    // Script size (100 B) on the edge link.
    expect(answers[0].edgeDoneUs).toBe(FETCH_US + HIT_LATENCY + 100);
  });

  it('a user waiting for the page and, from an abandoned request, for the script is answered for both', () => {
    const { sim, cdn, answers } = setup();
    const script = sim.register('ask-script', (u, g) => cdn.request(u, g, CdnObject.Script));
    const page = sim.register('ask-page', (u, g) => cdn.request(u, g, CdnObject.Page));
    sim.scheduleAt(0, script, 0, 1);
    sim.scheduleAt(0, script, 2, 1);
    sim.scheduleAt(10, page, 0, 2);
    sim.scheduleAt(20, page, 4, 1);
    sim.run();
    expect(answers.map((a) => [a.user, a.gen, a.object]).sort()).toEqual(
      [
        [0, 1, CdnObject.Script],
        [2, 1, CdnObject.Script],
        [0, 2, CdnObject.Page],
        [4, 1, CdnObject.Page],
      ].sort(),
    );
  });

  describe('stale-while-revalidate', () => {
    const SWR = 5_000_000;
    /** Cached at FETCH_US (first miss at 0) until FETCH_US + TTL; stale until FETCH_US + TTL + SWR. */
    const EXPIRY = FETCH_US + TTL;

    it('after the TTL an expired copy is served at once (a hit), and the first stale request starts one background fetch that refreshes it', () => {
      const { sim, cdn, fetches, answers, ask } = setup({ staleWhileRevalidate: '5s' });
      ask(0, 0);
      ask(EXPIRY, 2, 1); // expired: stale hit, starts the refresh
      ask(EXPIRY + 10, 4, 1); // stale hit, the refresh is under way
      ask(EXPIRY + FETCH_US + 1, 6, 1); // after the refresh landed: a fresh hit
      sim.run();
      // The first miss and the refresh, both shared fetches (waiter -1).
      expect(fetches.map((f) => [f.at, f.waiter])).toEqual([
        [0, -1],
        [EXPIRY, -1],
      ]);
      // Nobody waits for the refresh: both stale requests are answered when they ask, with the old copy.
      expect(answers.slice(1).map((a) => [a.user, a.at, a.generatedAtUs])).toEqual([
        [2, EXPIRY, 0],
        [4, EXPIRY + 10, 0],
        [6, EXPIRY + FETCH_US + 1, EXPIRY],
      ]);
      expect(cdn.hits).toBe(3);
      expect(cdn.staleHitsByObject[CdnObject.Page]).toBe(2);
      expect(cdn.misses).toBe(1);
      expect(cdn.originFetches).toBe(2);
    });

    it('past the stale window a request misses and waits, as without it', () => {
      const { sim, cdn, fetches, answers, ask } = setup({ staleWhileRevalidate: '5s' });
      ask(0, 0);
      ask(EXPIRY + SWR - 1, 2); // the last stale µs: served stale, starts the refresh
      ask(EXPIRY + SWR + FETCH_US, 4); // after the refresh landed (at EXPIRY + SWR - 1 + FETCH_US): fresh
      sim.run();
      expect(cdn.staleHitsByObject[CdnObject.Page]).toBe(1);
      expect(fetches).toHaveLength(2);
      expect(answers.map((a) => a.generatedAtUs)).toEqual([0, 0, EXPIRY + SWR - 1]);

      const late = setup({ staleWhileRevalidate: '5s' });
      late.ask(0, 0);
      late.ask(EXPIRY + SWR, 2); // first µs past the window: a miss, answered when its fetch lands
      late.sim.run();
      expect(late.cdn.staleHitsByObject[CdnObject.Page]).toBe(0);
      expect(late.cdn.misses).toBe(2);
      expect(late.answers[1]).toMatchObject({ user: 2, at: EXPIRY + SWR + FETCH_US });
    });

    it('a stampede at a TTL boundary makes one fetch per edge even without coalescing', () => {
      const run = (staleWhileRevalidate: string) => {
        const { sim, cdn, answers, ask } = setup({ coalesce: false, staleWhileRevalidate }, { users: 1000 });
        ask(0, 0);
        ask(0, 1);
        for (let u = 0; u < 1000; u++) ask(EXPIRY + 1000 + u, u, 2);
        sim.run();
        return { fetches: cdn.originFetches, waited: answers.filter((a) => a.at > EXPIRY + 2000).length };
      };
      expect(run('0s')).toEqual({ fetches: 2 + 1000, waited: 1000 });
      expect(run('5s')).toEqual({ fetches: 2 + 2, waited: 0 });
    });

    it('a purge drops the copy: nothing stale is served after it', () => {
      const { sim, cdn, fetches, ask } = setup({ staleWhileRevalidate: '60s', purgeAt: '1s' });
      ask(0, 0);
      ask(2_000_000, 2);
      sim.run();
      expect(cdn.staleHitsByObject[CdnObject.Page]).toBe(0);
      expect(cdn.hits).toBe(0);
      expect(fetches.map((f) => f.at)).toEqual([0, 2_000_000]);
    });

    it('an object with TTL 0 (the script here) is never served stale', () => {
      const { sim, cdn, fetches } = setup({ staleWhileRevalidate: '60s' });
      const script = sim.register('ask-script', (u) => cdn.request(u, 1, CdnObject.Script));
      sim.scheduleAt(0, script, 0);
      sim.scheduleAt(FETCH_US + 1, script, 2);
      sim.run();
      expect(cdn.hits).toBe(0);
      expect(cdn.staleHitsByObject[CdnObject.Script]).toBe(0);
      expect(fetches).toHaveLength(2);
    });

    it('a failed refresh leaves the stale copy in place: the next stale request tries again', () => {
      const { sim, cdn, fetches, answers, ask } = setup({ staleWhileRevalidate: '5s' });
      ask(0, 0);
      sim.run();
      // The refresh started at EXPIRY fails at EXPIRY + 1 (landed by hand, before the fake origin's answer).
      const fail = sim.register('test.fail', () => cdn.fetched(0, CdnObject.Page, -1, 0, false, 0));
      ask(EXPIRY, 2);
      sim.scheduleAt(EXPIRY + 1, fail);
      ask(EXPIRY + 2, 4);
      sim.run({ time: EXPIRY + 10 });
      expect(answers.slice(1).map((a) => [a.user, a.error === true, a.generatedAtUs])).toEqual([
        [2, false, 0],
        [4, false, 0],
      ]);
      expect(cdn.staleHitsByObject[CdnObject.Page]).toBe(2);
      // The first refresh (EXPIRY) was cleared by the failure, so the request at EXPIRY + 2 started another.
      expect(fetches.map((f) => f.at)).toEqual([0, EXPIRY, EXPIRY + 2]);
    });
  });
});
