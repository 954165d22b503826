import type { LedgerRecord } from '../results/result.js';
import { BaseSchema, type InvariantName, type ResolvedConfig } from '../scenario/schema.js';
import { audit, type AuditReport } from '../verify/audit.js';
import type { LevelMeasurement } from './experiment.js';

/**
 * The audit of `sim run` (verify/audit.ts) applied to a real store: every
 * take that a client was told "sold" is a ledger order of its user, every
 * such answer a "won" response, and the stock is what the store held
 * before and after the level. The store keeps no count of its own takes,
 * so the audit finds an oversell from the ledger (more orders than units)
 * and from conservation (the store's final value against the units sold).
 */

/** The invariants a store's takes can be held to (no tokens and no T0 in this experiment). */
export const STORE_INVARIANTS: readonly InvariantName[] = ['no-oversell', 'one-per-user', 'ledger-matches-responses', 'conservation'];

let config: ResolvedConfig | undefined;

/** The configuration the audit reads (sale.perUserLimit 1, no buffers, no waiting room): the defaults. */
function auditConfig(): ResolvedConfig {
  config ??= BaseSchema.parse({ name: 'calibrate', duration: '1s', users: { count: 1 } });
  return config;
}

/** The ledger of a level: one order per take told "sold", in reply order. */
export function levelLedger(level: LevelMeasurement, primitive: string): LedgerRecord[] {
  const sold = level.takes.filter((t) => t.result === 'sold').sort((a, b) => a.endUs - b.endUs);
  return sold.map((t, orderId) => ({
    orderId,
    user: t.user,
    timeUs: Math.round(t.endUs),
    acceptedUs: Math.round(t.startUs),
    token: '',
    server: t.client,
    strategy: primitive,
  }));
}

/** Audits one level's takes against the store's stock. */
export function auditLevel(level: LevelMeasurement, primitive: string): AuditReport {
  const ledger = levelLedger(level, primitive);
  return audit(
    {
      strategy: primitive,
      replication: 0,
      seed: 0,
      config: auditConfig(),
      ledger,
      wonResponses: ledger.map((o) => o.user),
      stock: {
        initial: level.initial,
        remaining: level.remaining,
        sold: ledger.length,
        // A counter that only goes down: its last value is its lowest.
        minLevel: Math.min(level.initial, level.remaining),
        oversell: 0,
        returned: 0,
      },
      counters: { unitsInBuffers: 0 },
    },
    STORE_INVARIANTS,
    { maxOffending: 3 },
  );
}
