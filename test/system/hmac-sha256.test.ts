import { createHmac, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestBase64UrlCode, HmacSha256 } from '../../src/system/hmac-sha256.js';
import { TokenGate, type TokenVerdict } from '../../src/system/token-gate.js';
import { configOf } from '../helpers/flash-config.js';

function digestBytes(words: Int32Array): Buffer {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) out.writeInt32BE(words[i], i * 4);
  return out;
}

describe('HmacSha256: the same bytes as node:crypto', () => {
  it('over random keys (0–150 bytes, some longer than a block) and messages (0–200 bytes, across block edges)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 200 }), (key, message) => {
        const ours = digestBytes(new HmacSha256(key).sign(message, message.length));
        expect(ours.toString('hex')).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }),
      { numRuns: 2000 },
    );
  });

  it('one instance signs many messages in turn, and signs only the first `length` bytes', () => {
    const key = Buffer.from('k'.repeat(32));
    const hmac = new HmacSha256(key);
    const buffer = new Uint8Array(128).fill(0x41);
    for (let n = 0; n <= 128; n++) {
      expect(digestBytes(hmac.sign(buffer, n)).toString('hex')).toBe(createHmac('sha256', key).update(buffer.subarray(0, n)).digest('hex'));
    }
  });

  it('base64url characters of a digest as Buffer writes them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (message) => {
        const hmac = new HmacSha256(Buffer.from('secret'));
        const digest = hmac.sign(message, message.length);
        const expected = digestBytes(digest).toString('base64url');
        const ours = String.fromCharCode(...Array.from({ length: 42 }, (_, i) => digestBase64UrlCode(digest, i)));
        expect(ours).toBe(expected.slice(0, 42));
      }),
      { numRuns: 500 },
    );
  });
});

// The gate's tokens as they were made with node:crypto: the reference the fast path must match.
const T0 = 60_000_000;
function referenceGate(secretSeed: number, ttl: number, bindToUser: boolean) {
  const secret = createHmac('sha256', 'flashsim-token-gate').update(String(secretSeed)).digest();
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
  return {
    issue: (user: number, at: number) => {
      const body = `v1.${user === -1 ? 'anon' : user}.${at}`;
      return `${body}.${sign(body)}`;
    },
    verify: (token: string, user: number, nowUs: number): TokenVerdict => {
      if (!token) return 'missing';
      const parts = token.split('.');
      if (parts.length !== 4 || parts[0] !== 'v1') return 'forged';
      const expected = Buffer.from(sign(`${parts[0]}.${parts[1]}.${parts[2]}`));
      const given = Buffer.from(parts[3]);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'forged';
      const issuedAt = Number(parts[2]);
      if (issuedAt < T0 || nowUs < T0) return 'early';
      if (nowUs > issuedAt + ttl) return 'expired';
      if (bindToUser && parts[1] !== String(user)) return 'foreign';
      return 'ok';
    },
  };
}

describe('TokenGate: tokens and verdicts identical to node:crypto HMAC', () => {
  const config = configOf({ sale: { start: '1m' }, system: { tokenGate: { ttl: '30s' } } });
  const ttl = config.system.tokenGate.ttl;

  it('issues the same token for random users, times and secrets', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1, max: 50_000_000 }), fc.nat(2 ** 45), fc.nat(2 ** 31), (user, at, seed) => {
        const gate = new TokenGate(config.system.tokenGate, config.sale.start, seed);
        expect(gate.issue(user, at)).toBe(referenceGate(seed, ttl, true).issue(user, at));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same verdict for genuine, tampered and made-up tokens', () => {
    const seed = 99;
    const gate = new TokenGate(config.system.tokenGate, config.sale.start, seed);
    const reference = referenceGate(seed, ttl, true);
    const genuine = fc.tuple(fc.nat(1000), fc.nat(2 * ttl)).map(([user, dt]) => reference.issue(user, T0 - ttl / 2 + dt));
    const tampered = fc
      .tuple(genuine, fc.nat(60), fc.constantFrom('.', 'A', '_', '9', 'é', ''))
      .map(([t, i, c]) => t.slice(0, i % t.length) + c + t.slice((i % t.length) + 1));
    const token = fc.oneof(genuine, tampered, fc.string({ maxLength: 50 }), fc.constant('v1.5.60000001.' + 'A'.repeat(22)));
    fc.assert(
      fc.property(token, fc.nat(1000), fc.nat(3 * ttl), (t, user, dt) => {
        const now = T0 - ttl + dt;
        expect(gate.verify(t, user, now)).toBe(reference.verify(t, user, now));
      }),
      { numRuns: 5000 },
    );
  });
});
