import { createHmac } from 'node:crypto';
import { digestBase64UrlCode, HmacSha256 } from './hmac-sha256.js';
import { RandomSource } from '../kernel/random.js';
import type { TokenGateConfig } from '../scenario/schema.js';
import type { LedgerRecord } from './ledger.js';
import { DERIVED } from './streams.js';

/**
 * The dynamic order URL (a seed-design defence, docs/domain.md): the
 * button script hands out an order URL carrying a token the server
 * generated, so the URL cannot be used before the sale starts, nor by
 * another user, nor after it expires.
 *
 * Token format (dynamic): `v1.<user>.<issuedAtUs>.<signature>` where the
 * signature is HMAC-SHA256(secret, "v1.<user>.<issuedAtUs>") in base64url,
 * truncated to 22 characters (132 bits). `<user>` is `anon` for a token that was cached by
 * a CDN and so is bound to nobody. The secret is derived from the run's
 * seed and replication, so a run can be re-audited from its summary.
 *
 * Static mode models the naive design: the order URL is fixed and public
 * (`static`), so anyone who knows it can order at any time, unless the
 * order servers check the start time (`checkStartTime`).
 */
export type TokenVerdict = 'ok' | 'forged' | 'expired' | 'foreign' | 'early' | 'missing';

/** The user id written into tokens that are bound to nobody. */
export const ANONYMOUS = -1;
/** The token of the static order URL. */
export const STATIC_TOKEN = 'static';

/** Issues, forges and verifies order-URL tokens for one run (see {@link TokenVerdict} for the format). */
export class TokenGate {
  /** The secret's HMAC, pads hashed once per gate (a gate is built once per run). */
  private readonly hmac: HmacSha256;
  /** The message being signed, ASCII bytes (a body is ~30 bytes; longer ones grow it). */
  private message = new Uint8Array(64);
  /** The signature's character codes, reused by every {@link sign}. */
  private readonly signature: number[] = new Array<number>(SIGNATURE_CHARS).fill(0);
  /**
   * The last dynamic token {@link issue} made. Order servers check a token
   * the moment the script's token is presented, so most checks are of the
   * token just issued, whose signature is by construction that of its body:
   * {@link verify} then skips the second HMAC (the verdict is the same; any
   * other token, forged ones included, is hashed and compared).
   */
  private lastIssued: string | null = null;

  /**
   * @param config the tokenGate section.
   * @param saleStartUs T0 in µs.
   * @param secretSeed a number derived from the run's seed and replication.
   */
  constructor(
    private readonly config: TokenGateConfig,
    private readonly saleStartUs: number,
    secretSeed: number,
  ) {
    this.hmac = new HmacSha256(createHmac('sha256', 'flashsim-token-gate').update(String(secretSeed)).digest());
  }

  /** Whether order URLs are dynamic tokens (else the static URL). */
  get dynamic(): boolean {
    return this.config.mode === 'dynamic';
  }

  /**
   * The token the button script hands to `user` (or {@link ANONYMOUS})
   * when generated at `issuedAtUs`. Dynamic tokens are only issued from T0:
   * before that the script says "not started".
   */
  issue(user: number, issuedAtUs: number): string {
    if (!this.dynamic) return STATIC_TOKEN;
    const body = `v1.${user === ANONYMOUS ? 'anon' : user}.${issuedAtUs}`;
    return (this.lastIssued = `${body}.${this.sign(body)}`);
  }

  /** A token an attacker makes up for `user` at `nowUs`: right shape, wrong signature. */
  forge(user: number, nowUs: number): string {
    if (!this.dynamic) return STATIC_TOKEN;
    return `v1.${user}.${nowUs}.${'A'.repeat(22)}`;
  }

  /** Checks a token presented by `user` at `nowUs` at an order server. */
  verify(token: string, user: number, nowUs: number): TokenVerdict {
    if (!token) return 'missing';
    if (!this.dynamic) {
      if (token !== STATIC_TOKEN) return 'forged';
      return this.config.checkStartTime && nowUs < this.saleStartUs ? 'early' : 'ok';
    }
    // `v1.<user>.<issuedAtUs>.<signature>`: exactly three dots, found without splitting.
    const first = token.indexOf('.');
    const second = first < 0 ? -1 : token.indexOf('.', first + 1);
    const third = second < 0 ? -1 : token.indexOf('.', second + 1);
    if (third < 0 || token.indexOf('.', third + 1) >= 0 || first !== 2 || !token.startsWith('v1')) return 'forged';
    if (token !== this.lastIssued && !this.signatureMatches(token, third)) return 'forged';
    const issuedAt = Number(token.slice(second + 1, third));
    // A genuine token issued before T0 cannot exist: the script does not
    // issue one. Keep the check so that a leaked secret still cannot order early.
    if (issuedAt < this.saleStartUs || nowUs < this.saleStartUs) return 'early';
    if (nowUs > issuedAt + this.config.ttl) return 'expired';
    if (this.config.bindToUser && token.slice(first + 1, second) !== String(user)) return 'foreign';
    return 'ok';
  }

  /** HMAC-SHA256(secret, body) in base64url, its first {@link SIGNATURE_CHARS} characters. */
  private sign(body: string): string {
    this.hmacOf(body, body.length);
    const codes = this.signature;
    for (let i = 0; i < SIGNATURE_CHARS; i++) codes[i] = digestBase64UrlCode(this.hmac.digest, i);
    return String.fromCharCode(...codes);
  }

  /** Whether the characters after the last dot (at `dot`) are the signature of the text before it; every character compared. */
  private signatureMatches(token: string, dot: number): boolean {
    if (token.length - dot - 1 !== SIGNATURE_CHARS) return false;
    this.hmacOf(token, dot);
    let differ = 0;
    for (let i = 0; i < SIGNATURE_CHARS; i++) differ |= token.charCodeAt(dot + 1 + i) ^ digestBase64UrlCode(this.hmac.digest, i);
    return differ === 0;
  }

  /** HMAC of the first `length` characters of `text` as UTF-8 (what node:crypto signs for a string) into the digest. */
  private hmacOf(text: string, length: number): void {
    if (this.message.length < length) this.message = new Uint8Array(2 * length);
    const bytes = this.message;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) {
        // Not ASCII (no token flashsim makes): encode as node:crypto would.
        const utf8 = Buffer.from(text.slice(0, length), 'utf8');
        this.hmac.sign(utf8, utf8.length);
        return;
      }
      bytes[i] = code;
    }
    this.hmac.sign(bytes, length);
  }
}

/** Characters of a token's signature: 22 base64url characters, 132 bits. */
const SIGNATURE_CHARS = 22;

/**
 * The HMAC secret seed of a run: derived from its seed and replication,
 * never from the wall clock. A run plan derives it once per replication and hands
 * it to the run's token gate and to the auditor.
 */
export function tokenSecretSeed(seed: number | string, replication: number): number {
  return new RandomSource(seed, replication).derivedInt(DERIVED.tokenGateSecret);
}

/**
 * Re-checks a ledger order's token after the run with the run's gate:
 * `null` when the token was valid for that user at the time it was judged
 * (when the order was accepted, or presented at a waiting room's door),
 * else the verdict.
 */
export function verifyLedgerToken(
  gate: TokenGate,
  record: Pick<LedgerRecord, 'token' | 'user' | 'acceptedUs' | 'presentedUs'>,
): Exclude<TokenVerdict, 'ok'> | null {
  const verdict = gate.verify(record.token, record.user, record.presentedUs ?? record.acceptedUs);
  return verdict === 'ok' ? null : verdict;
}
