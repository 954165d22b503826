/**
 * The meaning of a scenario's `plan:` block (its shape is plan-schema.ts):
 * every parameter path exists and is not a run key, ranges parse in their
 * field's units and expand to a list of values each accepted by the field,
 * enumerations parse, prices fit their form, uncertain inputs name numeric
 * fields. The result is a {@link PlanSpec}: every parameter as the list
 * of values the search moves along, each with the text `--set` takes and
 * its price per hour. Issues are located at their key path under `plan`.
 */
import type { ScenarioIssue } from '../errors.js';
import { formatDuration, parseBandwidth, parseDuration, parsePercent } from '../kernel/units.js';
import { scenarioErrorMap } from './issues.js';
import { RUN_KEYS, runKeyOf } from './overlay.js';
import { checkPath, schemaAt, splitPath } from './paths.js';
import { defaultMaxReplications, type PlanBlock } from './plan-schema.js';
import type { PathSegment, SourceMap } from './positions.js';
import { BaseSchema, type ResolvedConfig, type Scenario } from './schema.js';

/** What a numeric field's values are, for parsing ranges and showing values. */
export type ValueKind = 'number' | 'duration' | 'bandwidth';

/** One value a parameter can take. */
export interface PlanValue {
  /** As reports show it: `8`, `250ms`, `2Gbps`, `fifo`. */
  label: string;
  /** As `--set path=…` takes it. */
  set: string;
  /** Price per hour of this value, in the plan's currency. */
  pricePerHour: number;
}

/** A parameter the search varies. */
export interface PlanParameter {
  /** Dotted path, as written. */
  path: string;
  /** A range's kind, or `enum` for a list of values. */
  kind: ValueKind | 'enum';
  /** The values in search order (increasing capacity for a monotone parameter). */
  values: PlanValue[];
  /** Whether more never hurts: the search may bisect it and infer below an infeasible plan. */
  monotone: boolean;
  /** A range's price per internal unit (1, µs, byte/s) per hour: what any value of the field costs. */
  unitPrice?: number;
  /** An enumeration's values as the field parses them (JSON), to price a configuration's value. */
  canonical?: string[];
}

/** An input drawn per replication (common random numbers across candidates). */
export interface UncertainInput {
  /** Dotted path. */
  path: string;
  /** How the drawn number is written for `--set`. */
  kind: ValueKind;
  /** Whether the field takes whole numbers only (the draw is rounded). */
  integer: boolean;
  /** Bounds in the field's internal unit (µs, bytes/s, or the number). */
  low: number;
  high: number;
  /** Uniform or triangular (mode in the middle) between the bounds. */
  distribution: 'uniform' | 'triangular';
}

/** A validated plan. */
export interface PlanSpec {
  /** The strategy planned. */
  strategy: string;
  /**
   * Why no strategy could be chosen (several and no plan.strategy): only
   * `sim plan` needs one, so this is its error, not the file's.
   */
  strategyIssue?: ScenarioIssue;
  currency: string;
  hours: number;
  /** Fixed cost per hour. */
  fixed: number;
  /** Replications per batch (the first batch too). */
  replications: number;
  /** Most replications of one candidate. */
  maxReplications: number;
  parameters: PlanParameter[];
  uncertain: UncertainInput[];
  /** The number of candidates in the full grid. */
  gridSize: number;
}

/** Most values one parameter may take: more is a typo (a step too small) more often than a plan. */
export const MAX_PARAMETER_VALUES = 1_000;
/** Most candidates in a plan's grid. */
export const MAX_GRID_SIZE = 1_000_000;

type Leaf = NonNullable<ReturnType<typeof schemaAt>>;

function parseLeaf(leaf: Leaf, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const result = (
    leaf as unknown as {
      safeParse(v: unknown, o: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ message: string }> } };
    }
  ).safeParse(value, { error: scenarioErrorMap });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, message: result.error?.issues[0]?.message ?? 'is not accepted here' };
}

/** The kind of a numeric field: does it take durations, bandwidths, or plain numbers? */
function kindOf(leaf: Leaf): ValueKind {
  const second = parseLeaf(leaf, '1s');
  if (second.ok && second.value === 1_000_000) return 'duration';
  const bandwidth = parseLeaf(leaf, '8bps');
  if (bandwidth.ok && bandwidth.value === 1) return 'bandwidth';
  return 'number';
}

/** Parses a written amount in a kind's units to the internal number (µs, bytes/s, the number). */
function amountOf(kind: ValueKind, written: string | number): number {
  if (kind === 'duration') return parseDuration(written);
  if (kind === 'bandwidth') return parseBandwidth(written);
  const n = typeof written === 'number' ? written : Number(written);
  if (!Number.isFinite(n)) throw new Error(`expected a number (got ${JSON.stringify(written)})`);
  return n;
}

/** A bandwidth for reports: bits per second with a decimal prefix, "2Gbps", "750Mbps". */
export function formatBandwidth(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  const units: Array<[number, string]> = [
    [1e12, 'Tbps'],
    [1e9, 'Gbps'],
    [1e6, 'Mbps'],
    [1e3, 'kbps'],
  ];
  for (const [scale, unit] of units) if (bits >= scale) return `${Number((bits / scale).toPrecision(6))}${unit}`;
  return `${Number(bits.toPrecision(6))}bps`;
}

/** How a value of a kind is shown and set. */
function valueText(kind: ValueKind, n: number): { label: string; set: string } {
  if (kind === 'duration') return { label: formatDuration(n), set: formatDuration(n) };
  // bytes/s are exact through B/s; the label rounds for reading.
  if (kind === 'bandwidth') return { label: formatBandwidth(n), set: `${n}B/s` };
  const shown = String(Number(n.toPrecision(12)));
  return { label: shown, set: shown };
}

/** The default quantity a price is for. */
const DEFAULT_PER: Record<ValueKind, number> = { number: 1, duration: 1_000_000, bandwidth: 125_000 };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path of a configuration (undefined when absent). */
export function valueAtPath(config: unknown, path: readonly string[]): unknown {
  let node = config;
  for (const segment of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[segment];
  }
  return node;
}

/** Checks a path for a plan key: exists in the configuration, is not a run key. */
function pathProblem(dotted: string): string | undefined {
  const segments = splitPath(dotted);
  if (!segments) return `expected a dotted path such as system.orderServers.servers (got ${JSON.stringify(dotted)})`;
  const runKey = runKeyOf(segments);
  if (runKey)
    return `${runKey} belongs to the run, not to a candidate: every candidate runs with the same ${runKey} (${RUN_KEYS[runKey].option})`;
  const why = checkPath(BaseSchema, segments);
  return why ? `unknown path: ${why}` : undefined;
}

/** The strategy a plan is for, or why there is none. */
function planStrategy(block: PlanBlock, scenario: Scenario): { name?: string; problem?: string } {
  const names = Object.keys(scenario.strategies);
  if (block.strategy !== undefined) {
    if (!Object.hasOwn(scenario.strategies, block.strategy))
      return { problem: `unknown strategy "${block.strategy}" (the scenario has: ${names.join(', ')})` };
    return { name: block.strategy };
  }
  if (names.length === 1) return { name: names[0] };
  return { problem: `the scenario has ${names.length} strategies (${names.join(', ')}): name the one to plan with plan.strategy` };
}

/**
 * Checks the `plan:` block of a parsed scenario and builds its spec.
 *
 * @param configs each strategy's resolved configuration (for the
 *   scenario's values of uncertain inputs).
 * @returns the spec, or the issues found (none when the scenario has no plan).
 */
export function checkPlan(
  scenario: Scenario,
  source: SourceMap,
  configs: ReadonlyMap<string, ResolvedConfig>,
): { spec?: PlanSpec; issues: ScenarioIssue[] } {
  const block = scenario.plan;
  if (!block) return { issues: [] };
  const issues: ScenarioIssue[] = [];
  const at = (path: readonly PathSegment[], message: string, anchor: 'key' | 'value' = 'value') =>
    issues.push(source.issue(['plan', ...path], message, anchor));

  const { name: chosen, problem } = planStrategy(block, scenario);
  // An unknown plan.strategy is the file's error; several strategies and none named only stop `sim plan`.
  if (problem && block.strategy !== undefined) at(['strategy'], problem);
  const strategyIssue = problem && block.strategy === undefined ? source.issue(['plan'], problem, 'key') : undefined;
  const strategy = chosen ?? (strategyIssue ? Object.keys(scenario.strategies)[0] : undefined);
  if (chosen !== undefined && (scenario.strategies[chosen].expect?.violates ?? []).length > 0) {
    at(
      block.strategy !== undefined ? ['strategy'] : [],
      `strategy "${strategy}" expects violations (a negative control): a plan needs a strategy meant to pass`,
    );
  }
  // One limit for sim run and sim plan: the plan's own, else the scenario's, else the default.
  // The default always leaves room for the first batch (defaultMaxReplications): only a given limit can be below it.
  const maxReplications = block.maxReplications ?? scenario.maxReplications ?? defaultMaxReplications(block.replications);
  if (block.replications > maxReplications) {
    const from = block.maxReplications !== undefined ? 'maxReplications' : 'the scenario’s maxReplications';
    at(['replications'], `must be at most ${from} (${maxReplications}) (got ${block.replications})`);
  }

  const parameters: PlanParameter[] = [];
  for (const [path, p] of Object.entries(block.parameters)) {
    const here: PathSegment[] = ['parameters', path];
    const why = pathProblem(path);
    if (why) {
      at(here, why, 'key');
      continue;
    }
    const leaf = schemaAt(BaseSchema, splitPath(path)!)!;
    const built = p.values !== undefined ? enumParameter(path, p, leaf, here, at) : rangeParameter(path, p, leaf, here, at);
    if (built) parameters.push(built);
  }

  const config = strategy !== undefined ? configs.get(strategy) : undefined;
  const uncertain: UncertainInput[] = [];
  for (const [path, u] of Object.entries(block.uncertain)) {
    const here: PathSegment[] = ['uncertain', path];
    const why = pathProblem(path);
    if (why) {
      at(here, why, 'key');
      continue;
    }
    if (Object.hasOwn(block.parameters, path)) {
      at(here, 'is also a parameter of the plan: a path is either searched or uncertain', 'key');
      continue;
    }
    const built = uncertainInput(path, u, schemaAt(BaseSchema, splitPath(path)!)!, config, here, at);
    if (built) uncertain.push(built);
  }

  const gridSize = parameters.reduce((n, p) => n * p.values.length, 1);
  if (issues.length === 0 && gridSize > MAX_GRID_SIZE) {
    const sizes = parameters.map((p) => `${p.values.length} (${p.path})`).join(' × ');
    at(
      ['parameters'],
      `the grid has ${gridSize.toLocaleString('en-US')} candidates (${sizes}); at most ${MAX_GRID_SIZE.toLocaleString('en-US')}: use larger steps`,
      'key',
    );
  }
  if (issues.length > 0 || strategy === undefined) return { issues };
  return {
    issues,
    spec: {
      strategy,
      ...(strategyIssue ? { strategyIssue } : {}),
      currency: block.currency,
      hours: block.hours,
      fixed: block.fixed,
      replications: block.replications,
      maxReplications,
      parameters,
      uncertain,
      gridSize,
    },
  };
}

type At = (path: readonly PathSegment[], message: string, anchor?: 'key' | 'value') => void;
type ParameterBlock = PlanBlock['parameters'][string];

function enumParameter(path: string, p: ParameterBlock, leaf: Leaf, here: PathSegment[], at: At): PlanParameter | undefined {
  let ok = true;
  for (const key of ['min', 'max', 'step', 'price', 'per'] as const) {
    if (p[key] !== undefined) {
      at([...here, key], `does not go with values (an enumeration)${key === 'price' ? ': give prices, one per value' : ''}`, 'key');
      ok = false;
    }
  }
  const values = p.values!;
  if (p.prices !== undefined && p.prices.length !== values.length) {
    at([...here, 'prices'], `lists ${p.prices.length} price(s) for ${values.length} value(s): give one per value`);
    ok = false;
  }
  const seen = new Map<string, number>();
  const out: PlanValue[] = [];
  const canonicals: string[] = [];
  values.forEach((value, i) => {
    const parsed = parseLeaf(leaf, value);
    if (!parsed.ok) {
      at([...here, 'values', i], `${parsed.message} (got ${JSON.stringify(value)})`);
      ok = false;
      return;
    }
    const canonical = JSON.stringify(parsed.value);
    if (seen.has(canonical)) {
      at(
        [...here, 'values', i],
        `means the same as value ${seen.get(canonical)} (${JSON.stringify(values[seen.get(canonical)!])}): give each value once`,
      );
      ok = false;
    }
    seen.set(canonical, i);
    canonicals.push(canonical);
    const text = String(value);
    out.push({ label: text, set: typeof value === 'string' ? JSON.stringify(value) : text, pricePerHour: p.prices?.[i] ?? 0 });
  });
  return ok ? { path, kind: 'enum', values: out, monotone: p.monotone ?? false, canonical: canonicals } : undefined;
}

function rangeParameter(path: string, p: ParameterBlock, leaf: Leaf, here: PathSegment[], at: At): PlanParameter | undefined {
  if (p.prices !== undefined) {
    at([...here, 'prices'], 'goes with values (an enumeration); a range takes price (per `per` per hour)', 'key');
    return undefined;
  }
  if (p.min === undefined || p.max === undefined) {
    at(here, 'needs min and max (a range) or values (an enumeration)', 'key');
    return undefined;
  }
  const probe = parseLeaf(leaf, p.min);
  if (probe.ok && typeof probe.value !== 'number') {
    at([...here, 'min'], `${path} is not a numeric field: list its values (values: [...]) instead of a range`);
    return undefined;
  }
  if (!probe.ok) {
    at([...here, 'min'], `${probe.message} (got ${JSON.stringify(p.min)})`);
    return undefined;
  }
  const kind = kindOf(leaf);
  const read = (key: 'min' | 'max' | 'step' | 'per', written: string | number): number | undefined => {
    try {
      return amountOf(kind, written);
    } catch (error) {
      at([...here, key], (error as Error).message);
      return undefined;
    }
  };
  const min = read('min', p.min);
  const max = read('max', p.max);
  if (p.step === undefined && kind !== 'number') {
    at(here, `needs a step for a ${kind === 'duration' ? 'duration (e.g. step: 50ms)' : 'bandwidth (e.g. step: 500Mbps)'}`, 'key');
    return undefined;
  }
  const step = p.step === undefined ? 1 : read('step', p.step);
  const per = p.per === undefined ? DEFAULT_PER[kind] : read('per', p.per);
  if (min === undefined || max === undefined || step === undefined || per === undefined) return undefined;
  if (!(step > 0)) {
    at([...here, 'step'], `must be greater than 0 (got ${JSON.stringify(p.step)})`);
    return undefined;
  }
  if (!(per > 0)) {
    at([...here, 'per'], `must be greater than 0 (got ${JSON.stringify(p.per)})`);
    return undefined;
  }
  if (min > max) {
    at([...here, 'max'], `must be at least min (${JSON.stringify(p.min)}) (got ${JSON.stringify(p.max)})`);
    return undefined;
  }
  const count = Math.floor((max - min) / step + 1e-9) + 1;
  if (count > MAX_PARAMETER_VALUES) {
    at(
      [...here, 'step'],
      `gives ${count.toLocaleString('en-US')} values; at most ${MAX_PARAMETER_VALUES.toLocaleString('en-US')}: use a larger step`,
    );
    return undefined;
  }
  const values: PlanValue[] = [];
  for (let k = 0; k < count; k++) {
    const n = kind === 'number' ? Number((min + k * step).toPrecision(12)) : min + k * step;
    const text = valueText(kind, kind === 'duration' ? Math.round(n) : n);
    const parsed = parseLeaf(leaf, kind === 'number' ? n : text.set);
    if (!parsed.ok) {
      at([...here, k === 0 ? 'min' : 'step'], `value ${text.label} of the range: ${parsed.message}`);
      return undefined;
    }
    values.push({ ...text, pricePerHour: ((p.price ?? 0) * n) / per });
  }
  return { path, kind, values, monotone: p.monotone ?? true, unitPrice: (p.price ?? 0) / per };
}

function uncertainInput(
  path: string,
  u: PlanBlock['uncertain'][string],
  leaf: Leaf,
  config: ResolvedConfig | undefined,
  here: PathSegment[],
  at: At,
): UncertainInput | undefined {
  const base = valueAtPath(config, splitPath(path)!);
  if (typeof base !== 'number') {
    at(
      here,
      `${path} is not a numeric field (its value is ${JSON.stringify(base) ?? 'unset'}): only numbers, durations and bandwidths can be uncertain`,
      'key',
    );
    return undefined;
  }
  const kind = kindOf(leaf);
  const integer = !parseLeaf(leaf, kind === 'number' ? base + 0.5 : valueText(kind, base + 0.5).set).ok || kind === 'duration';
  let low: number;
  let high: number;
  if (u.within !== undefined) {
    if (u.min !== undefined || u.max !== undefined) {
      at([...here, 'within'], 'goes with neither min nor max: give a relative range or absolute bounds', 'key');
      return undefined;
    }
    let share: number;
    try {
      share = parsePercent(u.within);
    } catch (error) {
      at([...here, 'within'], (error as Error).message);
      return undefined;
    }
    low = base * (1 - share);
    high = base * (1 + share);
  } else {
    if (u.min === undefined || u.max === undefined) {
      at(here, 'needs within (e.g. within: 30%) or both min and max', 'key');
      return undefined;
    }
    try {
      low = amountOf(kind, u.min);
    } catch (error) {
      at([...here, 'min'], (error as Error).message);
      return undefined;
    }
    try {
      high = amountOf(kind, u.max);
    } catch (error) {
      at([...here, 'max'], (error as Error).message);
      return undefined;
    }
    if (low > high) {
      at([...here, 'max'], `must be at least min (got ${JSON.stringify(u.max)})`);
      return undefined;
    }
  }
  for (const [key, n] of [
    [u.within !== undefined ? 'within' : 'min', low],
    [u.within !== undefined ? 'within' : 'max', high],
  ] as const) {
    const value = integer ? Math.round(n) : n;
    const parsed = parseLeaf(leaf, kind === 'number' ? value : valueText(kind, value).set);
    if (!parsed.ok) {
      at([...here, key], `the bound ${valueText(kind, value).label}: ${parsed.message}`);
      return undefined;
    }
  }
  return { path, kind, integer, low, high, distribution: u.distribution };
}

/** The `--set` text of an uncertain input's drawn value `u` in (0, 1). */
export function uncertainAssignment(input: UncertainInput, u: number): string {
  const { low, high } = input;
  // Triangular with its mode in the middle: the mean of two uniforms, drawn by inverting its CDF from one.
  const x = input.distribution === 'uniform' ? u : u < 0.5 ? Math.sqrt(u / 2) : 1 - Math.sqrt((1 - u) / 2);
  const n = low + (high - low) * x;
  const value = input.integer ? Math.round(n) : n;
  return `${input.path}=${valueText(input.kind, value).set}`;
}

/**
 * The hourly cost of a configuration under a plan's prices: the fixed cost
 * plus each parameter's price at the configuration's value (a range's
 * price applies to any value; an enumeration prices only its listed
 * values). `unpriced` lists the parameters whose value the plan does not
 * price (an enumeration value it does not list): they add nothing.
 */
export function hourlyCostOf(spec: PlanSpec, config: unknown): { perHour: number; unpriced: string[] } {
  let perHour = spec.fixed;
  const unpriced: string[] = [];
  for (const p of spec.parameters) {
    const value = valueAtPath(config, splitPath(p.path)!);
    if (p.unitPrice !== undefined && typeof value === 'number') perHour += p.unitPrice * value;
    else {
      const i = p.canonical?.indexOf(JSON.stringify(value)) ?? -1;
      if (i >= 0) perHour += p.values[i].pricePerHour;
      else unpriced.push(p.path);
    }
  }
  return { perHour, unpriced };
}
