import { handMadeConfig } from '../helpers/run-result.js';

/** Two strategies, two replications each, seed 7: what the buildPlan and executePlan tests plan. */
export const strategies = [
  { name: 'seed-design', config: handMadeConfig({ seed: 7, replications: 2 }) },
  { name: 'naive', config: handMadeConfig({ seed: 7, replications: 2 }) },
];
