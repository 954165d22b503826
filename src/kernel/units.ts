/**
 * Units of scenario values: durations, sizes, bandwidths, rates, percentages,
 * counts ("50k" users), and distribution strings such as `lognormal(5s, 0.6)`.
 *
 * Internal units (the whole simulator uses these):
 * - durations: integer microseconds (µs);
 * - sizes: integer bytes;
 * - bandwidths: bytes per second;
 * - rates: events per second;
 * - percentages: fractions in [0, 1].
 *
 * Every parser takes the raw scenario value (a YAML string or number) and
 * either returns the converted number or throws a {@link UnitError} whose
 * message says what was expected and what was got, starts lower-case and
 * names no file: the scenario layer prefixes file:line:col and the key path.
 *
 * Decisions:
 * - Duration parts must come largest unit first, each unit at most once
 *   ("1h2m3.5s"; "30s10m" and "5m5m" are rejected as likely typos).
 *   Units: h, m (or min), s, ms, us (or µs, μs). There is no ns: time is
 *   integer µs. Whitespace between a number and its unit is allowed.
 * - Size, bandwidth and rate units are case-sensitive except for the k of
 *   kilo ("250KB", "10Kbps"), because b/B (bits/bytes) and m/M
 *   (milli/mega) matter.
 * - A bare non-zero number is rejected for durations (seconds or ms?) and
 *   bandwidths (bits or bytes per second?); a bare 0 is accepted for both.
 *   A bare number is bytes for sizes, per second for rates and a fraction
 *   for percentages. Numeric strings ("800") are treated like numbers.
 * - Sizes and durations are rounded to the nearest byte / µs; bandwidths
 *   and rates are not rounded.
 */
import type { DistributionSpec } from './distributions.js';

/** A value that does not parse; the message says what was expected and what was got. */
export class UnitError extends Error {
  /** So that stack traces name this class rather than `Error`. */
  override name = 'UnitError';
}

/** An unsigned decimal number, optionally with an exponent: "5", "1.5", ".5", "1e3". */
const NUMBER_SOURCE = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const NUMBER = new RegExp(`^${NUMBER_SOURCE}$`);
/** A number then a unit (which may be empty or contain spaces, removed before lookup). */
const AMOUNT = new RegExp(`^(${NUMBER_SOURCE})\\s*(.*)$`, 's');

const US_PER: ReadonlyMap<string, number> = new Map([
  ['h', 3_600_000_000],
  ['m', 60_000_000],
  ['min', 60_000_000],
  ['s', 1_000_000],
  ['ms', 1_000],
  ['us', 1],
  ['\u00b5s', 1], // micro sign
  ['\u03bcs', 1], // Greek mu
]);

const DECIMAL_PREFIX: ReadonlyArray<[prefix: string, scale: number]> = [
  ['', 1],
  ['k', 1e3],
  ['K', 1e3],
  ['M', 1e6],
  ['G', 1e9],
  ['T', 1e12],
  ['P', 1e15],
];
const BINARY_PREFIX: ReadonlyArray<[prefix: string, scale: number]> = [
  ['Ki', 2 ** 10],
  ['ki', 2 ** 10],
  ['Mi', 2 ** 20],
  ['Gi', 2 ** 30],
  ['Ti', 2 ** 40],
];

/** Byte units: B, kB (KB), MB, GB, TB, PB, KiB, MiB, GiB, TiB. */
const BYTES_PER: ReadonlyMap<string, number> = new Map([...DECIMAL_PREFIX, ...BINARY_PREFIX].map(([p, scale]) => [`${p}B`, scale]));

/** Bandwidth units in bytes per second: bit rates (bps, bit/s) and byte rates (B/s). */
const BYTES_PER_SECOND_PER: ReadonlyMap<string, number> = new Map([
  ...DECIMAL_PREFIX.flatMap(([p, scale]): Array<[string, number]> => [
    [`${p}bps`, scale / 8],
    [`${p}bit/s`, scale / 8],
  ]),
  ...[...BYTES_PER].map(([unit, scale]): [string, number] => [`${unit}/s`, scale]),
]);

/** Bits written where bytes were meant: "10Mb", "1Gbit". */
const BITS = /^[kKMGTP]?(?:b|bit|bits)$/;

const DURATION_EXAMPLES = 'a duration such as 250us, 15ms, 5s or 10m30s';
const BYTES_EXAMPLES = 'a size such as 800B, 250kB, 2.6MB or 1MiB';
const BANDWIDTH_EXAMPLES = 'a bandwidth such as 1Gbps, 100Mbps or 10MB/s';
const RATE_EXAMPLES = 'a rate such as 2000/s, 120/min or 5/ms, or a plain number per second';
const PERCENT_EXAMPLES = 'a fraction from 0 to 1 or a percentage from 0% to 100% such as 0.5%';

/** How a raw value is quoted in messages: strings in double quotes, numbers bare. */
function shown(value: string | number): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function fail(expected: string, value: string | number, why = ''): never {
  throw new UnitError(`expected ${expected} (got ${shown(value)}${why})`);
}

/** The number of a plain-number value (number or numeric string), undefined if it is not one. */
function plainNumber(value: string | number): number | undefined {
  if (typeof value === 'number') return value;
  const s = value.trim();
  if (NUMBER.test(s)) return Number(s);
  if (s.startsWith('-') && NUMBER.test(s.slice(1).trimStart())) return -Number(s.slice(1).trimStart());
  return undefined;
}

/** True when the value is written negative ("-5s", -3). */
function isNegative(value: string | number): boolean {
  return typeof value === 'number' ? value < 0 : value.trim().startsWith('-');
}

/** Splits "2.5 MB / s" into 2.5 and "MB/s"; undefined if it does not start with an unsigned number. */
function splitAmount(text: string): { amount: number; unit: string } | undefined {
  const m = AMOUNT.exec(text.trim());
  return m ? { amount: Number(m[1]), unit: m[2].replace(/\s+/g, '') } : undefined;
}

function checkedInteger(x: number, expected: string, value: string | number): number {
  const n = Math.round(x);
  if (!Number.isSafeInteger(n)) fail(expected, value, ': too large');
  return n;
}

/** One part of a duration: a number then letters ("10m", "3.5 s", "250µs"). */
const DURATION_PART = new RegExp(`\\s*(${NUMBER_SOURCE})\\s*([A-Za-z\\u00b5\\u03bc]*)`, 'y');

/**
 * Parses a duration into integer microseconds (µs).
 *
 * Accepts one or more `<number><unit>` parts, largest unit first, each unit
 * once: "250us", "250µs", "15ms", "5s", "1.5s", "10m", "10m30s", "1h",
 * "1h2m3.5s"; units h, m/min, s, ms, us/µs. Also "0" and the number 0.
 * Rounds to the nearest µs.
 *
 * @param text the scenario value.
 * @returns the duration in µs, a non-negative safe integer.
 * @throws {UnitError} for negatives, bare non-zero numbers (ambiguous: "60"
 *   could be 60s or 60ms), unknown units and anything else.
 */
export function parseDuration(text: string | number): number {
  const plain = plainNumber(text);
  if (plain === 0) return 0;
  if (isNegative(text)) fail(`a non-negative duration such as 250us, 15ms, 5s or 10m30s`, text);
  if (plain !== undefined) {
    if (!Number.isFinite(plain)) fail(DURATION_EXAMPLES, text);
    fail(`a duration with a unit such as ${plain}s or ${plain}ms`, text, ': a bare number is ambiguous');
  }
  const s = (text as string).trim();
  let total = 0;
  let previousScale = Infinity;
  let pos = 0;
  if (s === '') fail(DURATION_EXAMPLES, text);
  while (pos < s.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(s);
    if (!m) fail(DURATION_EXAMPLES, text);
    const scale = US_PER.get(m[2]);
    if (scale === undefined) {
      const why = m[2] === '' ? `: "${m[1]}" has no unit` : `: unknown unit "${m[2]}", expected h, m, s, ms or us`;
      fail(DURATION_EXAMPLES, text, why);
    }
    if (scale >= previousScale) fail(DURATION_EXAMPLES, text, ': units must go from largest to smallest, each once');
    previousScale = scale;
    total += Number(m[1]) * scale;
    pos = DURATION_PART.lastIndex;
  }
  return checkedInteger(total, DURATION_EXAMPLES, text);
}

/** Microseconds per unit of a fine duration: ns and a duration's units up to s. */
const FINE_US_PER: ReadonlyMap<string, number> = new Map([['ns', 1e-3], ...[...US_PER].filter(([, scale]) => scale <= 1e6)]);

/**
 * Parses a duration finer than a µs, for a cost paid many times per
 * operation (system.stock.perWaiter: 0.21 µs per waiting take): one number
 * and one unit, ns, us (µs), ms or s, returned in fractional µs, not
 * rounded. A bare 0 is accepted.
 */
export function parseFineDuration(text: string | number): number {
  const expected = 'a non-negative duration such as 210ns or 0.5us';
  const plain = plainNumber(text);
  if (plain === 0) return 0;
  if (isNegative(text)) fail(expected, text);
  if (plain !== undefined) fail(expected, text, ': a bare number is ambiguous');
  const amount = splitAmount(text as string);
  const scale = amount && FINE_US_PER.get(amount.unit);
  if (!amount || scale === undefined) fail(expected, text);
  const us = amount.amount * scale;
  if (!Number.isFinite(us)) fail(expected, text, ': too large');
  return us;
}

/**
 * Parses a size into integer bytes.
 *
 * Decimal units "800B", "250kB" (= 250 000; "250KB" also accepted), "1MB",
 * "2.6MB", "1GB", "1TB"; binary units "1KiB" (= 1024), "1MiB", "1GiB",
 * "1TiB"; or a plain non-negative number of bytes. Rounds to the nearest byte.
 *
 * @param text the scenario value.
 * @returns the size in bytes, a non-negative safe integer.
 * @throws {UnitError} for negatives, unknown units, and bits ("10Mb",
 *   "1Gb"), with a hint that a transfer rate is a bandwidth ("10Mbps").
 */
export function parseBytes(text: string | number): number {
  if (isNegative(text)) fail(`a non-negative size such as 800B, 250kB, 2.6MB or 1MiB`, text);
  const plain = plainNumber(text);
  if (plain !== undefined) {
    if (!Number.isFinite(plain)) fail(BYTES_EXAMPLES, text);
    return checkedInteger(plain, BYTES_EXAMPLES, text);
  }
  const parsed = splitAmount(text as string);
  if (!parsed) fail(BYTES_EXAMPLES, text);
  const scale = BYTES_PER.get(parsed.unit);
  if (scale === undefined) {
    if (BITS.test(parsed.unit)) {
      fail(
        BYTES_EXAMPLES,
        text,
        `: "${parsed.unit}" is bits; sizes are in bytes (B), and a transfer rate is a bandwidth such as ${parsed.amount}${parsed.unit.replace(/its?$/, '')}ps`,
      );
    }
    fail(BYTES_EXAMPLES, text);
  }
  return checkedInteger(parsed.amount * scale, BYTES_EXAMPLES, text);
}

/**
 * Parses a bandwidth into bytes per second.
 *
 * Bit rates "1Gbps" (= 125 000 000 B/s), "100Mbps", "10kbps", "4Gbps",
 * "1.5Gbps" (also "bit/s": "1Gbit/s"), and byte rates "10MB/s", "1GiB/s".
 * A bare 0 is accepted (e.g. no leased bandwidth).
 *
 * @param text the scenario value.
 * @returns bytes per second, non-negative, finite, not rounded.
 * @throws {UnitError} for negatives, unknown units, a size without "/s",
 *   bare non-zero numbers (ambiguous between bits and bytes per second),
 *   and values too large to be finite ("1e400Gbps").
 */
export function parseBandwidth(text: string | number): number {
  const plain = plainNumber(text);
  if (plain === 0) return 0;
  if (isNegative(text)) fail(`a non-negative bandwidth such as 1Gbps, 100Mbps or 10MB/s`, text);
  if (plain !== undefined) {
    if (!Number.isFinite(plain)) fail(BANDWIDTH_EXAMPLES, text);
    fail(`a bandwidth with a unit such as ${plain}Mbps or ${plain}MB/s`, text, ': a bare number is ambiguous');
  }
  const parsed = splitAmount(text as string);
  if (!parsed) fail(BANDWIDTH_EXAMPLES, text);
  const scale = BYTES_PER_SECOND_PER.get(parsed.unit);
  if (scale === undefined) {
    if (BYTES_PER.has(parsed.unit)) fail(BANDWIDTH_EXAMPLES, text, `: that is a size; did you mean ${parsed.amount}${parsed.unit}/s?`);
    fail(BANDWIDTH_EXAMPLES, text);
  }
  const bandwidth = parsed.amount * scale;
  if (!Number.isFinite(bandwidth)) fail(BANDWIDTH_EXAMPLES, text, ': too large');
  return bandwidth;
}

/**
 * Parses an event rate into events per second.
 *
 * "2000/s", "120/min" (or "/m"), "5/ms", "3600/h", "1/us", or a plain
 * non-negative number, taken as per second.
 *
 * @param text the scenario value.
 * @returns events per second, non-negative, finite, not rounded.
 * @throws {UnitError} for negatives, unknown units and values too large
 *   to be finite ("1e400/s").
 */
export function parseRate(text: string | number): number {
  if (isNegative(text)) fail(`a non-negative rate such as 2000/s, 120/min or 5/ms`, text);
  const plain = plainNumber(text);
  if (plain !== undefined) {
    if (!Number.isFinite(plain)) fail(RATE_EXAMPLES, text);
    return plain;
  }
  const parsed = splitAmount(text as string);
  const us = parsed?.unit.startsWith('/') ? US_PER.get(parsed.unit.slice(1)) : undefined;
  if (!parsed || us === undefined) fail(RATE_EXAMPLES, text);
  const rate = (parsed.amount * 1_000_000) / us;
  if (!Number.isFinite(rate)) fail(RATE_EXAMPLES, text, ': too large');
  return rate;
}

/**
 * Parses a fraction in [0, 1].
 *
 * A percentage "0.5%" (= 0.005), "100%" (= 1), or a plain number from 0 to 1.
 *
 * @param text the scenario value.
 * @returns the fraction, in [0, 1].
 * @throws {UnitError} for negatives, percentages above 100%, plain numbers
 *   above 1 (with a hint: 5 → "did you mean 5%?") and anything else.
 */
export function parsePercent(text: string | number): number {
  const plain = plainNumber(text);
  if (plain !== undefined) {
    if (plain >= 0 && plain <= 1) return plain;
    if (plain > 1 && plain <= 100) fail(PERCENT_EXAMPLES, text, `: did you mean ${plain}%?`);
    fail(PERCENT_EXAMPLES, text);
  }
  const parsed = isNegative(text) ? undefined : splitAmount(text as string);
  if (!parsed || parsed.unit !== '%' || !(parsed.amount <= 100)) fail(PERCENT_EXAMPLES, text);
  return parsed.amount / 100;
}

const COUNT_EXAMPLES = 'a positive whole number such as 10000, 10k or 1M';
const COUNT_SCALE: Record<string, number> = { '': 1, k: 1e3, m: 1e6 };

/**
 * Parses a count of things (users): a whole number, or one with a k
 * (thousand) or M (million) suffix, either case: "10000", "10k", "1.5M",
 * "1e6", 100_000. The same forms as `--users`, so a scenario file and the
 * command line accept the same text.
 *
 * @param text the scenario value.
 * @returns the count, a positive safe integer.
 * @throws {UnitError} for zero, negatives, fractions of one ("1.5") and anything else.
 */
export function parseCount(text: string | number): number {
  const m = typeof text === 'number' ? undefined : /^\s*(\d+(?:_\d+)*(?:\.\d+)?(?:e\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  const value = typeof text === 'number' ? text : m ? Number(m[1].replace(/_/g, '')) * COUNT_SCALE[m[2].toLowerCase()] : NaN;
  // 1.5k is 1500 users; 1.5 users is not a count. Round away float noise (1.1k = 1100.0000000000002).
  const whole = Math.round(value);
  if (!Number.isSafeInteger(whole) || whole < 1 || Math.abs(value - whole) > 1e-6) fail(COUNT_EXAMPLES, text);
  return whole;
}

/** Largest lognormal sigma accepted (see {@link parseDistribution}). */
export const MAX_SIGMA = 5;

/** Shape range of `weibull(scale, shape)`: below 0.1 the far tail is 10¹³ times the scale; above 100 it is a constant. */
export const WEIBULL_SHAPE_RANGE = [0.1, 100] as const;

/** Shape range of `gamma(shape, scale)`: below 0.05 nearly every draw rounds to 0; above 1000 it is a normal. */
export const GAMMA_SHAPE_RANGE = [0.05, 1000] as const;

/** What the numbers inside a distribution string are. */
export type Quantity = 'duration' | 'bytes' | 'number';

const DISTRIBUTION_NAMES = ['lognormal', 'exp', 'exponential', 'uniform', 'normal', 'const', 'constant', 'empirical', 'weibull', 'gamma'];

/** Parses one value of a quantity into its internal unit (µs, bytes, or the number itself). */
function parseQuantity(text: string | number, quantity: Quantity): number {
  switch (quantity) {
    case 'duration':
      return parseDuration(text);
    case 'bytes':
      return parseBytes(text);
    case 'number': {
      const n = plainNumber(text);
      if (n === undefined || !(n >= 0) || !Number.isFinite(n)) fail('a non-negative plain number', text);
      return n;
    }
  }
}

/**
 * Parses a distribution string into a {@link DistributionSpec}, its values
 * converted to the quantity's internal unit (µs for durations, bytes for
 * sizes; plain numbers as they are).
 *
 * Forms (names case-insensitive, whitespace tolerant):
 * - `lognormal(median, sigma)`, e.g. "lognormal(5s, 0.6)": median > 0;
 *   sigma is a plain number from 0 to 5 (σ of the underlying normal; at
 *   σ = 5 the 99.9th percentile is already 5 million times the median,
 *   beyond any latency or think time, and larger σ overflow: e^(σ·6.3)
 *   at the far tail);
 * - `exp(mean)` or `exponential(mean)`, e.g. "exp(20ms)": mean >= 0;
 * - `uniform(min, max)`, e.g. "uniform(1s, 3s)": 0 <= min <= max;
 * - `normal(mean, sd)`, e.g. "normal(100ms, 20ms)": mean, sd >= 0
 *   (samples are clamped at 0);
 * - `const(value)` or `constant(value)`, or a bare value "5ms";
 * - `empirical(v1: p1, v2: p2, ...)`, e.g. "empirical(10ms: 0.5, 50ms: 0.9, 200ms: 1)":
 *   points of a piecewise-linear CDF, values >= 0 and non-decreasing,
 *   cumulative probabilities (plain or "50%") non-decreasing, the last = 1;
 * - `weibull(scale, shape)`, e.g. "weibull(20ms, 1.5)": scale > 0, shape a
 *   plain number in {@link WEIBULL_SHAPE_RANGE};
 * - `gamma(shape, scale)`, e.g. "gamma(2.5, 6ms)": shape a plain number in
 *   {@link GAMMA_SHAPE_RANGE}, scale > 0 (mean = shape·scale).
 *
 * @param text the scenario value (a number is a constant).
 * @param quantity what the values are: 'duration' (→ µs), 'bytes', 'number'.
 * @throws {UnitError} naming the expected form and what was got.
 */
export function parseDistribution(text: string | number, quantity: Quantity): DistributionSpec {
  if (typeof text === 'number' || !/^\s*[A-Za-z_]/.test(text)) {
    return { kind: 'constant', value: parseQuantity(text, quantity) };
  }
  const whole = text;
  const call = /^\s*([A-Za-z_]\w*)\s*(.*?)\s*$/s.exec(text)!;
  const name = call[1];
  const kind = name.toLowerCase();
  if (!DISTRIBUTION_NAMES.includes(kind)) {
    throw new UnitError(
      `unknown distribution ${JSON.stringify(name)} (expected one of: ${DISTRIBUTION_NAMES.join(', ')}, or a plain value)`,
    );
  }
  const signature =
    {
      lognormal: 'lognormal(median, sigma)',
      uniform: 'uniform(min, max)',
      normal: 'normal(mean, sd)',
      empirical: 'empirical(value: probability, ...)',
      weibull: 'weibull(scale, shape)',
      gamma: 'gamma(shape, scale)',
    }[kind] ?? `${kind}(${kind.startsWith('exp') ? 'mean' : 'value'})`;
  const inside = /^\((.*)\)$/s.exec(call[2]);
  if (!inside) bad();
  const args = inside[1].trim() === '' ? [] : inside[1].split(',').map((a) => a.trim());

  function bad(condition = ''): never {
    return fail(`${signature}${condition}`, whole);
  }
  function arity(n: number): void {
    if (args.length !== n) bad(` with ${n} argument${n === 1 ? '' : 's'}`);
  }
  /** A value of the quantity, possibly negative (the caller checks the sign and words the message). */
  function value(arg: string): number {
    const negative = arg.startsWith('-');
    try {
      const v = parseQuantity(negative ? arg.slice(1).trimStart() : arg, quantity);
      return negative ? 0 - v : v;
    } catch (e) {
      if (e instanceof UnitError) throw new UnitError(`${e.message} in ${shown(whole)}`);
      throw e;
    }
  }
  /** A cumulative probability, plain or "50%"; NaN if it is neither. */
  function probability(arg: string): number {
    try {
      return parsePercent(arg);
    } catch {
      return NaN;
    }
  }

  switch (kind) {
    case 'lognormal': {
      arity(2);
      const median = value(args[0]);
      if (!(median > 0)) bad(' with a positive median');
      const sigma = plainNumber(args[1]);
      if (sigma === undefined || !(sigma >= 0 && sigma <= MAX_SIGMA)) bad(` with sigma a plain number from 0 to ${MAX_SIGMA}`);
      return { kind: 'lognormal', median, sigma };
    }
    case 'exp':
    case 'exponential': {
      arity(1);
      const mean = value(args[0]);
      if (!(mean >= 0)) bad(' with a non-negative mean');
      return { kind: 'exponential', mean };
    }
    case 'uniform': {
      arity(2);
      const min = value(args[0]);
      const max = value(args[1]);
      if (!(min >= 0 && min <= max)) bad(' with 0 <= min <= max');
      return { kind: 'uniform', min, max };
    }
    case 'normal': {
      arity(2);
      const mean = value(args[0]);
      const sd = value(args[1]);
      if (!(mean >= 0 && sd >= 0)) bad(' with a non-negative mean and sd');
      return { kind: 'normal', mean, sd };
    }
    case 'weibull': {
      arity(2);
      const scale = value(args[0]);
      if (!(scale > 0)) bad(' with a positive scale');
      const shape = plainNumber(args[1]);
      const [low, high] = WEIBULL_SHAPE_RANGE;
      if (shape === undefined || !(shape >= low && shape <= high)) bad(` with shape a plain number from ${low} to ${high}`);
      return { kind: 'weibull', scale, shape };
    }
    case 'gamma': {
      arity(2);
      const shape = plainNumber(args[0]);
      const [low, high] = GAMMA_SHAPE_RANGE;
      if (shape === undefined || !(shape >= low && shape <= high)) bad(` with shape a plain number from ${low} to ${high}`);
      const scale = value(args[1]);
      if (!(scale > 0)) bad(' with a positive scale');
      return { kind: 'gamma', shape, scale };
    }
    case 'const':
    case 'constant': {
      arity(1);
      const v = value(args[0]);
      if (!(v >= 0)) bad(' with a non-negative value');
      return { kind: 'constant', value: v };
    }
    default: {
      // empirical
      if (args.length === 0) bad(' with at least one point');
      const points: Array<[number, number]> = [];
      for (const arg of args) {
        const colon = arg.lastIndexOf(':');
        if (colon < 0) bad(' with each point written value: probability');
        const v = value(arg.slice(0, colon).trim());
        const cumulative = probability(arg.slice(colon + 1));
        const previous = points.at(-1);
        if (!(v >= 0)) bad(' with non-negative values');
        if (previous && v < previous[0]) bad(' with non-decreasing values');
        if (!(cumulative >= 0 && cumulative <= 1 && cumulative >= (previous?.[1] ?? 0))) {
          bad(' with probabilities from 0 to 1, non-decreasing');
        }
        points.push([v, cumulative]);
      }
      const last = points[points.length - 1];
      if (Math.abs(last[1] - 1) > 1e-9) bad(' with the last probability 1');
      last[1] = 1;
      return { kind: 'empirical', points };
    }
  }
}

/** `n / unit` written exactly, without trailing zeros: decimal(1500, 1000) = "1.5". */
function decimal(n: number, unit: number): string {
  const whole = Math.floor(n / unit);
  const fraction = n % unit;
  if (fraction === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(fraction).padStart(digits, '0').replace(/0+$/, '')}`;
}

/**
 * Formats a duration for reports and messages: "0s", "250us", "1.5ms",
 * "15ms", "1.5s", "10m30s", "1h2m3.5s".
 *
 * Exact, not rounded: parseDuration(formatDuration(n)) === n for every
 * integer n >= 0 (so "1.234567s" rather than "1.23s").
 *
 * @param us the duration in µs (rounded to an integer first; negatives get a "-").
 */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return String(us);
  const n = Math.round(us);
  if (n < 0) return `-${formatDuration(-n)}`;
  if (n === 0) return '0s';
  if (n < 1_000) return `${n}us`;
  if (n < 1_000_000) return `${decimal(n, 1_000)}ms`;
  if (n < 60_000_000) return `${decimal(n, 1_000_000)}s`;
  const hours = Math.floor(n / 3_600_000_000);
  const minutes = Math.floor((n % 3_600_000_000) / 60_000_000);
  const rest = n % 60_000_000;
  return (hours ? `${hours}h` : '') + (minutes ? `${minutes}m` : '') + (rest ? `${decimal(rest, 1_000_000)}s` : '');
}

/**
 * Formats a size for reports and messages, in decimal units to 3 significant
 * digits: "800B", "250kB", "1.2MB", "2.6GB". For display: lossy.
 *
 * @param bytes the size in bytes (negatives get a "-").
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  if (bytes < 0) return `-${formatBytes(-bytes)}`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = bytes;
  while (i < units.length - 1 && Number(v.toPrecision(3)) >= 1000) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}
