/**
 * The token check used by the valid-tokens invariant.
 *
 * HOOK: the real check comes from src/system/token-gate.ts as
 * `verifyLedgerToken(record, config, seed, replication): string | null`
 * (null = valid, else the reason). Until it is wired here, a token is
 * accepted when it is a non-empty string.
 */
import type { LedgerRecord } from '../run/result.js';
import type { ResolvedConfig } from '../scenario/schema.js';

/** Checks one ledger record's token: null when valid, else why not. */
export type TokenVerifier = (record: LedgerRecord, config: ResolvedConfig, seed: number | string, replication: number) => string | null;

/** The default token check (see the module comment). */
export const verifyLedgerToken: TokenVerifier = (record) =>
  typeof record.token === 'string' && record.token !== '' ? null : 'missing token';
