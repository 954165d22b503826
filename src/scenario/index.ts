/**
 * Scenarios: loading and validating YAML files, strategies and overrides,
 * sweep grids. The schema (./schema.ts) is the one source of types,
 * defaults and field documentation.
 */
export { loadScenario, type LoadedScenario, type LoadOptions } from './load.js';
export { resolveStrategies, type StrategyPlan, type ResolveOptions } from './strategies.js';
export { expandSweep } from './sweep.js';
export { SourceMap, formatPath, type PathSegment } from './positions.js';
export * from './schema.js';
