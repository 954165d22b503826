import { describe, expect, test } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveStrategies } from '../../src/scenario/strategies.js';
import { issuesOfFile as issuesOf, scenarioFile as file } from '../helpers/scenario-files.js';

describe('loadScenario', () => {
  test('a minimal scenario gets every default, units converted', () => {
    const { scenario } = loadScenario(file('name: tiny\n'));
    expect(scenario.name).toBe('tiny');
    expect(scenario.duration).toBe(15 * 60_000_000);
    expect(scenario.system.cdn.pageBytes).toBe(250_000);
    expect(scenario.users.refresh).toEqual({ kind: 'lognormal', median: 5_000_000, sigma: 0.6 });
    expect(Object.keys(scenario.strategies)).toEqual(['base']);
  });

  test('integers may group digits with underscores', () => {
    expect(loadScenario(file('name: big\nusers: { count: 1_000_000 }\n')).scenario.users.count).toBe(1_000_000);
  });

  test('anchors and merge keys work, in strategies too', () => {
    const path = file(
      [
        'name: merged',
        'strategies:',
        '  lean: &lean { system.cdn.edges: 2, system.cdn.ttl: 5s }',
        '  lean-static:',
        '    <<: *lean',
        '    system.tokenGate.mode: static',
      ].join('\n'),
    );
    const [lean, leanStatic] = resolveStrategies(loadScenario(path));
    expect(lean.config.system.cdn.edges).toBe(2);
    expect(leanStatic.config.system.cdn.ttl).toBe(5_000_000);
    expect(leanStatic.config.system.tokenGate.mode).toBe('static');
  });

  test('a document that is not a mapping', () => {
    expect(issuesOf(file('- a\n- b\n'))).toEqual(['F:1:1: must be a mapping (got a list)']);
    expect(issuesOf(file('just words\n'))).toEqual(['F:1:1: must be a mapping (got just words)']);
  });

  test('comments only, or a lone null, count as empty', () => {
    const empty = 'F: the file is empty; a scenario needs at least a name (see `sim schema`)';
    expect(issuesOf(file('# nothing here\n\n'))).toEqual([empty]);
    expect(issuesOf(file('~\n'))).toEqual([empty]);
  });

  test('several YAML documents in one file are a syntax error', () => {
    expect(issuesOf(file('name: a\n---\nname: b\n'))).toEqual([
      'F:2:1: invalid YAML: a second YAML document starts here (after ---); a scenario holds one document: remove the --- line, or put each scenario in its own file',
    ]);
  });

  test('an empty value points at its key; a long value is cut in the quote', () => {
    expect(issuesOf(file('name: x\nsale:\n  stock:\n'))).toEqual(['F:3:3 sale.stock: must be a number (got nothing)']);
    expect(issuesOf(file(`name: x\ndescription: 12\nsale: { stock: "${'9'.repeat(60)}" }\n`))).toEqual([
      'F:2:14 description: must be a string (got 12)',
      `F:3:16 sale.stock: must be a number (got "${'9'.repeat(38)}…)`,
    ]);
  });

  test('a bad strategy name is reported at the name', () => {
    expect(issuesOf(file('name: x\nstrategies:\n  "no good": {}\n'))).toEqual([
      'F:3:3 strategies.no good: strategy names must be file-name-safe words',
    ]);
  });

  test('an empty strategies mapping is an issue', () => {
    expect(issuesOf(file('name: x\nstrategies: {}\n'))).toEqual([
      'F:2:13 strategies: names no strategy; leave strategies out to run the base scenario alone',
    ]);
  });

  test('a base error is not repeated for every strategy', () => {
    expect(issuesOf(file('name: x\nsale: { stock: -1 }\nstrategies: { a: {}, b: { system.cdn.edges: 1 } }\n'))).toEqual([
      'F:2:16 sale.stock: must be a positive integer (got -1)',
    ]);
  });
});
