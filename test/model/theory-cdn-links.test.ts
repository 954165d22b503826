import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/results/result.js';
import { agrees, ci, runStrategies, steadyColumn, steadyScenario, sum } from '../helpers/theory.js';

/*
 * Queueing theory on the CDN edges and the origin link, driven only through
 * scenario files and the loader the CLI uses (docs/model.md, "Theory checks:
 * cache and links"). The sale is open from T0 = 0 and the stock never runs
 * out, so each user loads the page once, fetches the script from the origin,
 * clicks once and is done: with arrivals uniform over the ramp, page views
 * are a Poisson stream, split over the edges by user id. Each check: the
 * mean of a few replications and its 95% Student-t interval must contain the
 * formula's value.
 */

const SEED = 11;

/** `f`'s value, computed at the first call (inside a test, so its time counts there). */
function once<T>(f: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= f());
}

/** A steady stream of `users` first page loads over `seconds`, sale open, orders never the bottleneck. */
function scenario(users: number, seconds: number, system: string, strategies: string): string {
  return steadyScenario({
    name: 'theory-cdn-links',
    seed: SEED,
    users,
    seconds,
    drain: 2,
    interval: '500ms',
    usersExtra: '  patience: 60s\n  rtt: 0s\n',
    system: `${system}\n`,
    orderServers: '{ servers: 4, slots: 100000, onFull: reject, service: 1ms }',
    rest: `strategies:\n${strategies}\n`,
  });
}

describe('theory checks: CDN edges (TTL cache, through scenario files)', () => {
  // 10 edges, λ = 20 page views/s per edge, TTL T = 50 ms (λT = 1). A miss at t starts a
  // fetch that lands F later; the copy is fresh until F + T, and the next view after that
  // is the next miss: a renewal cycle of F + T + 1/λ on average. With coalescing, the
  // views during the fetch wait for it (misses, no fetch): hit ratio λT/(1 + λF + λT),
  // fetches 1/(F + T + 1/λ) per edge and second. F → 0 gives λT/(1 + λT) and λ/(1 + λT).
  const EDGES = 10;
  const LAMBDA = 20;
  const TTL = 0.05;
  const SECONDS = 60;
  // F: origin service (1 ms, fixed) + a 1 kB page over 10 Gbps + the edge-to-origin RTT.
  const transfer = 1000 / 1.25e9;
  const fetchTime = (rtt: number) => 0.001 + transfer + rtt;
  const FAR = 0.05;

  const file = scenario(
    EDGES * LAMBDA * SECONDS,
    SECONDS,
    `  cdn: { edges: ${EDGES}, ttl: 50ms, pageBytes: 1kB }
  origin: { servers: 100, concurrency: 64, service: 1ms, scriptService: 1ms, queue: 100000 }
  originLink: { bandwidth: 10Gbps }`,
    `  near: {}
  far: { system.cdn.originRtt: 50ms }
  far-uncoalesced: { system.cdn.originRtt: 50ms, system.cdn.coalesce: false }`,
  );
  const runs = once(() => runStrategies(file, 4, SEED));
  // The steady part: 2 s after the first arrival (the edges' cycles lose their common start) to the last.
  const FROM = 2;
  const TO = SECONDS;
  const hitRatio = (r: RunResult) => {
    const hits = sum(steadyColumn(r, 'cdn_hits', FROM, TO));
    return hits / (hits + sum(steadyColumn(r, 'cdn_misses', FROM, TO)));
  };
  /** Origin page fetches per edge and second (the script comes from the origin directly, not through the edges). */
  const fetchRate = (r: RunResult) => sum(steadyColumn(r, 'origin_page_requests', FROM, TO)) / (TO - FROM) / EDGES;
  /** Page views per edge and second, as simulated. */
  const viewRate = (r: RunResult) => sum(steadyColumn(r, 'page_views', FROM, TO)) / (TO - FROM) / EDGES;

  it('the regime: Poisson page views at λ per edge, every user one view', () => {
    for (const results of runs().values()) {
      expect(Math.abs(ci(results.map(viewRate)).mean - LAMBDA) / LAMBDA).toBeLessThan(0.01);
      for (const r of results) expect(r.counters.pageViews).toBe(EDGES * LAMBDA * SECONDS);
    }
  });

  it('coalescing, origin near (F ≈ 1 ms): hit ratio λT/(1 + λF + λT) ≈ λT/(1 + λT), fetches 1/(F + T + 1/λ) ≈ λ/(1 + λT)', () => {
    const F = fetchTime(0);
    const results = runs().get('near')!;
    agrees(results.map(hitRatio), (LAMBDA * TTL) / (1 + LAMBDA * F + LAMBDA * TTL), 0.01, 'near: hit ratio');
    agrees(results.map(fetchRate), 1 / (F + TTL + 1 / LAMBDA), 0.2, 'near: fetches/s per edge');
  });

  it('coalescing, origin 50 ms away: the views during a fetch wait for it and make no fetch of their own', () => {
    const F = fetchTime(FAR);
    const results = runs().get('far')!;
    agrees(results.map(hitRatio), (LAMBDA * TTL) / (1 + LAMBDA * F + LAMBDA * TTL), 0.01, 'far: hit ratio');
    agrees(results.map(fetchRate), 1 / (F + TTL + 1 / LAMBDA), 0.2, 'far: fetches/s per edge');
    expect(sum(results.map((r) => r.counters.cdnCoalesced))).toBeGreaterThan(0);
  });

  it('no coalescing, origin 50 ms away: every view during a fetch fetches, each landing copy extends the TTL', () => {
    // Views in the fetch window [t, t + F) are misses, 1 + λF per cycle, each a fetch. The
    // copy of the last of them (at t + D, D = F − (1 − e^(−λF))/λ on average) lands last and
    // keeps the page fresh until t + D + F + T: hits λ(D + T), cycle F + D + T + 1/λ.
    const F = fetchTime(FAR);
    const D = F - (1 - Math.exp(-LAMBDA * F)) / LAMBDA;
    const results = runs().get('far-uncoalesced')!;
    agrees(results.map(hitRatio), (LAMBDA * (D + TTL)) / (1 + LAMBDA * F + LAMBDA * (D + TTL)), 0.01, 'far, uncoalesced: hit ratio');
    agrees(results.map(fetchRate), (1 + LAMBDA * F) / (F + D + TTL + 1 / LAMBDA), 0.3, 'far, uncoalesced: fetches/s per edge');
    expect(sum(results.map((r) => r.counters.cdnCoalesced))).toBe(0);
  });
});

describe('theory checks: the origin link (FIFO and fair, through scenario files)', () => {
  // No CDN: every page crosses the origin link. Pages of 2.5 kB on 100 Mbps take x = 200 µs;
  // λ = 3,900 pages/s, and as many 100 B scripts (8 µs), load the link to ρ = 0.8112. The
  // origin has slots to spare and a fixed service, so the link sees the page requests'
  // Poisson stream (an M/G/∞ stage passes Poisson on); the scripts follow their pages
  // but carry 4% of the bytes. A page's time in the link is its latency less the origin's
  // 1 ms (the users' round trip is 0).
  const BPS = 100e6 / 8;
  const XP = 2500 / BPS;
  const XS = 100 / BPS;
  const LAMBDA = 3900;
  const SECONDS = 10;
  const RHO = LAMBDA * (XP + XS);
  const file = scenario(
    LAMBDA * SECONDS,
    SECONDS,
    `  cdn: { edges: 0, pageBytes: 2500B }
  origin: { servers: 100, concurrency: 64, service: 1ms, scriptService: 1ms, queue: 100000 }
  originLink: { bandwidth: 100Mbps }
  buttonScript: { bytes: 100B }`,
    `  fifo: {}
  fair: { system.originLink.discipline: fair }`,
  );
  const runs = once(() => runStrategies(file, 5, SEED));
  const pageLinkTime = (r: RunResult) => (r.latency.page.mean - 1000) / 1e6;

  it('utilisation: the busy share of the link is ρ = λ(x_page + x_script), whatever the discipline', () => {
    for (const [name, results] of runs()) {
      const busy = results.map((r) => {
        const rows = steadyColumn(r, 'link_busy', 1, SECONDS);
        return sum(rows) / rows.length;
      });
      agrees(busy, RHO, 0.01, `${name}: link utilisation`);
    }
  });

  it('FIFO: a page waits for the work ahead of it, Pollaczek–Khinchine: x + λE[S²]/(2(1 − ρ))', () => {
    const wait = (LAMBDA * (XP * XP + XS * XS)) / (2 * (1 - RHO));
    agrees(runs().get('fifo')!.map(pageLinkTime), XP + wait, 20e-6, 'FIFO: page time in link (s)');
  });

  it('fair: a page shares the link with the transfers under way, M/G/1-PS: x/(1 − ρ)', () => {
    agrees(runs().get('fair')!.map(pageLinkTime), XP / (1 - RHO), 40e-6, 'fair: page time in link (s)');
  });
});
