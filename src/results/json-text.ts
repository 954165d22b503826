/**
 * JSON text for result files that people read and diff: indented like
 * `JSON.stringify(value, null, 2)`, except that an array holding only
 * primitives (numbers, strings, booleans, null) is written on one line.
 * A time series is thousands of rows of numbers; one line per row instead of
 * one line per number keeps summary.json a fraction of the size
 * and still one row per line for `diff` and `grep`.
 *
 * Same values as `JSON.stringify`: NaN and ±Infinity become null, undefined
 * and function members are left out of objects and become null in arrays,
 * `toJSON` is honoured.
 */
export function renderJsonText(value: unknown, indent = 2): string {
  return write(value, '', ' '.repeat(indent)) ?? 'null';
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

function write(value: unknown, pad: string, step: string): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function')
    value = (value as { toJSON: () => unknown }).toJSON();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = pad + step;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isPrimitive)) return `[${value.map((v) => write(v, '', step) ?? 'null').join(', ')}]`;
    return `[\n${value.map((v) => inner + (write(v, inner, step) ?? 'null')).join(',\n')}\n${pad}]`;
  }
  const members: string[] = [];
  for (const [key, member] of Object.entries(value)) {
    const text = write(member, inner, step);
    if (text !== undefined) members.push(`${inner}${JSON.stringify(key)}: ${text}`);
  }
  return members.length === 0 ? '{}' : `{\n${members.join(',\n')}\n${pad}}`;
}
