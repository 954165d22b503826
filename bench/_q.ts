import { Simulation } from '../src/kernel/simulation.js';
import { ReferenceHeap } from '../bench/reference-heap.js';
function lcg(seed: number) { let s = seed >>> 0; return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; }; }
for (const n of [1000, 1_000_000]) {
  const steps = 3_000_000;
  { const rnd = lcg(1); const h = new ReferenceHeap(n + 1);
    for (let i = 0; i < n; i++) h.push(Math.floor(rnd() * 1e6), i);
    const t0 = performance.now(); let now = 0;
    for (let i = 0; i < steps; i++) { now = h.pop(); h.push(now + Math.floor(rnd() * 1e6), 0); }
    console.log('heap', n, (steps / (performance.now() - t0) * 1000 / 1e6).toFixed(2), 'M/s'); }
  { const rnd = lcg(1); const sim = new Simulation(n + 16); let kind = 0;
    kind = sim.register('hold', () => { sim.schedule(Math.floor(rnd() * 1e6), kind, 0, 0); });
    for (let i = 0; i < n; i++) sim.scheduleAt(Math.floor(rnd() * 1e6), kind);
    const t0 = performance.now(); sim.run({ maxEvents: steps });
    console.log('kern', n, (steps / (performance.now() - t0) * 1000 / 1e6).toFixed(2), 'M/s'); }
}
