import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ANONYMOUS, STATIC_TOKEN, TokenGate, tokenSecretSeed, verifyLedgerToken } from '../../src/system/token-gate.js';
import { configOf } from '../helpers/flash-config.js';

const T0 = 60_000_000;
const TTL = 30_000_000;

function gate(tokenGate: Record<string, unknown> = {}, secretSeed = 1234) {
  const config = configOf({ sale: { start: '1m' }, system: { tokenGate: { ttl: '30s', ...tokenGate } } });
  return new TokenGate(config.system.tokenGate, config.sale.start, secretSeed);
}

describe('token gate, dynamic mode', () => {
  it('an issued token verifies for its user within the TTL, up to and including the expiry instant', () => {
    const g = gate();
    const token = g.issue(5, T0 + 100);
    expect(token).toMatch(/^v1\.5\.60000100\.[A-Za-z0-9_-]{22}$/);
    expect(g.verify(token, 5, T0 + 100)).toBe('ok');
    expect(g.verify(token, 5, T0 + 100 + TTL)).toBe('ok');
    expect(g.verify(token, 5, T0 + 100 + TTL + 1)).toBe('expired');
  });

  it('a forged signature is "forged", and so is any tampering with the signed body', () => {
    const g = gate();
    expect(g.verify(g.forge(5, T0 + 1), 5, T0 + 2)).toBe('forged');
    const token = g.issue(5, T0 + 100);
    const [v, user, issued, sig] = token.split('.');
    // A later issue time would extend the expiry: the signature covers it.
    expect(g.verify(`${v}.${user}.${Number(issued) + TTL}.${sig}`, 5, T0 + 2 * TTL)).toBe('forged');
    // Another user id: the signature covers it too.
    expect(g.verify(`${v}.6.${issued}.${sig}`, 6, T0 + 200)).toBe('forged');
    // One flipped character of the signature.
    const flipped = sig[0] === 'A' ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    expect(g.verify(`${v}.${user}.${issued}.${flipped}`, 5, T0 + 200)).toBe('forged');
    // Wrong shapes.
    for (const bad of ['v1.5.60000100', `v2.5.60000100.${sig}`, `${token}.x`, 'static', 'garbage']) {
      expect(g.verify(bad, 5, T0 + 200)).toBe('forged');
    }
    expect(g.verify('', 5, T0 + 200)).toBe('missing');
  });

  it('checking the token just issued gives the verdict a gate that never issued it gives (property)', () => {
    const issuer = gate({ bindToUser: true });
    const checker = gate({ bindToUser: true });
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 50 }),
        fc.integer({ min: -1000, max: TTL }),
        fc.nat(50),
        fc.integer({ min: -1000, max: 2 * TTL }),
        fc.nat(3),
        (user, issuedDt, presenter, checkDt, tamper) => {
          const issued = issuer.issue(user, T0 + issuedDt);
          // 0: as issued; 1: last signature character changed; 2: a copy of it (same text, another string); 3: forged.
          const token =
            tamper === 1
              ? issued.slice(0, -1) + (issued.endsWith('A') ? 'B' : 'A')
              : tamper === 2
                ? [...issued].join('')
                : tamper === 3
                  ? issuer.forge(presenter, T0 + checkDt)
                  : issued;
          return issuer.verify(token, presenter, T0 + checkDt) === checker.verify(token, presenter, T0 + checkDt);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('any random signature is forged (property)', () => {
    const g = gate();
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(TTL), fc.string({ minLength: 0, maxLength: 30 }), (user, dt, sig) => {
        const token = `v1.${user}.${T0 + dt}.${sig}`;
        fc.pre(token !== g.issue(user, T0 + dt));
        return g.verify(token, user, T0 + dt) === 'forged';
      }),
    );
  });

  it('a token from a gate with another secret is forged', () => {
    const mine = gate({}, 1);
    const theirs = gate({}, 2);
    const token = theirs.issue(5, T0 + 1);
    expect(theirs.verify(token, 5, T0 + 2)).toBe('ok');
    expect(mine.verify(token, 5, T0 + 2)).toBe('forged');
  });

  it("another user's token is foreign when bound to the user, ok when not", () => {
    const token = gate().issue(5, T0 + 1);
    expect(gate().verify(token, 6, T0 + 2)).toBe('foreign');
    expect(gate({ bindToUser: false }).verify(token, 6, T0 + 2)).toBe('ok');
  });

  it('an anonymous (CDN-cached) token is foreign to everybody when bound, ok for anybody when not', () => {
    const bound = gate();
    const anon = bound.issue(ANONYMOUS, T0 + 1);
    expect(anon).toMatch(/^v1\.anon\./);
    for (const user of [0, 1, 5, 999]) expect(bound.verify(anon, user, T0 + 2)).toBe('foreign');
    const unbound = gate({ bindToUser: false });
    const anon2 = unbound.issue(ANONYMOUS, T0 + 1);
    for (const user of [0, 1, 5, 999]) expect(unbound.verify(anon2, user, T0 + 2)).toBe('ok');
  });

  it('verification before T0 is early, and so is a genuine-signature token issued before T0', () => {
    const g = gate();
    const token = g.issue(5, T0);
    expect(g.verify(token, 5, T0 - 1)).toBe('early');
    expect(g.verify(token, 5, T0)).toBe('ok');
    // Only a leaked secret could make this one; it is still refused.
    expect(g.verify(g.issue(5, T0 - 1), 5, T0 + 1)).toBe('early');
  });

  it('an expired token of another user is reported as expired (the cheaper refusal comes first)', () => {
    const g = gate();
    expect(g.verify(g.issue(5, T0), 6, T0 + TTL + 1)).toBe('expired');
  });
});

describe('token gate, static mode', () => {
  it('the static URL is ok after T0, and before T0 unless the server checks the start time', () => {
    const open = gate({ mode: 'static' });
    expect(open.dynamic).toBe(false);
    expect(open.issue(5, T0)).toBe(STATIC_TOKEN);
    expect(open.issue(5, T0 - 10_000_000)).toBe(STATIC_TOKEN);
    expect(open.verify(STATIC_TOKEN, 5, T0)).toBe('ok');
    expect(open.verify(STATIC_TOKEN, 5, T0 - 1)).toBe('ok');
    expect(open.verify(STATIC_TOKEN, 5, 0)).toBe('ok');
    const checked = gate({ mode: 'static', checkStartTime: true });
    expect(checked.verify(STATIC_TOKEN, 5, T0 - 1)).toBe('early');
    expect(checked.verify(STATIC_TOKEN, 5, T0)).toBe('ok');
  });

  it('static mode refuses anything but the static token', () => {
    const g = gate({ mode: 'static' });
    expect(g.verify('v1.5.1.AAAA', 5, T0 + 1)).toBe('forged');
    expect(g.verify('', 5, T0 + 1)).toBe('missing');
    // A bot's "forgery" in static mode is just the static URL.
    expect(g.forge(5, T0 - 1)).toBe(STATIC_TOKEN);
  });
});

describe('verifyLedgerToken and the secret', () => {
  const config = configOf({ sale: { start: '1m' } });

  it('agrees with the gate of the run: null for a genuine order, the verdict otherwise', () => {
    const seed = 42;
    const replication = 3;
    const gateOf = (secret: number) => new TokenGate(config.system.tokenGate, config.sale.start, secret);
    const g = gateOf(tokenSecretSeed(seed, replication));
    const token = g.issue(7, T0 + 10);
    expect(verifyLedgerToken(g, { token, user: 7, acceptedUs: T0 + 20 })).toBeNull();
    expect(verifyLedgerToken(g, { token, user: 8, acceptedUs: T0 + 20 })).toBe('foreign');
    expect(verifyLedgerToken(g, { token, user: 7, acceptedUs: T0 + 10 + TTL + 1 })).toBe('expired');
    expect(verifyLedgerToken(g, { token, user: 7, acceptedUs: T0 - 1 })).toBe('early');
    // Behind a waiting room the token is judged when presented at the door.
    expect(verifyLedgerToken(g, { token, user: 7, acceptedUs: T0 + 10 + TTL + 1, presentedUs: T0 + 20 })).toBeNull();
    // Another replication or seed has another secret.
    expect(verifyLedgerToken(gateOf(tokenSecretSeed(seed, replication + 1)), { token, user: 7, acceptedUs: T0 + 20 })).toBe('forged');
    expect(verifyLedgerToken(gateOf(tokenSecretSeed(seed + 1, replication)), { token, user: 7, acceptedUs: T0 + 20 })).toBe('forged');
    expect(verifyLedgerToken(gateOf(tokenSecretSeed(String(seed), replication)), { token, user: 7, acceptedUs: T0 + 20 })).toBeNull();
  });

  it('different seeds and replications give different secrets; the same gives the same', () => {
    const seeds = new Set<number>();
    for (const seed of [1, 2, 3, 'a', 'b']) for (const rep of [0, 1, 2]) seeds.add(tokenSecretSeed(seed, rep));
    expect(seeds.size).toBe(15);
    expect(tokenSecretSeed(1, 0)).toBe(tokenSecretSeed(1, 0));
    const a = new TokenGate(config.system.tokenGate, T0, tokenSecretSeed(1, 0)).issue(5, T0 + 1);
    const b = new TokenGate(config.system.tokenGate, T0, tokenSecretSeed(2, 0)).issue(5, T0 + 1);
    const a2 = new TokenGate(config.system.tokenGate, T0, tokenSecretSeed(1, 0)).issue(5, T0 + 1);
    expect(a).not.toBe(b);
    expect(a).toBe(a2);
  });
});
