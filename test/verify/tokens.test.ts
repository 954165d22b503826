import { describe, expect, it } from 'vitest';
import { TokenGate, tokenSecretSeed } from '../../src/system/token-gate.js';
import { verifyLedgerToken } from '../../src/verify/tokens.js';
import { configOf } from '../helpers/flash-config.js';

const T0 = 60_000_000;

describe('the audit\'s token check', () => {
  it('re-derives the secret from the run\'s seed and replication: a replication\'s genuine token passes, under another replication it is forged', () => {
    // Kills the check ignoring the replication (e.g. always using replication 0):
    // every run but the first would then see its genuine orders as forged.
    const config = configOf({ sale: { start: '1m' } });
    const gate = new TokenGate(config.system.tokenGate, config.sale.start, tokenSecretSeed(7, 2));
    const record = { orderId: 0, user: 5, timeUs: T0 + 20, acceptedUs: T0 + 10, token: gate.issue(5, T0 + 1), server: 0, strategy: 's' };
    expect(verifyLedgerToken(record, config, 7, 2)).toBeNull();
    expect(verifyLedgerToken(record, config, 7, 0)).toBe('forged');
  });
});
