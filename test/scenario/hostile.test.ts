import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRun } from '../../src/app/prepare.js';
import { FlashsimError, InternalError, MAX_SHOWN_ISSUES, ScenarioError } from '../../src/errors.js';
import { MAX_DEPTH } from '../../src/scenario/yaml-document.js';

/**
 * Hostile scenario files, through the loader the CLI uses (prepareRun: load,
 * resolve the strategies, build the plan): every one is either valid or a
 * user error (exit 2, with line and key), never another exception (exit 70),
 * and a huge bad file costs time linear in its size.
 */

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flashsim-hostile-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fileWith(text: string): string {
  const file = join(dir, `s${n++}.yaml`);
  writeFileSync(file, text);
  return file;
}

/**
 * CPU time of this process in ms while `f` runs: what the loader costs, whatever else
 * the machine is doing (the wall clock of a loaded 2-core CI runner can be 10 times longer).
 */
function cpuMs(f: () => void): number {
  const before = process.cpuUsage();
  f();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** The loader's verdict: 'valid', or the user error it threw; any other exception fails the test. */
function verdict(text: string): 'valid' | FlashsimError {
  try {
    prepareRun(fileWith(text));
    return 'valid';
  } catch (error) {
    if (error instanceof FlashsimError && !(error instanceof InternalError)) return error;
    throw error;
  }
}

function issuesOf(text: string): ScenarioError['issues'] {
  const v = verdict(text);
  expect(v).toBeInstanceOf(ScenarioError);
  return (v as ScenarioError).issues;
}

describe('inputs that used to be internal errors', () => {
  it('a strategy named __proto__: a user error at its line and key', () => {
    expect(issuesOf('name: p\nstrategies:\n  seed: {}\n  __proto__:\n    system.cdn.ttl: 1s\n')).toEqual([
      expect.objectContaining({
        line: 4,
        column: 3,
        path: 'strategies.__proto__',
        message: expect.stringContaining('__proto__ cannot be a key'),
      }),
    ]);
    expect(issuesOf('name: p\n__proto__: {a: 1}\n')[0]).toMatchObject({ line: 2, path: '__proto__' });
  });

  it.each([
    ['x:\n  <<: [1, 2]\n', 3, 8],
    ['x:\n  <<: 1\n', 3, 7],
    ['b: &b 3\nx:\n  <<: [*b]\n', 4, 8],
  ])('a merge key of anything but mappings (%j): a user error at the value', (body, line, column) => {
    expect(issuesOf(`name: p\n${body}`)).toEqual([
      expect.objectContaining({ line, column, path: 'x.<<', message: expect.stringContaining('a merge key (<<) takes a mapping') }),
    ]);
  });

  it.each([
    ['block mappings', Array.from({ length: 1400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')],
    ['flow lists', `a: ${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['flow lists within the parser', `a: ${'['.repeat(300)}${']'.repeat(300)}`],
    ['aliases', ['a0: &a0 [1]', ...Array.from({ length: 200 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}]`)].join('\n')],
  ])('nesting deeper than the limit (%s): "nested deeper than N levels", not a stack overflow', (_what, body) => {
    const issues = issuesOf(`name: deep\n${body}\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toMatch(new RegExp(`nested deeper than ${MAX_DEPTH} levels$`));
    expect(issues[0].line).toBeGreaterThan(1);
  });
});

describe('bounded work on huge bad files', () => {
  it('40,000 unknown top-level keys: the first 50 listed and "… and 39,950 more", in well under 10 s', () => {
    const text = ['name: big', ...Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`)].join('\n');
    let error: ScenarioError | undefined;
    const ms = cpuMs(() => (error = verdict(text) as ScenarioError));
    if (!error) throw new Error('unreachable');
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error.issues).toHaveLength(40_000);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(MAX_SHOWN_ISSUES + 1);
    expect(lines[0]).toMatch(/s\d+\.yaml:2:1 k0: unknown key "k0"/);
    expect(lines[MAX_SHOWN_ISSUES]).toBe('… and 39,950 more');
    // About 1.1 s of CPU (it was 35 s: the YAML library's duplicate-key check and the key lookups were quadratic).
    expect(ms).toBeLessThan(10_000);
  }, 30_000);

  it('a file over 1 MiB (or an endless device) is refused before it is parsed', () => {
    expect(issuesOf(`name: big\n${'x: 1\n'.repeat(2_000_000)}`)).toEqual([
      expect.objectContaining({ path: '', message: 'the file is 9.5 MiB; a scenario file is at most 1.0 MiB' }),
    ]);
    if (existsSync('/dev/zero')) {
      const error = (() => {
        try {
          prepareRun('/dev/zero');
        } catch (e) {
          return e as ScenarioError;
        }
      })();
      expect(error?.issues).toEqual([
        expect.objectContaining({ message: 'the file is larger than that; a scenario file is at most 1.0 MiB' }),
      ]);
    }
  });

  it('40,000 duplicated keys are found in linear time too', () => {
    const text = ['name: big', ...Array.from({ length: 40_000 }, (_, i) => `k${i % 20_000}: 1`)].join('\n');
    let error: ScenarioError | undefined;
    expect(cpuMs(() => (error = verdict(text) as ScenarioError))).toBeLessThan(10_000);
    expect(error?.issues).toHaveLength(20_000);
    expect(error?.issues[0]).toMatchObject({ line: 20_002, message: 'invalid YAML: duplicate key k0' });
  }, 30_000);
});

/** Fragments of YAML, hostile ones included, that documents are made of. */
const FRAGMENT = fc.oneof(
  fc.constantFrom(
    ...['name: x', 'name', ':', ': ', ' ', '  ', '\n', '\t', '- ', '-', '? ', '[', ']', '{', '}', ',', '&a ', '*a', '&b ', '*b', '<<: '],
    ...[
      '__proto__',
      'constructor',
      'strategies',
      'system',
      'cdn',
      'ttl',
      'users',
      'count',
      'thresholds',
      'sale',
      'stock',
      '!!str ',
      '!!map ',
    ],
    ...[
      '!!binary ',
      '!custom ',
      '|',
      '>-',
      '"',
      "'",
      '#',
      '~',
      'null',
      '.inf',
      '-.nan',
      '1e400',
      '-0',
      '0x1F',
      '1_000',
      '10s',
      '---',
      '...',
    ],
    ...['%YAML 1.2\n', '\uFEFF', '\u0000', '\u2028', 'lognormal(20ms, 0.5)', 'p(99)<2s', 'seed-design', '{}', '[]', 'system.cdn.ttl'],
  ),
  fc.string({ maxLength: 6 }),
);
const DOCUMENT = fc.array(FRAGMENT, { maxLength: 40 }).map((parts) => parts.join(''));

/** Every key path of a valid scenario (smoke.yaml), strategies' dotted keys included. */
const SMOKE = parse(readFileSync('scenarios/smoke.yaml', 'utf8')) as Record<string, unknown>;
function keyPaths(value: unknown, path: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [path];
  return [path, ...Object.entries(value).flatMap(([k, v]) => keyPaths(v, [...path, k]))];
}
const PATHS = keyPaths(SMOKE).filter((p) => p.length > 0);
const HOSTILE_VALUE = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, -(2 ** 53), 1e21, -1, 0, 0.5, 1e-9, '', ' ', '1e999s'),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'toString', 'kind', 'from', 'to', 'mode'), fc.jsonValue({ maxDepth: 2 })),
);

/** A copy of `root` with `value` at `path`. */
function withValue(root: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = Array.isArray(root) ? [...root] : { ...(root as Record<string, unknown>) };
  Object.defineProperty(copy, path[0], {
    value: withValue((root as Record<string, unknown>)[path[0]], path.slice(1), value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

describe('property: no scenario file makes the loader fail other than as a user error', () => {
  // Sized for CI (2 cores): 2 to 6 s in all, depending on the load.
  it('arbitrary YAML documents', () => {
    fc.assert(
      fc.property(DOCUMENT, (text) => {
        verdict(text);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary JSON values under every key of a valid scenario', () => {
    expect(verdict(stringify(SMOKE))).toBe('valid');
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), HOSTILE_VALUE, fc.boolean(), (path, value, asJson) => {
        const document = withValue(SMOKE, path, value);
        verdict(asJson ? JSON.stringify(document) : stringify(document));
      }),
      { numRuns: 150 },
    );
  });

  it('arbitrary strategy names (JavaScript-reserved ones included) and overlays', () => {
    const name = fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', '.', 'a.b'),
      fc.string(),
    );
    const overlay = fc.oneof(
      fc.dictionary(fc.constantFrom(...PATHS.map((p) => p.join('.'))), HOSTILE_VALUE, { maxKeys: 3 }),
      HOSTILE_VALUE,
    );
    fc.assert(
      fc.property(fc.dictionary(name, overlay, { minKeys: 1, maxKeys: 3 }), (strategies) => {
        verdict(stringify({ ...SMOKE, strategies }));
      }),
      { numRuns: 150 },
    );
  });
});
