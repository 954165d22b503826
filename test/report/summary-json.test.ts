import { describe, expect, it } from 'vitest';
import { parseSummaryJson, renderSummaryJson, toolVersion } from '../../src/report/summary-json.js';
import { twoStrategies } from './make-result.js';

describe('summary.json', () => {
  it('round-trips and refuses unknown schema versions', () => {
    const s = twoStrategies();
    const text = renderSummaryJson(s);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseSummaryJson(text, 'x/summary.json')).toEqual(JSON.parse(text));
    expect(() => parseSummaryJson('{"schemaVersion": 99}', 'x/summary.json')).toThrow(
      'x/summary.json: unsupported summary schemaVersion 99 (this flashsim reads version 2)',
    );
    expect(() => parseSummaryJson('{', 'x/summary.json')).toThrow(/^x\/summary.json: not valid JSON/);
  });

  it('knows the tool version from package.json', () => {
    expect(toolVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
