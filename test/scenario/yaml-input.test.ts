/**
 * YAML input the YAML library would throw on (undefined aliases, alias
 * bombs) or warn about on stderr (collection keys), and values it reads as
 * numbers no field takes (.inf, .nan): each is a ScenarioError at its line.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { issuesOf } from '../helpers/scenario-files.js';

describe('YAML the library would throw on or warn about', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  test('an undefined alias, at the alias', () => {
    expect(issuesOf('name: t\ndescription: *nope\n')).toEqual([
      'F:2:14 description: undefined alias *nope: define the anchor &nope on a value before this line',
    ]);
  });

  test('an alias bomb, at the alias that expands the most', () => {
    const lines = ['name: t', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, prev] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
    ]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(issuesOf(lines.join('\n'))).toEqual([
      'F:7:8 f: aliases expand to too much data (more than 1000 alias uses, as in a "billion laughs" document): repeat fewer aliases inside anchored values',
    ]);
  });

  test('a null key at its line; a list as a key is an issue, with no warning on stderr', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    expect(issuesOf('name: t\n\n~: 5\n')).toEqual(['F:3:1: a key is empty or null (~); keys must be names such as cdn or ttl']);
    expect(issuesOf('name: t\nsystem:\n  ? [a, b]\n  : 5\n')).toEqual([
      'F:3:5 system: a list cannot be a key; keys must be names such as cdn or ttl',
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  test('the same in --set values', () => {
    expect(issuesOf('name: t\n', { set: ['description=*nope', 'system.cdn={? [a]: 1}', 'name=a\n---\nb'] })).toEqual([
      '--set description: value is not valid YAML: undefined alias *nope: define the anchor &nope on a value before this line',
      '--set system.cdn: value is not valid YAML: a list cannot be a key; keys must be names such as cdn or ttl',
      '--set name: value is not valid YAML: a second YAML document starts here (after ---); a scenario holds one document: remove the --- line, or put each scenario in its own file',
    ]);
  });

  test('.inf and .nan: "must be a finite value", not "must be a string or a number"', () => {
    expect(issuesOf('name: t\nsystem: { cdn: { ttl: .inf, edges: .nan } }\n')).toEqual([
      'F:2:23 system.cdn.ttl: must be a finite value, not .inf or .nan (got .inf)',
      'F:2:36 system.cdn.edges: must be a finite value, not .inf or .nan (got .nan)',
    ]);
  });
});
