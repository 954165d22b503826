/**
 * A hammering thread of {@link hammerStock}: waits at the shared start
 * gate, then makes `takes` take attempts on the shared stock as fast as it
 * can and posts back how many succeeded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GATE, READY, openStock, type HammerJob } from './shared-stock.js';

const job = workerData as HammerJob;
const cells = new Int32Array(job.buffer);
const stock = openStock(job.kind, job.buffer, job.pauseSpins);
Atomics.add(cells, READY, 1);
// Park until the main thread opens the gate (all threads start together).
while (Atomics.load(cells, GATE) === 0) Atomics.wait(cells, GATE, 0, 50);
let successes = 0;
for (let i = 0; i < job.takes; i++) if (stock.tryTake()) successes++;
parentPort!.postMessage(successes);
