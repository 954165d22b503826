import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PrimitiveInfo, StockStore, TakeClient, TakeResult } from './store.js';
import type { Target } from './target.js';

/**
 * PostgreSQL as a stock store: a one-row table (`id`, `n`). The serial part
 * is the row lock: an UPDATE holds it until its transaction commits, so
 * takes of one row run one at a time however many backends there are.
 */

/** The PostgreSQL primitives. */
export const POSTGRES_PRIMITIVES: readonly PrimitiveInfo[] = [
  {
    id: 'update',
    description: 'UPDATE … SET n = n - 1 WHERE id = $1 AND n > 0 (row lock, one statement)',
    correct: true,
    model: 'row-lock',
  },
  {
    id: 'select-for-update',
    description: 'BEGIN; SELECT n … FOR UPDATE; UPDATE … SET n = n - 1; COMMIT (row lock held over three round trips)',
    correct: true,
    model: 'row-lock',
  },
  {
    id: 'select-update',
    description: 'SELECT n, then UPDATE … SET n = <value read − 1> (racy at READ COMMITTED: lost updates)',
    correct: false,
    model: 'check-then-decrement',
  },
];

/** Bounds on every statement: nothing waits forever on a lock or a dead server. */
const STATEMENT_TIMEOUT_MS = 10_000;

function config(target: Target): pg.ClientConfig {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionTimeoutMillis: 5000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    lock_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 1000,
    application_name: 'flashsim-calibrate',
  };
}

/** A PostgreSQL stock store on `target`. */
export class PostgresStore implements StockStore {
  readonly kind = 'postgresql' as const;
  readonly primitives = POSTGRES_PRIMITIVES;
  readonly objectName = `flashsim_calibrate_${process.pid}_${randomBytes(4).toString('hex')}`;
  private control: pg.Client | undefined;
  private created = false;

  constructor(private readonly target: Target) {}

  async open(units: number): Promise<void> {
    const control = new pg.Client(config(this.target));
    control.on('error', () => {});
    this.control = control;
    try {
      await control.connect();
    } catch (error) {
      throw new Error(`cannot connect: ${(error as Error).message}`, { cause: error });
    }
    // A plain (logged) table: an unlogged one would skip the WAL, and with it the commit cost a real stock row pays.
    await control.query(`CREATE TABLE ${this.objectName} (id integer PRIMARY KEY, n integer NOT NULL)`);
    this.created = true;
    await control.query(`INSERT INTO ${this.objectName} (id, n) VALUES (1, $1)`, [units]);
  }

  async reset(units: number): Promise<void> {
    await this.control!.query(`UPDATE ${this.objectName} SET n = $1 WHERE id = 1`, [units]);
    // Dead row versions of the last level would slow this one's updates down: clean them first.
    await this.control!.query(`VACUUM ${this.objectName}`);
  }

  async read(): Promise<number> {
    const r = await this.control!.query<{ n: number }>(`SELECT n FROM ${this.objectName} WHERE id = 1`);
    return r.rows[0]?.n ?? NaN;
  }

  async connectionHeadroom(): Promise<number | undefined> {
    const r = await this.control!.query<{ max: string; reserved: string; used: string }>(
      `SELECT current_setting('max_connections') AS max, current_setting('superuser_reserved_connections') AS reserved, (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS used`,
    );
    const row = r.rows[0];
    return Number(row.max) - Number(row.reserved) - Number(row.used);
  }

  async connect(primitive: string): Promise<TakeClient> {
    const client = new pg.Client(config(this.target));
    client.on('error', () => {});
    await client.connect();
    const table = this.objectName;
    // Named statements: parsed once per connection, as a production service with prepared statements does.
    const q = {
      take: { name: 'take', text: `UPDATE ${table} SET n = n - 1 WHERE id = 1 AND n > 0` },
      lock: { name: 'lock', text: `SELECT n FROM ${table} WHERE id = 1 FOR UPDATE` },
      dec: { name: 'dec', text: `UPDATE ${table} SET n = n - 1 WHERE id = 1` },
      read: { name: 'read', text: `SELECT n FROM ${table} WHERE id = 1` },
      write: { name: 'write', text: `UPDATE ${table} SET n = $1 WHERE id = 1` },
    };
    const close = async (): Promise<void> => {
      await client.end().catch(() => {});
    };
    const outcome = (result: TakeResult) => ({ result, attempts: 1 });
    const guard = async (body: () => Promise<TakeResult>, rollback = false) => {
      try {
        return outcome(await body());
      } catch {
        if (rollback) await client.query('ROLLBACK').catch(() => {});
        return outcome('error');
      }
    };
    switch (primitive) {
      case 'update':
        return { take: () => guard(async () => ((await client.query(q.take)).rowCount === 1 ? 'sold' : 'sold-out')), close };
      case 'select-for-update':
        return {
          take: () =>
            guard(async () => {
              await client.query('BEGIN');
              const n = Number((await client.query<{ n: number }>(q.lock)).rows[0]?.n);
              if (n > 0) await client.query(q.dec);
              await client.query('COMMIT');
              return n > 0 ? 'sold' : 'sold-out';
            }, true),
          close,
        };
      case 'select-update':
        return {
          take: () =>
            guard(async () => {
              const n = Number((await client.query<{ n: number }>(q.read)).rows[0]?.n);
              if (!(n > 0)) return 'sold-out';
              await client.query({ ...q.write, values: [n - 1] });
              return 'sold';
            }),
          close,
        };
      default:
        await close();
        throw new Error(`unknown PostgreSQL primitive ${primitive}`);
    }
  }

  async close(): Promise<string | undefined> {
    const control = this.control;
    this.control = undefined;
    if (!control) return undefined;
    try {
      if (this.created) await control.query(`DROP TABLE IF EXISTS ${this.objectName}`);
      this.created = false;
      return undefined;
    } catch (error) {
      return `could not drop table ${this.objectName}: ${(error as Error).message}`;
    } finally {
      await control.end().catch(() => {});
    }
  }
}
