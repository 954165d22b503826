/**
 * Real stock stores for the calibration tests: a redis-server and a
 * PostgreSQL cluster started on free loopback ports in temporary
 * directories, and stopped (directories removed) by `stop()`, which a test
 * calls in afterAll even when it failed. No mocks: `sim calibrate` is about
 * the real thing.
 *
 * Without the binaries the tests skip with one line saying what to install
 * ({@link MISSING_STORES}).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The line a skipped calibration test prints. */
export const MISSING_STORES = 'calibrate tests skipped: install redis-server and PostgreSQL (apt-get install -y redis-server postgresql)';

/** A free TCP port on 127.0.0.1 (bound and released; a race with another process is unlikely and fails loudly). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function onPath(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** redis-server's path, or undefined. */
export function redisServerBinary(): string | undefined {
  return onPath('redis-server');
}

/** The directory holding initdb, pg_ctl and postgres: Debian's /usr/lib/postgresql/<version>/bin (newest), else PATH. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')) && existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  const pgCtl = onPath('pg_ctl');
  return pgCtl && onPath('initdb') ? pgCtl.replace(/\/pg_ctl$/, '') : undefined;
}

/** Whether both stores can be started here. */
export function storesAvailable(): boolean {
  return redisServerBinary() !== undefined && postgresBinDir() !== undefined;
}

/** A running store: its URL and how to stop it. */
export interface RealStore {
  /** `redis://127.0.0.1:PORT` or `postgresql://user@127.0.0.1:PORT/db`. */
  url: string;
  /** Stops the server and removes its directory (idempotent, never throws). */
  stop(): Promise<void>;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Starts a redis-server bound to 127.0.0.1 on a free port, without persistence. */
export async function startRedis(): Promise<RealStore> {
  const bin = redisServerBinary();
  if (!bin) throw new Error(MISSING_STORES);
  const dir = await mkdtemp(join(tmpdir(), 'flashsim-redis-'));
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    await exited(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${log}`);
      return /Ready to accept connections/.test(log);
    }, 'redis-server');
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}

/**
 * Starts a PostgreSQL cluster: initdb into a temporary directory, then
 * pg_ctl start on a free loopback port with the socket in that directory.
 * As root, both run as the `postgres` user (they refuse root), the
 * directory chowned to it. fsync stays on: the commit cost is part of what
 * a row lock holds, as in a real store.
 */
export async function startPostgres(): Promise<RealStore> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(MISSING_STORES);
  const dir = await mkdtemp(join(tmpdir(), 'flashsim-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    owner = { uid: id('-u'), gid: id('-g') };
    if (!Number.isInteger(owner.uid) || owner.uid <= 0) {
      await rm(dir, { recursive: true, force: true });
      throw new Error('running as root needs the `postgres` user (created by the postgresql package) to run initdb and pg_ctl');
    }
    await chown(dir, owner.uid, owner.gid);
    await chmod(dir, 0o700);
  }
  const user = asRoot ? 'postgres' : (process.env.USER ?? 'postgres');
  const run = (cmd: string, args: string[]): ReturnType<typeof spawnSync> => {
    const full = join(bin, cmd);
    return asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8', cwd: dir })
      : spawnSync(full, args, { encoding: 'utf8', cwd: dir });
  };
  const stop = async (): Promise<void> => {
    if (existsSync(join(data, 'postmaster.pid'))) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const init = run('initdb', ['-D', data, '-U', user, '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    if (init.status !== 0) throw new Error(`initdb failed: ${String(init.stderr)}`);
    const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c max_connections=300 -c shared_buffers=32MB`;
    const start = run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '30', 'start']);
    if (start.status !== 0) throw new Error(`pg_ctl start failed: ${String(start.stderr)} ${String(start.stdout)}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgresql://${user}@127.0.0.1:${port}/postgres`, stop };
}
