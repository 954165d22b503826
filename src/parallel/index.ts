/**
 * Parallel execution: the piscina worker pool that runs a plan's tasks
 * (results in plan order), and a shared-memory stock taken by real threads.
 */
export { runPlanOnPool, defaultWorkerFilename, WorkerTaskError, type PoolOptions } from './pool.js';
export { FAULT_ENV, type WorkerRequest, type WorkerResponse, type WorkerProgress, type WorkerMemory } from './protocol.js';
export {
  AtomicStock,
  RacyStock,
  createStockBuffer,
  openStock,
  hammerStock,
  type SharedStock,
  type StockKind,
  type HammerOptions,
  type HammerResult,
} from './shared-stock.js';
export { compiledSibling } from './module-path.js';
