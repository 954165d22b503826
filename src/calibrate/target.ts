import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/**
 * `--target`: which store `sim calibrate stock` measures. Only loopback
 * addresses are accepted: the calibration writes to the store and loads
 * it on purpose, so it must never reach a machine other than this one
 * (a staging store is reached through an SSH tunnel or a port forward to
 * 127.0.0.1, never directly; docs/calibration.md).
 */

/** The stores calibrate knows. */
export type StoreKind = 'redis' | 'postgresql';

/** A parsed, loopback-only target. */
export interface Target {
  /** Which store. */
  kind: StoreKind;
  /** The loopback host, as an IP literal ("localhost" becomes 127.0.0.1, so no name is resolved). */
  host: string;
  /** TCP port. */
  port: number;
  /** User name (PostgreSQL; Redis ACL user), if given. */
  user?: string;
  /** Password, if given in the URL. */
  password?: string;
  /** PostgreSQL database name, or Redis database number as text. */
  database?: string;
  /** The URL without its password, for reports. */
  display: string;
}

/** Whether `host` (as in a URL, IPv6 in brackets) is a loopback address: 127.0.0.0/8, ::1, ::ffff:127.x, or localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  const v = isIP(h);
  if (v === 4) return h.split('.')[0] === '127';
  if (v === 6) {
    if (h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1].split('.')[0] === '127';
  }
  return false;
}

const DEFAULT_PORT: Record<StoreKind, number> = { redis: 6379, postgresql: 5432 };

/**
 * Parses `redis://[user:pass@]host:port[/db]` or
 * `postgresql://user[:pass]@host:port/db` (also `postgres://`).
 *
 * @throws {UsageError} for another scheme, a malformed URL or a host that is not loopback.
 */
export function parseTarget(text: string): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--target: expected redis://127.0.0.1:PORT or postgresql://user@127.0.0.1:PORT/db (got ${JSON.stringify(text)})`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  const kind: StoreKind | undefined =
    scheme === 'redis' ? 'redis' : scheme === 'postgresql' || scheme === 'postgres' ? 'postgresql' : undefined;
  if (!kind) throw new UsageError(`--target: unknown scheme ${JSON.stringify(`${scheme}:`)}; expected redis:// or postgresql://`);
  if (url.hostname === '' || !isLoopback(url.hostname)) {
    throw new UsageError(
      `--target: ${url.hostname || '(no host)'} is not a loopback address; calibrate connects only to 127.0.0.1, ::1 or localhost (forward a staging store's port to this machine; see docs/calibration.md)`,
    );
  }
  const bare = url.hostname.replace(/^\[|\]$/g, '');
  const host = bare.toLowerCase() === 'localhost' ? '127.0.0.1' : bare;
  const port = url.port === '' ? DEFAULT_PORT[kind] : Number(url.port);
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  if (kind === 'redis' && path !== '' && !/^\d+$/.test(path)) {
    throw new UsageError(`--target: a Redis database is a number (got ${JSON.stringify(path)})`);
  }
  const shown = new URL(url.href);
  shown.password = password === undefined ? '' : '***';
  return { kind, host, port, user, password, database: path === '' ? undefined : path, display: shown.href };
}
