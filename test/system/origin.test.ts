import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulation } from '../../src/kernel/simulation.js';
import { RandomSource } from '../../src/kernel/random.js';
import { GEN_MASK, OriginKind, OriginPool, packTag, tagGen, tagKind } from '../../src/system/origin.js';
import { configOf } from '../helpers/flash-config.js';

interface Answer {
  at: number;
  customer: number;
  tag: number;
  linkDoneUs: number;
  ok: boolean;
  sojournUs: number;
}

/** An origin pool with constant service times: pages 10 ms, scripts 1 ms; a 1 MB/s link (1 byte/µs). */
function setup(origin: Record<string, unknown>) {
  const config = configOf({
    system: {
      origin: { service: '10ms', scriptService: '1ms', ...origin },
      cdn: { pageBytes: '1000B' },
      buttonScript: { bytes: '100B' },
      mainSite: { bytes: '500B', service: '30ms' },
    },
  });
  const sim = new Simulation();
  const answers: Answer[] = [];
  const pool = new OriginPool(
    sim,
    config.system.origin,
    1e6,
    false,
    config.system.cdn.pageBytes,
    config.system.buttonScript.bytes,
    config.system.mainSite,
    new RandomSource(1, 0).stream('origin').sequence(),
    {
      onOriginAnswer: (customer, tag, linkDoneUs, ok, sojournUs) => answers.push({ at: sim.now, customer, tag, linkDoneUs, ok, sojournUs }),
    },
  );
  const kind = sim.register('test.request', (customer, tag) => pool.request(customer, tag));
  const ask = (at: number, customer: number, tag: number) => sim.scheduleAt(at, kind, customer, tag);
  return { sim, pool, answers, ask };
}

describe('tags', () => {
  it('pack a generation and a kind into an int32 and back (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: GEN_MASK }), fc.integer({ min: 0, max: 6 }), (gen, kind) => {
        const tag = packTag(gen, kind);
        return tag === (tag | 0) && tagGen(tag) === gen && tagKind(tag) === kind;
      }),
    );
  });
});

describe('origin pool', () => {
  it('serves a page in its service time, then sends it over the origin link', () => {
    const { sim, pool, answers, ask } = setup({ servers: 1, concurrency: 1 });
    ask(0, 5, packTag(3, OriginKind.PageDirect));
    sim.run();
    expect(answers).toEqual([
      { at: 10_000, customer: 5, tag: packTag(3, OriginKind.PageDirect), linkDoneUs: 11_000, ok: true, sojournUs: 10_000 },
    ]);
    expect(pool.link.bytes).toBe(1000);
    expect(pool.requests[OriginKind.PageDirect]).toBe(1);
  });

  it('uses the script service time and size for script requests, the main-site size for main-site requests', () => {
    const { sim, answers, ask } = setup({ servers: 1, concurrency: 4 });
    ask(0, 1, packTag(0, OriginKind.ScriptDirect));
    ask(0, 2, packTag(0, OriginKind.EdgeScriptShared));
    sim.run();
    expect(answers.map((a) => [a.customer, a.at, a.linkDoneUs])).toEqual([
      [1, 1000, 1100],
      [2, 1000, 1200], // queued behind the first on the link
    ]);
  });

  it('servers × concurrency slots share one FIFO queue; overflow is refused at once with an error', () => {
    const { sim, pool, answers, ask } = setup({ servers: 2, concurrency: 1, queue: 2 });
    for (let c = 0; c < 6; c++) ask(0, c, packTag(c, OriginKind.PageDirect));
    sim.run();
    const refused = answers.filter((a) => !a.ok);
    expect(refused.map((a) => [a.customer, a.at, a.linkDoneUs, a.sojournUs])).toEqual([
      [4, 0, 0, 0],
      [5, 0, 0, 0],
    ]);
    const served = answers.filter((a) => a.ok);
    expect(served.map((a) => [a.customer, a.at, a.sojournUs])).toEqual([
      [0, 10_000, 10_000],
      [1, 10_000, 10_000],
      [2, 20_000, 20_000],
      [3, 20_000, 20_000],
    ]);
    expect(pool.errors[OriginKind.PageDirect]).toBe(2);
    expect(pool.requests[OriginKind.PageDirect]).toBe(6);
  });

  it('a saturated link delays responses beyond the service time', () => {
    const { sim, answers, ask } = setup({ servers: 1, concurrency: 100 });
    for (let c = 0; c < 10; c++) ask(0, c, packTag(0, OriginKind.EdgePageShared));
    sim.run();
    expect(answers.map((a) => a.linkDoneUs)).toEqual(Array.from({ length: 10 }, (_, i) => 10_000 + 1000 * (i + 1)));
  });
});
