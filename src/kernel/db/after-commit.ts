import type { Database, Executor } from "./database.js";

/**
 * Work that must wait for a transaction to commit, such as evicting a cached row: evicted before
 * the commit, a concurrent read could load the row as it still is and cache it again.
 *
 * `db.transaction` is wrapped (`trackCommits`) to give each transaction, and each savepoint within
 * it, the outer transaction's list; the list runs after COMMIT returns and is dropped on rollback.
 * Handed the database itself, the statement already committed on its own: the action runs now.
 */
const pendingByTransaction = new WeakMap<object, Array<() => void>>();

export function afterCommit(executor: Executor, action: () => void): void {
  const pending = pendingByTransaction.get(executor);
  if (pending) pending.push(action);
  else action();
}

type TransactionRunner = (work: (tx: never) => Promise<unknown>, config?: unknown) => Promise<unknown>;

/** Makes `afterCommit` work on transactions of `db`; returns `db`. */
export function trackCommits(db: Database): Database {
  const begin = db.transaction.bind(db) as TransactionRunner;
  const wrapped: TransactionRunner = async (work, config) => {
    const pending: Array<() => void> = [];
    const result = await begin((tx) => work(track(tx, pending)), config);
    for (const action of pending) action();
    return result;
  };
  db.transaction = wrapped as Database["transaction"];
  return db;
}

/** Registers a transaction and makes its savepoints share its list. */
function track<T extends object>(tx: T, pending: Array<() => void>): T {
  pendingByTransaction.set(tx, pending);
  const savepoint = (tx as { transaction?: TransactionRunner }).transaction;
  if (savepoint) {
    const begin = savepoint.bind(tx);
    (tx as { transaction: TransactionRunner }).transaction = (work, config) => begin((inner) => work(track(inner, pending)), config);
  }
  return tx;
}
