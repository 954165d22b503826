import { BaseSchema, type ResolvedConfig } from '../../src/scenario/schema.js';

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep merge of plain objects (later wins); arrays, scalars and unions (an
 * object with a `kind`, such as users.arrival) are replaced whole.
 */
export function merge(...parts: Plain[]): Plain {
  const out: Plain = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      const union = isPlain(value) && 'kind' in value;
      out[key] = isPlain(value) && isPlain(out[key]) && !union ? merge(out[key], value) : value;
    }
  }
  return out;
}

/** A resolved config from human units: `{ name: 't' }` plus the given fields, schema defaults for the rest. */
export function configOf(...parts: Plain[]): ResolvedConfig {
  return BaseSchema.parse(merge({ name: 't' }, ...parts));
}

/**
 * A small storm that runs in about a second: 2000 users arriving over the
 * first 70 s (dense near T0 = 1 min), a 3-minute run, stock 100, light main
 * site traffic.
 */
export const SMALL: Plain = {
  duration: '3m',
  sale: { start: '1m', stock: 100 },
  users: { count: 2000, arrival: { kind: 'ramp', from: '0s', to: '70s', scale: '20s' } },
  system: { mainSite: { rps: '100/s' } },
};

/** The naive strategy of scenarios/flash-sale.yaml, with a realistic racy read-write time. */
export const NAIVE: Plain = {
  system: {
    cdn: { edges: 0 },
    tokenGate: { mode: 'static' },
    orderServers: { onFull: 'unbounded' },
    stock: { primitive: 'check-then-decrement', service: '2ms' },
  },
};

/** Index of a time-series column, failing loudly on a typo. */
export function columnIndex(columns: string[], name: string): number {
  const i = columns.indexOf(name);
  if (i < 0) throw new Error(`no column ${name} in ${columns.join(', ')}`);
  return i;
}
