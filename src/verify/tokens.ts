/**
 * The token check used by the valid-tokens invariant: the token gate's own
 * HMAC verification, re-run after the fact with the run's secret seed (the
 * one its gate was built with), at the time the order server judged it:
 * when it was presented (`presentedUs`: at a waiting room's door, or on
 * arrival at the server with tokenGate.checkAt: admission), else when the
 * server accepted the order. A forged, foreign, expired or early token in the
 * ledger fails it.
 */
import type { LedgerRecord } from '../results/result.js';
import type { ResolvedConfig } from '../scenario/schema.js';
import { TokenGate, verifyLedgerToken } from '../system/token-gate.js';

/** Checks one ledger record's token: null when valid, else why not. */
export type TokenVerifier = (record: LedgerRecord) => string | null;

/**
 * The token check of one run: its gate, built once.
 * @param config the run's configuration (tokenGate and T0).
 * @param tokenSecret the run's token secret seed (tokenSecretSeed of its seed and replication).
 */
export function tokenVerifier(config: Pick<ResolvedConfig, 'system' | 'sale'>, tokenSecret: number): TokenVerifier {
  const gate = new TokenGate(config.system.tokenGate, config.sale.start, tokenSecret);
  return (record) => verifyLedgerToken(gate, record);
}
