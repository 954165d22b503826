import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderJsonText } from '../../src/results/json-text.js';

describe('renderJsonText', () => {
  it('writes the same values as JSON.stringify, whatever the input', () => {
    const value = fc.anything({ withNullPrototype: false, withBoxedValues: false, withMap: false, withSet: false, withDate: true });
    fc.assert(
      fc.property(value, (v) => {
        const expected = JSON.stringify(v, null, 2);
        const text = renderJsonText(v);
        if (expected === undefined) expect(text).toBe('null');
        else expect(JSON.parse(text)).toEqual(JSON.parse(expected));
      }),
    );
  });

  it('puts an array of primitives on one line and indents the rest as JSON.stringify does', () => {
    const text = renderJsonText({
      rows: [
        [1, NaN, null],
        ['a', true],
      ],
      empty: [],
      none: {},
      skip: undefined,
      nested: { x: [1.5] },
    });
    expect(text).toBe(
      [
        '{',
        '  "rows": [',
        '    [1, null, null],',
        '    ["a", true]',
        '  ],',
        '  "empty": [],',
        '  "none": {},',
        '  "nested": {',
        '    "x": [1.5]',
        '  }',
        '}',
      ].join('\n'),
    );
  });
});
