/**
 * The token check used by the valid-tokens invariant: the token gate's own
 * HMAC verification, re-run after the fact with the secret derived from the
 * run's seed and replication, at the time the order server accepted the
 * order (behind a waiting room: when it was presented at the room's door,
 * as the server judged it). A forged, foreign, expired or early token in the
 * ledger fails it.
 */
import type { LedgerRecord } from '../results/result.js';
import type { ResolvedConfig } from '../scenario/schema.js';
import { verifyLedgerToken as verifyWithGate } from '../system/token-gate.js';

/** Checks one ledger record's token: null when valid, else why not. */
export type TokenVerifier = (record: LedgerRecord, config: ResolvedConfig, seed: number | string, replication: number) => string | null;

/** The default token check: the token gate's verification. */
export const verifyLedgerToken: TokenVerifier = (record, config, seed, replication) =>
  verifyWithGate(record, config, seed, replication);
