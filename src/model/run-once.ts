import type { ResolvedConfig } from '../scenario/schema.js';
import type { RunResult, RunTiming } from '../results/result.js';
import { buildResult } from './build-result.js';
import { FlashSaleModel, type RunOptions, type RunProgress } from './flash-sale-model.js';

/**
 * Runs one strategy's configuration once: builds the model, simulates until
 * `duration`, then lets the requests in flight finish (users stop acting,
 * queued orders are created), and returns the result.
 */
export function runOnce(config: ResolvedConfig, options: RunOptions): { result: RunResult; timing: RunTiming } {
  const started = performance.now();
  const model = new FlashSaleModel(config, options);
  const report = options.onProgress;
  const progress = report
    ? {
        every: options.progressEvery ?? 1_000_000,
        onProgress: () => reportProgress(model, report),
      }
    : undefined;
  model.sim.run({}, progress);
  return finish(model, started);
}

/**
 * {@link runOnce} in slices of `progressEvery` events (default 1M), giving
 * the event loop a turn between them: for a run in the main thread, so that
 * a signal handler (Ctrl-C) can run and `onProgress` (called after every
 * slice) can stop the run by throwing. Slicing changes nothing but when
 * control returns: the events and the result are the same as runOnce's.
 */
export async function runOnceInSlices(config: ResolvedConfig, options: RunOptions): Promise<{ result: RunResult; timing: RunTiming }> {
  const started = performance.now();
  const model = new FlashSaleModel(config, options);
  const slice = options.progressEvery ?? 1_000_000;
  while (model.sim.run({ maxEvents: slice }) === 'max-events') {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.onProgress) reportProgress(model, options.onProgress);
  }
  return finish(model, started);
}

function reportProgress(model: FlashSaleModel, report: (progress: RunProgress) => void): void {
  report({ simulatedUs: model.sim.now, durationUs: model.config.duration, events: model.eventsProcessed });
}

/** The last progress report, the result, and the run's wall-clock figures (from `startedMs`, performance.now()). */
function finish(model: FlashSaleModel, startedMs: number): { result: RunResult; timing: RunTiming } {
  const { sim, config } = model;
  model.options.onProgress?.({
    simulatedUs: Math.max(sim.now, config.duration),
    durationUs: config.duration,
    events: model.eventsProcessed,
  });
  const result = buildResult(model);
  const wallMs = performance.now() - startedMs;
  return {
    result,
    timing: {
      wallMs,
      events: model.eventsProcessed,
      eventsPerSecond: model.eventsProcessed / (wallMs / 1000),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    },
  };
}
