import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/app/run.js';
import { LEDGER_TABLE, ROW_GROUP_ROWS, USERS_TABLE, writeLedgerTables } from '../../src/report/ledger-tables.js';
import { renderSummaryJson } from '../../src/results/summary.js';
import { ROOT } from '../cli/build.js';
import { runResult } from '../helpers/run-result.js';

// Read back with hyparquet, an independent reader (the tables are written with hyparquet-writer).
async function readTable(file: string) {
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer);
  const rows = await parquetReadObjects({ file: buffer });
  const columns = metadata.schema.slice(1).map((e) => [e.name, e.type, e.repetition_type, e.converted_type ?? null]);
  return { metadata, rows, columns };
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flashsim-tables-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const LEDGER_COLUMNS = [
  ['strategy', 'BYTE_ARRAY', 'REQUIRED', 'UTF8'],
  ['replication', 'INT32', 'REQUIRED', null],
  ['order_id', 'INT32', 'REQUIRED', null],
  ['user', 'INT32', 'REQUIRED', null],
  ['created_us', 'INT64', 'REQUIRED', null],
  ['accepted_us', 'INT64', 'REQUIRED', null],
  ['presented_us', 'INT64', 'OPTIONAL', null],
  ['server', 'INT32', 'REQUIRED', null],
  ['token', 'BYTE_ARRAY', 'REQUIRED', 'UTF8'],
  ['cancelled_us', 'INT64', 'OPTIONAL', null],
];
const USERS_COLUMNS = [
  ['strategy', 'BYTE_ARRAY', 'REQUIRED', 'UTF8'],
  ['replication', 'INT32', 'REQUIRED', null],
  ['response', 'INT32', 'REQUIRED', null],
  ['user', 'INT32', 'REQUIRED', null],
];

describe('ledger.parquet and users.parquet', () => {
  // Unpaid orders: cancellations, so cancelled_us is set on some rows; two strategies × two replications.
  let run: Awaited<ReturnType<typeof runScenario>>;
  let dir: string;
  let written: string[];
  beforeAll(async () => {
    run = await runScenario(join(ROOT, 'scenarios/unpaid.yaml'), {
      users: 8000,
      replications: 2,
      strategies: ['all-paid', 'reopen'],
      set: ['sale.stock=300'],
      workers: 1,
    });
    dir = await tempDir();
    written = await writeLedgerTables(dir, run.results);
  });

  it('hold every order and "won" answer of every run, with the documented columns, and summary.json none', async () => {
    expect(written).toEqual([join(dir, LEDGER_TABLE), join(dir, USERS_TABLE)]);
    expect((await readdir(dir)).sort()).toEqual([LEDGER_TABLE, USERS_TABLE]);

    const ledger = await readTable(join(dir, LEDGER_TABLE));
    expect(ledger.columns).toEqual(LEDGER_COLUMNS);
    const ordersCreated = run.summary.strategies.flatMap((s) => s.runs).reduce((n, r) => n + (r.metrics.orders_created ?? 0), 0);
    expect(ordersCreated).toBeGreaterThan(0);
    expect(Number(ledger.metadata.num_rows)).toBe(ordersCreated);
    expect(ledger.rows.length).toBe(ordersCreated);
    // Row for row, the in-memory ledgers in plan order.
    const expected = run.results.flatMap((r) =>
      r.ledger.map((o) => ({
        strategy: r.strategy,
        replication: r.replication,
        order_id: o.orderId,
        user: o.user,
        created_us: BigInt(o.timeUs),
        accepted_us: BigInt(o.acceptedUs),
        presented_us: o.presentedUs === undefined ? null : BigInt(o.presentedUs),
        server: o.server,
        token: o.token,
        cancelled_us: o.cancelledUs === undefined ? null : BigInt(o.cancelledUs),
      })),
    );
    expect(ledger.rows).toEqual(expected);
    const cancelled = ledger.rows.filter((r) => r.cancelled_us !== null).length;
    expect(cancelled).toBe(run.summary.strategies.flatMap((s) => s.runs).reduce((n, r) => n + (r.metrics.orders_cancelled ?? 0), 0));
    expect(cancelled).toBeGreaterThan(0);

    const users = await readTable(join(dir, USERS_TABLE));
    expect(users.columns).toEqual(USERS_COLUMNS);
    expect(users.rows).toEqual(
      run.results.flatMap((r) =>
        r.wonResponses.map((user, response) => ({ strategy: r.strategy, replication: r.replication, response, user })),
      ),
    );
    expect(users.rows.length).toBe(run.summary.strategies.flatMap((s) => s.runs).reduce((n, r) => n + r.outcomes.won, 0));

    const json = renderSummaryJson(run.summary);
    expect(json).not.toContain('"ledger"');
    expect(json).not.toContain('"wonResponses"');
    expect(json).not.toContain(run.results[0].ledger[0].token);
  });

  it("open as they are in DuckDB, whose counts per run equal the summary's", async () => {
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const query = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
    const ledger = join(dir, LEDGER_TABLE).replaceAll("'", "''");
    const users = join(dir, USERS_TABLE).replaceAll("'", "''");
    const types = await query(`DESCRIBE SELECT * FROM read_parquet('${ledger}')`);
    expect(types.map((c) => `${c.column_name as string} ${c.column_type as string}`)).toEqual([
      'strategy VARCHAR',
      'replication INTEGER',
      'order_id INTEGER',
      'user INTEGER',
      'created_us BIGINT',
      'accepted_us BIGINT',
      'presented_us BIGINT',
      'server INTEGER',
      'token VARCHAR',
      'cancelled_us BIGINT',
    ]);
    const perRun = await query(
      `SELECT strategy, replication, count(*) AS orders, count(cancelled_us) AS cancelled, count(DISTINCT user) AS buyers
       FROM read_parquet('${ledger}') GROUP BY ALL ORDER BY strategy, replication`,
    );
    const won = await query(
      `SELECT strategy, replication, count(*) AS won FROM read_parquet('${users}') GROUP BY ALL ORDER BY strategy, replication`,
    );
    const expected = run.summary.strategies
      .flatMap((s) => s.runs.map((r, replication) => ({ strategy: s.name, replication, r })))
      .sort((a, b) => (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : a.replication - b.replication));
    expect(perRun).toEqual(
      expected.map(({ strategy, replication, r }) => ({
        strategy,
        replication,
        orders: String(r.metrics.orders_created),
        cancelled: String(r.metrics.orders_cancelled),
        buyers: String(r.metrics.orders_created),
      })),
    );
    expect(won).toEqual(expected.map(({ strategy, replication, r }) => ({ strategy, replication, won: String(r.outcomes.won) })));
    connection.closeSync();
  });

  it('splits a long ledger into row groups of ROW_GROUP_ROWS rows', async () => {
    const n = ROW_GROUP_ROWS + 10;
    const ledger = Array.from({ length: n }, (_, i) => ({
      orderId: i,
      user: i,
      timeUs: 2 ** 40 + i,
      acceptedUs: 2 ** 40 + i,
      token: `t${i}`,
      server: i % 3,
      strategy: 'base',
    }));
    const dir = await tempDir();
    await writeLedgerTables(dir, [runResult({ ledger, wonResponses: [] })]);
    const { metadata, rows } = await readTable(join(dir, LEDGER_TABLE));
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([ROW_GROUP_ROWS, 10]);
    expect(rows.length).toBe(n);
    expect(rows[n - 1]).toMatchObject({ order_id: n - 1, created_us: BigInt(2 ** 40 + n - 1), token: `t${n - 1}` });
    const users = await readTable(join(dir, USERS_TABLE));
    expect(Number(users.metadata.num_rows)).toBe(0);
  });
});
