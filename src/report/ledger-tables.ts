import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { RunResult } from '../results/result.js';

/**
 * The per-record tables of a run, written beside summary.json: every order
 * of every run (`ledger.parquet`) and every "won" answer
 * (`users.parquet`), one row per record, strategy and replication as
 * columns (README.md lists the columns).
 *
 * Written with hyparquet-writer's incremental writer: rows are gathered
 * into row groups of {@link ROW_GROUP_ROWS}, each encoded and flushed to
 * the file before the next is gathered, so memory beyond the results
 * themselves is one row group, whatever the ledger's size.
 */

/** Rows per Parquet row group (bounds the memory of a write). */
export const ROW_GROUP_ROWS = 65_536;

/** The ledger table's file name. */
export const LEDGER_TABLE = 'ledger.parquet';
/** The "won" answers table's file name. */
export const USERS_TABLE = 'users.parquet';

type Physical = 'INT32' | 'INT64' | 'BYTE_ARRAY';

/** One column of a table: its Parquet type, whether it may be null, and how to read it from a record. */
interface ColumnDef<R> {
  name: string;
  type: Physical;
  optional?: boolean;
  get: (row: R, run: RunResult) => string | number | null;
}

type LedgerRow = RunResult['ledger'][number];

const LEDGER_COLUMNS: ColumnDef<LedgerRow>[] = [
  { name: 'strategy', type: 'BYTE_ARRAY', get: (_, run) => run.strategy },
  { name: 'replication', type: 'INT32', get: (_, run) => run.replication },
  { name: 'order_id', type: 'INT32', get: (o) => o.orderId },
  { name: 'user', type: 'INT32', get: (o) => o.user },
  { name: 'created_us', type: 'INT64', get: (o) => o.timeUs },
  { name: 'accepted_us', type: 'INT64', get: (o) => o.acceptedUs },
  { name: 'presented_us', type: 'INT64', optional: true, get: (o) => o.presentedUs ?? null },
  { name: 'server', type: 'INT32', get: (o) => o.server },
  { name: 'token', type: 'BYTE_ARRAY', get: (o) => o.token },
  { name: 'cancelled_us', type: 'INT64', optional: true, get: (o) => o.cancelledUs ?? null },
];

const USERS_COLUMNS: ColumnDef<{ user: number; response: number }>[] = [
  { name: 'strategy', type: 'BYTE_ARRAY', get: (_, run) => run.strategy },
  { name: 'replication', type: 'INT32', get: (_, run) => run.replication },
  { name: 'response', type: 'INT32', get: (w) => w.response },
  { name: 'user', type: 'INT32', get: (w) => w.user },
];

function schemaOf<R>(columns: readonly ColumnDef<R>[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map((c): SchemaElement => ({
      name: c.name,
      type: c.type,
      repetition_type: c.optional ? 'OPTIONAL' : 'REQUIRED',
      ...(c.type === 'BYTE_ARRAY' ? { converted_type: 'UTF8' as const } : {}),
    })),
  ];
}

/**
 * Streams rows into one Parquet file, a row group at a time: the columns
 * of at most {@link ROW_GROUP_ROWS} rows are held, then encoded and
 * appended to the file.
 */
class TableWriter<R> {
  readonly #writer: ParquetWriter;
  readonly #columns: readonly ColumnDef<R>[];
  #buffers: Array<Array<string | number | bigint | null>>;
  #rows = 0;

  constructor(file: string, columns: readonly ColumnDef<R>[]) {
    this.#columns = columns;
    this.#writer = new ParquetWriter({ writer: fileWriter(file), schema: schemaOf(columns), createdBy: 'flashsim (hyparquet-writer)' });
    this.#buffers = columns.map(() => []);
  }

  add(row: R, run: RunResult): void {
    for (let j = 0; j < this.#columns.length; j++) {
      const column = this.#columns[j];
      const value = column.get(row, run);
      // The writer takes INT64 values as bigints.
      this.#buffers[j].push(column.type === 'INT64' && value !== null ? BigInt(value) : value);
    }
    if (++this.#rows === ROW_GROUP_ROWS) this.#flush();
  }

  #flush(): void {
    if (this.#rows === 0) return;
    // The writer is synchronous with a file writer (it returns no promise).
    void this.#writer.write({
      columnData: this.#columns.map((c, j) => ({ name: c.name, data: this.#buffers[j] })),
      rowGroupSize: this.#rows,
    });
    this.#buffers = this.#columns.map(() => []);
    this.#rows = 0;
  }

  finish(): void {
    this.#flush();
    void this.#writer.finish();
  }
}

/**
 * Writes ledger.parquet and users.parquet of `results` into `dir` (which
 * must exist): rows in plan order (strategy, then replication), each
 * run's orders in creation order and its "won" answers in response order.
 * Each file is written under a temporary name and renamed into place, so a
 * failure leaves no partial table.
 *
 * @returns the files written.
 */
export async function writeLedgerTables(dir: string, results: readonly RunResult[]): Promise<string[]> {
  const written: string[] = [];
  const tables: Array<[string, (file: string) => void]> = [
    [
      LEDGER_TABLE,
      (file) => {
        const table = new TableWriter(file, LEDGER_COLUMNS);
        for (const run of results) for (const order of run.ledger) table.add(order, run);
        table.finish();
      },
    ],
    [
      USERS_TABLE,
      (file) => {
        const table = new TableWriter(file, USERS_COLUMNS);
        const row = { user: 0, response: 0 };
        for (const run of results) {
          run.wonResponses.forEach((user, response) => {
            row.user = user;
            row.response = response;
            table.add(row, run);
          });
        }
        table.finish();
      },
    ],
  ];
  for (const [name, write] of tables) {
    const target = join(dir, name);
    const temporary = join(dir, `.${name}.${process.pid}.tmp`);
    try {
      write(temporary);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    written.push(target);
  }
  return written;
}
