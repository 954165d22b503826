import { runScenario } from '../../../src/index.js';
import type { RunSummary } from '../../../src/results/summary.js';

/** A small real run: the smoke scenario (seed design and naive) with 300 users, two replications. */
export async function smokeSummary(): Promise<RunSummary> {
  return (await runScenario('scenarios/smoke.yaml', { users: 300, replications: 2, workers: 1 })).summary;
}
