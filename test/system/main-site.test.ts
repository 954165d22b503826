import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/simulation.js';
import { RandomSource } from '../../src/kernel/random.js';
import { MainSite } from '../../src/system/main-site.js';
import { OriginKind, OriginPool } from '../../src/system/origin.js';
import { configOf } from '../helpers/flash-config.js';

/** An isolated main site; its own uplink is ideal (no transfer time) unless `linkBytesPerSecond` says otherwise. */
function isolated(mainSite: Record<string, unknown>, seed = 1, linkBytesPerSecond = Infinity) {
  const config = configOf({ system: { mainSite: { deployment: 'isolated', ...mainSite } } });
  const sim = new Simulation();
  const random = new RandomSource(seed, 0);
  const site = new MainSite(
    sim,
    config.system.mainSite,
    null,
    random.stream('a').sequence(),
    random.stream('s').sequence(),
    linkBytesPerSecond,
  );
  return { sim, site };
}

/** A shared main site whose every request the origin answers, with the pool and the sale's simulation. */
function shared(seed = 1) {
  const config = configOf({
    system: {
      origin: { servers: 1, concurrency: 1, queue: 5 },
      mainSite: { deployment: 'shared', rps: '50/s', service: '10ms', bytes: '1000B' },
    },
  });
  const sim = new Simulation();
  const random = new RandomSource(seed, 0);
  let site: MainSite | null = null;
  const pool = new OriginPool(sim, config.system.origin, 1e6, false, 1000, 100, config.system.mainSite, random.stream('o').sequence(), {
    onOriginAnswer: (_customer, tag, linkDoneUs, ok, sojournUs) => {
      expect(tag & 7).toBe(OriginKind.MainSite);
      site!.answered(sim.now - sojournUs, linkDoneUs, ok);
    },
  });
  site = new MainSite(sim, config.system.mainSite, pool, random.stream('a').sequence(), random.stream('s').sequence(), 1);
  return { sim, site, pool };
}

describe('main site', () => {
  it('isolated: Poisson arrivals at rps, each served by its own pool with the configured service time', () => {
    const { site } = isolated({ rps: '1000/s', service: '30ms' });
    site.syncTo(20_000_000);
    // 20 000 expected, sd 141.
    expect(Math.abs(site.requests - 20_000)).toBeLessThan(600);
    expect(site.errors).toBe(0);
    // Ample capacity: every request takes exactly its service time.
    expect(site.latency.count).toBeGreaterThan(site.requests - 50);
    expect(site.latency.min).toBeGreaterThanOrEqual(29_900);
    expect(site.latency.max).toBeLessThanOrEqual(30_100);
  });

  it('isolated: a response crosses its own uplink, so latency is measured to the last byte as when shared', () => {
    // 125 kB at 125 MB/s (1 Gbps): 1 ms on the wire after a 30 ms service.
    const { site } = isolated({ rps: '10/s', service: '30ms', bytes: '125kB' }, 1, 125e6);
    site.syncTo(20_000_000);
    expect(site.latency.count).toBeGreaterThan(150);
    expect(site.latency.min).toBe(31_000);
    // 10 requests/s of 1 ms each: a response rarely waits behind another on the link.
    expect(site.latency.mean).toBeLessThan(31_100);
    // A link that takes 1 s per response queues them: latency grows past the service time.
    const { site: slow } = isolated({ rps: '10/s', service: '30ms', bytes: '125kB' }, 1, 125e3);
    slow.syncTo(20_000_000);
    expect(slow.latency.max).toBeGreaterThan(2_000_000);
  });

  it('isolated, one slot and no queue: the error rate is Erlang B (insensitive to the service distribution)', () => {
    const { site } = isolated({ rps: '100/s', service: 'lognormal(30ms, 0.5)', servers: 1, concurrency: 1, queue: 0 });
    site.syncTo(120_000_000);
    // Offered load a = 100/s × E[S] = 100 × 0.03·e^{0.125} erlangs; B(1, a) = a / (1 + a).
    const a = 100 * 0.03 * Math.exp(0.125);
    const rate = site.errors / site.requests;
    expect(Math.abs(rate - a / (1 + a))).toBeLessThan(0.03);
  });

  it("isolated: runs on its own clock, never on the sale's, and only as far as syncTo asks", () => {
    const { sim, site } = isolated({ rps: '1000/s', service: '30ms' });
    expect(sim.pending).toBe(0);
    site.syncTo(1_000_000);
    const first = site.requests;
    expect(first).toBeGreaterThan(900);
    expect(site.ownEvents).toBeGreaterThan(first);
    // Syncing to the same time again runs nothing; syncing further does.
    site.syncTo(1_000_000);
    expect(site.requests).toBe(first);
    site.syncTo(2_000_000);
    expect(site.requests).toBeGreaterThan(first + 900);
  });

  it("isolated: syncTo(t) runs exactly the events before t (a series tick at t sees those on the sale's clock)", () => {
    const { site } = isolated({ rps: '1000/s', service: '30ms' }, 7);
    // The arrival times, from the same stream: gaps of -mean·ln(1 - u), each rounded to a µs.
    const draws = new RandomSource(7, 0).stream('a').sequence();
    const times: number[] = [];
    for (let t = 0; times.length < 50;) times.push((t += Math.round(-1000 * Math.log(1 - draws.next()))));
    for (const k of [0, 10, 49]) {
      site.syncTo(times[k]);
      expect(site.requests).toBe(k); // the arrival at exactly times[k] is not yet counted
      site.syncTo(times[k] + 1);
      expect(site.requests).toBe(k + 1);
    }
  });

  it("isolated: a first request at exactly the closing µs still counts, as it did on the sale's clock (it was scheduled before the close)", () => {
    const first = Math.round(-1000 * Math.log(1 - new RandomSource(3, 0).stream('a').sequence().next()));
    const { site } = isolated({ rps: '1000/s', service: '30ms' }, 3);
    site.close(first);
    expect(site.requests).toBe(1);
    expect(site.latency.count).toBe(1);
    // One µs earlier it had not arrived yet.
    const early = isolated({ rps: '1000/s', service: '30ms' }, 3).site;
    early.close(first - 1);
    expect(early.requests).toBe(0);
  });

  it('close() ends the background traffic and completes the requests in flight', () => {
    const { site } = isolated({ rps: '1000/s', service: '30ms' });
    site.syncTo(1_000_000);
    site.close(1_000_000);
    const count = site.requests;
    // Every admitted request has completed: its latency is recorded.
    expect(site.latency.count + site.errors).toBe(count);
    site.syncTo(5_000_000);
    expect(site.requests).toBe(count);
  });

  it("shared: close() stops new requests on the sale's simulation", () => {
    const { sim, site } = shared();
    sim.run({ time: 1_000_000 });
    site.close(sim.now);
    const count = site.requests;
    sim.run({ time: 5_000_000 });
    expect(site.requests).toBe(count);
    expect(site.ownEvents).toBe(0);
  });

  it('shared: requests go to the origin pool as main-site requests; latency includes queueing and the link', () => {
    const { sim, site, pool } = shared();
    sim.run({ time: 60_000_000 });
    expect(pool.requests[OriginKind.MainSite]).toBe(site.requests);
    expect(site.requests).toBeGreaterThan(2500);
    // Every answered request took its 10 ms of service plus 1 ms on the link, at least.
    expect(site.latency.min).toBeGreaterThanOrEqual(11_000);
    // Load 0.5 on one slot: some wait.
    expect(site.latency.max).toBeGreaterThan(21_000);
    expect(site.latency.count + site.errors).toBeGreaterThan(site.requests - 5);
  });
});
