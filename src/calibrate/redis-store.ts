import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { PrimitiveInfo, StockStore, TakeClient, TakeResult } from './store.js';
import type { Target } from './target.js';

/**
 * Redis as a stock store: one string key holding the level. Redis runs
 * commands one at a time, so every primitive has a serial part at the
 * server; what differs is how many commands and round trips a take costs
 * and whether another client's commands can come between its read and its
 * write.
 */

/** Check and decrement in one Lua script: atomic, since Redis runs a script without interleaving. */
const TAKE_LUA = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) return 1 end
return 0`;

/** Tries of WATCH/MULTI/EXEC before a take gives up (an `error`): bounded, so a hot key cannot spin a client forever. */
export const MAX_OPTIMISTIC_ATTEMPTS = 100;

/** The Redis primitives. */
export const REDIS_PRIMITIVES: readonly PrimitiveInfo[] = [
  { id: 'lua', description: 'EVALSHA of a Lua check-and-decrement (atomic)', correct: true, model: 'single-thread-server' },
  {
    id: 'watch-multi',
    description: `WATCH, GET, then MULTI/DECR/EXEC, retried on abort (optimistic; at most ${MAX_OPTIMISTIC_ATTEMPTS} tries)`,
    correct: true,
    model: 'single-thread-server',
    // The replay retries as the client does (predict.ts): without this it would model one visit per take.
    optimisticAttempts: MAX_OPTIMISTIC_ATTEMPTS,
  },
  {
    id: 'get-set',
    description: 'GET, then SET to the value read minus one (racy: lost updates)',
    correct: false,
    model: 'check-then-decrement',
  },
];

/** Safety net: the key expires an hour after each reset even if the process is killed before it can delete it. */
const KEY_TTL_S = 3600;

type LuaRedis = Redis & { flashsimTake(key: string): Promise<number> };

function options(target: Target): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    username: target.user,
    password: target.password,
    db: target.database === undefined ? 0 : Number(target.database),
    lazyConnect: true,
    // Bounded: no reconnection loop, no queue of commands for a dead connection.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 5000,
    commandTimeout: 10_000,
  };
}

/** A Redis stock store on `target`. */
export class RedisStore implements StockStore {
  readonly kind = 'redis' as const;
  readonly primitives = REDIS_PRIMITIVES;
  readonly objectName = `flashsim:calibrate:${process.pid}:${randomBytes(4).toString('hex')}`;
  private control: Redis | undefined;
  private created = false;

  constructor(private readonly target: Target) {}

  async open(units: number): Promise<void> {
    const control = new Redis(options(this.target));
    // ioredis reports why a connection failed (ECONNREFUSED, …) as an event and rejects with "Connection is closed.": keep the why.
    let why: Error | undefined;
    control.on('error', (error: Error) => (why ??= error));
    this.control = control;
    try {
      await control.connect();
    } catch (error) {
      throw new Error(`cannot connect: ${(why ?? (error as Error)).message}`, { cause: error });
    }
    // NX: never overwrite a key of the same name (there is none, the name is random, but a store is not ours to clobber).
    const set = await control.set(this.objectName, String(units), 'EX', KEY_TTL_S, 'NX');
    if (set !== 'OK') throw new Error(`key ${this.objectName} already exists`);
    this.created = true;
  }

  async reset(units: number): Promise<void> {
    await this.control!.set(this.objectName, String(units), 'EX', KEY_TTL_S);
  }

  async read(): Promise<number> {
    return Number((await this.control!.get(this.objectName)) ?? NaN);
  }

  async connectionHeadroom(): Promise<number | undefined> {
    const info = await this.control!.config('GET', 'maxclients');
    const max = Number((info as string[])[1]);
    const clients = /connected_clients:(\d+)/.exec(await this.control!.info('clients'));
    return Number.isFinite(max) && clients ? max - Number(clients[1]) : undefined;
  }

  async connect(primitive: string): Promise<TakeClient> {
    const redis = new Redis(options(this.target)) as LuaRedis;
    redis.on('error', () => {});
    await redis.connect();
    const key = this.objectName;
    const close = async (): Promise<void> => {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    };
    const guard = async (body: () => Promise<{ result: TakeResult; attempts: number }>) => {
      try {
        return await body();
      } catch {
        return { result: 'error' as const, attempts: 1 };
      }
    };
    switch (primitive) {
      case 'lua':
        redis.defineCommand('flashsimTake', { numberOfKeys: 1, lua: TAKE_LUA });
        return {
          take: () => guard(async () => ({ result: (await redis.flashsimTake(key)) === 1 ? 'sold' : 'sold-out', attempts: 1 })),
          close,
        };
      case 'watch-multi':
        return {
          take: () =>
            guard(async () => {
              for (let attempt = 1; attempt <= MAX_OPTIMISTIC_ATTEMPTS; attempt++) {
                await redis.watch(key);
                const n = Number(await redis.get(key));
                if (!(n > 0)) {
                  await redis.unwatch();
                  return { result: 'sold-out', attempts: attempt };
                }
                // EXEC answers null when another client changed the key after WATCH: try again.
                const done = await redis.multi().decr(key).exec();
                if (done !== null) return { result: 'sold', attempts: attempt };
              }
              return { result: 'error', attempts: MAX_OPTIMISTIC_ATTEMPTS };
            }),
          close,
        };
      case 'get-set':
        return {
          take: () =>
            guard(async () => {
              const n = Number(await redis.get(key));
              if (!(n > 0)) return { result: 'sold-out', attempts: 1 };
              // KEEPTTL: the write must not drop the key's safety-net expiry.
              await redis.set(key, String(n - 1), 'KEEPTTL');
              return { result: 'sold', attempts: 1 };
            }),
          close,
        };
      default:
        redis.disconnect();
        throw new Error(`unknown Redis primitive ${primitive}`);
    }
  }

  async close(): Promise<string | undefined> {
    const control = this.control;
    this.control = undefined;
    if (!control) return undefined;
    try {
      if (this.created) await control.del(this.objectName);
      this.created = false;
      return undefined;
    } catch (error) {
      return `could not delete key ${this.objectName}: ${(error as Error).message} (it expires within ${KEY_TTL_S / 60} min)`;
    } finally {
      control.disconnect();
    }
  }
}
