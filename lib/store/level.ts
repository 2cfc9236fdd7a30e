/**
 * The store in an embedded LevelDB database (classic-level): the CLI's local state, fast enough
 * that a terminal run pays for its ledger what it pays for its API calls. LevelDB has no
 * conditional writes, so every write runs in one queue and checks its condition in code; the
 * database's own lock file (an fcntl lock, released when its process dies) keeps a second process
 * out of the same folder: opening it then fails with StateLockedError, at once. Waiting for the
 * holder and naming it is the CLI's business (cli/state.ts).
 */
import { ClassicLevel } from 'classic-level';
import { StoreBase, type BatchOp, type Condition, type Key, type Stored, type StoredValue } from './base.js';
import { holds } from './conditions.js';
import { StoreError, StoreRequestError } from './errors.js';

type Item = Record<string, unknown>;

/** Another process (or another handle in this one) holds the database: LevelDB's LOCK file. */
class StateLockedError extends StoreError {
  override name = 'StateLockedError';
  constructor(
    readonly dir: string,
    options?: ErrorOptions,
  ) {
    super(`the local state in ${dir} is in use by another process`, options);
  }
}

/** The database exists but cannot be opened (permissions, corruption, a full disk, …). */
class StateOpenError extends StoreError {
  override name = 'StateOpenError';
}

/** `pk` and `sk` joined so that LevelDB's byte order is DynamoDB's (pk, then sk) order. */
const SEPARATOR = '\u0000';
const END = '\uffff';

class LevelStore extends StoreBase {
  /** Writes run one at a time, so a condition cannot change between its check and its write. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: ClassicLevel<string, Item>,
    namespace: string,
  ) {
    super(namespace);
  }

  /**
   * Opens (creating if needed) the database in `dir`.
   * @throws StateLockedError when another process holds it; StateOpenError when it cannot be opened.
   */
  static async open(dir: string, namespace: string): Promise<LevelStore> {
    const db = new ClassicLevel<string, Item>(dir, { valueEncoding: 'json' });
    try {
      await db.open();
    } catch (error) {
      if (isLocked(error)) throw new StateLockedError(dir, { cause: error });
      const cause =
        error instanceof Error && error.cause instanceof Error
          ? error.cause.message
          : error instanceof Error
            ? error.message
            : String(error);
      throw new StateOpenError(`cannot open the local state in ${dir}: ${cause}`, { cause: error });
    }
    return new LevelStore(db, namespace);
  }

  /**
   * The same database under another tenant namespace (the CLI's `--tenants FILE`: one store per
   * tenant, one LevelDB). Keys never cross namespaces, so each view keeps its own write queue;
   * closing any view closes the database.
   * @example const acme = store.forNamespace(tenantNamespace(acmeKey));
   */
  forNamespace(namespace: string): LevelStore {
    return new LevelStore(this.db, namespace);
  }

  /** Waits for queued writes, then closes; closing twice is harmless. */
  close(): Promise<void> {
    return this.serial(async () => {
      if (this.db.status === 'open' || this.db.status === 'opening') await this.db.close();
    });
  }

  protected async _get(key: Key): Promise<Item | undefined> {
    this.requests += 1;
    return guarded('get', () => this.db.get(id(key)));
  }

  protected _put(item: Stored, condition?: Condition): Promise<{ written: boolean; old: Item | undefined }> {
    this.requests += 1;
    return this.serial(async () => {
      const old = await this.db.get(id(item));
      if (condition !== undefined && !holds(old, condition)) return { written: false, old: undefined };
      await this.db.put(id(item), item);
      return { written: true, old };
    });
  }

  protected _update(key: Key, fields: Record<string, StoredValue>, condition?: Condition): Promise<boolean> {
    this.requests += 1;
    return this.serial(async () => {
      const old = await this.db.get(id(key));
      if (old === undefined || (condition !== undefined && !holds(old, condition))) return false;
      await this.db.put(id(key), { ...old, ...fields });
      return true;
    });
  }

  protected _delete(key: Key, condition?: Condition): Promise<boolean> {
    this.requests += 1;
    return this.serial(async () => {
      if (condition !== undefined && !holds(await this.db.get(id(key)), condition)) return false;
      await this.db.del(id(key));
      return true;
    });
  }

  protected async _query(pk: string, options: { prefix?: string; descending?: boolean; limit?: number } = {}): Promise<Item[]> {
    this.requests += 1;
    const from = `${pk}${SEPARATOR}${options.prefix ?? ''}`;
    return guarded('query', () =>
      this.db
        .values({
          gte: from,
          lt: `${from}${END}`,
          reverse: options.descending === true,
          ...(options.limit === undefined ? {} : { limit: options.limit }),
        })
        .all(),
    );
  }

  protected async _scan(pkPrefix: string): Promise<Item[]> {
    this.requests += 1;
    return guarded('scan', () => this.db.values({ gte: pkPrefix, lt: `${pkPrefix}${END}` }).all());
  }

  protected _batch(ops: readonly BatchOp[]): Promise<void> {
    this.requests += 1;
    return this.serial(() =>
      this.db.batch(
        ops.map((op) =>
          'put' in op ? { type: 'put' as const, key: id(op.put), value: op.put } : { type: 'del' as const, key: id(op.delete) },
        ),
      ),
    );
  }

  protected _add(key: Key, field: string, n: number, fields: Record<string, StoredValue>): Promise<void> {
    this.requests += 1;
    return this.serial(async () => {
      const old = (await this.db.get(id(key))) ?? { ...key };
      const current = typeof old[field] === 'number' ? old[field] : 0;
      await this.db.put(id(key), { ...old, ...fields, [field]: current + n });
    });
  }

  /** Writes run one at a time (their conditions are checked in code); a LevelDB failure leaves as a StoreRequestError. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(() => guarded('write', work));
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

/** classic-level reports LevelDB's "IO error: lock …" as the cause of its open error. */
function isLocked(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause: unknown = error.cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && cause.code === 'LEVEL_LOCKED') return true;
  return cause instanceof Error && /\block\b/i.test(cause.message);
}

/** No classic-level error type leaves lib/store: its failure is the cause of a StoreRequestError. */
async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof StoreError ? error : new StoreRequestError(operation, error);
  }
}

function id(key: Key): string {
  return `${key.pk}${SEPARATOR}${key.sk}`;
}

export { LevelStore, StateLockedError, StateOpenError };
