import type { StoreKind } from './target.js';

/**
 * What the experiment needs of a stock store: its own key or table, reset
 * to a level before each concurrency level, read back after it, and one
 * connection per closed-loop client that performs takes with one primitive.
 */

/** How one take ended, as the client was told. */
export type TakeResult = 'sold' | 'sold-out' | 'error';

/** The flashsim stock primitive a store primitive corresponds to (schema: `system.stock.primitive`). */
export type ModelPrimitive = 'single-thread-server' | 'row-lock' | 'check-then-decrement';

/** One way to take a unit from a store. */
export interface PrimitiveInfo {
  /** Identifier in reports and on the command line: `lua`, `watch-multi`, `get-set`, `update`, `select-for-update`, `select-update`. */
  id: string;
  /** One line: what the primitive sends. */
  description: string;
  /** Whether it is correct (may not oversell) or racy by design (the negative control). */
  correct: boolean;
  /** The flashsim primitive it is modelled as. */
  model: ModelPrimitive;
  /** For an optimistic primitive (retried on conflict): the most tries per take. */
  optimisticAttempts?: number;
}

/** One client's connection, for one primitive. */
export interface TakeClient {
  /** Takes one unit (or learns there is none); `attempts` counts tries of an optimistic primitive (1 otherwise). Never throws: a failure is `error`. */
  take(): Promise<{ result: TakeResult; attempts: number }>;
  /** Closes the connection (never throws). */
  close(): Promise<void>;
}

/** A store under calibration. */
export interface StockStore {
  /** Which store. */
  readonly kind: StoreKind;
  /** The key or table it created (unique per run). */
  readonly objectName: string;
  /** Its primitives, in report order. */
  readonly primitives: readonly PrimitiveInfo[];
  /** Connects the control connection and creates the key or table (at `units`). */
  open(units: number): Promise<void>;
  /** Sets the stock to `units`. */
  reset(units: number): Promise<void>;
  /** The stock's current value. */
  read(): Promise<number>;
  /** A new connection for one client, taking with `primitive`. */
  connect(primitive: string): Promise<TakeClient>;
  /** How many more client connections the server accepts now, if it says (PostgreSQL's max_connections); undefined when unlimited in practice. */
  connectionHeadroom(): Promise<number | undefined>;
  /** Removes the key or table and closes the control connection (idempotent, never throws; returns an error message if removing failed). */
  close(): Promise<string | undefined>;
}
