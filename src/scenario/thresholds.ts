import type { ScenarioIssue } from '../errors.js';
import { METRIC_CATALOGUE } from '../metrics/catalogue.js';
import { parseThreshold, ThresholdError } from '../metrics/thresholds.js';
import type { PathSegment, SourceMap } from './positions.js';

/**
 * Issues for threshold expressions that do not fit their metric, located in
 * the file (`thresholds.order_latency[0]`). Unknown metrics and malformed
 * expressions are the schema's to report; pass `skip` to leave out the
 * paths it already flagged, and `at` for a block elsewhere than the top
 * level (a strategy's `['strategies', name, 'thresholds']`).
 */
export function thresholdIssues(
  thresholds: Record<string, unknown>,
  source: SourceMap,
  skip: (path: readonly PathSegment[]) => boolean = () => false,
  at: readonly PathSegment[] = ['thresholds'],
): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  for (const [metric, expressions] of Object.entries(thresholds)) {
    if (!Object.hasOwn(METRIC_CATALOGUE, metric) || !Array.isArray(expressions)) continue;
    expressions.forEach((expression, i) => {
      const path = [...at, metric, i];
      if (typeof expression !== 'string' || skip(path)) return;
      try {
        parseThreshold(metric, expression);
      } catch (error) {
        if (!(error instanceof ThresholdError)) throw error;
        const got = source.written(path);
        issues.push(source.issue(path, `${error.message}${got !== undefined ? ` (got ${got})` : ''}`));
      }
    });
  }
  return issues;
}
