import { describe, expect, it } from 'vitest';
import { TokenGate, tokenSecretSeed } from '../../src/system/token-gate.js';
import { tokenVerifier } from '../../src/verify/tokens.js';
import { configOf } from '../helpers/flash-config.js';

const T0 = 60_000_000;

describe("the audit's token check", () => {
  it("checks with the secret it is given: a replication's genuine token passes, under another replication's secret it is forged", () => {
    // Kills a check that ignores its secret (e.g. always using replication 0's):
    // every run but the first would then see its genuine orders as forged.
    const config = configOf({ sale: { start: '1m' } });
    const gate = new TokenGate(config.system.tokenGate, config.sale.start, tokenSecretSeed(7, 2));
    const record = { orderId: 0, user: 5, timeUs: T0 + 20, acceptedUs: T0 + 10, token: gate.issue(5, T0 + 1), server: 0, strategy: 's' };
    expect(tokenVerifier(config, tokenSecretSeed(7, 2))(record)).toBeNull();
    expect(tokenVerifier(config, tokenSecretSeed(7, 0))(record)).toBe('forged');
  });

  it('is built for one run: two verifiers with different secrets do not share a gate', () => {
    // A cache keyed on anything but the secret would hand the second verifier the first one's gate.
    const config = configOf({ sale: { start: '1m' } });
    const gate = new TokenGate(config.system.tokenGate, config.sale.start, tokenSecretSeed(7, 1));
    const record = { orderId: 0, user: 5, timeUs: T0 + 20, acceptedUs: T0 + 10, token: gate.issue(5, T0 + 1), server: 0, strategy: 's' };
    const other = tokenVerifier(config, tokenSecretSeed(7, 0));
    const own = tokenVerifier(config, tokenSecretSeed(7, 1));
    expect([other(record), own(record), other(record)]).toEqual(['forged', null, 'forged']);
  });
});
