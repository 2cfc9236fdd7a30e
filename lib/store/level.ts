/**
 * The store in an embedded LevelDB database (classic-level): the CLI's local state, fast enough
 * that a terminal run pays for its ledger what it pays for its API calls. LevelDB has no
 * conditional writes, so every write runs in one queue and checks its condition in code; the
 * database's own lock file keeps a second process out of the same folder.
 */
import { ClassicLevel } from 'classic-level';
import { StoreBase, type BatchOp, type Condition, type Key, type Stored, type StoredValue } from './base.js';
import { holds } from './conditions.js';
import { StoreError } from './errors.js';

type Item = Record<string, unknown>;

/** Another process holds the database (LevelDB's LOCK file). */
class StateLockedError extends StoreError {
  override name = 'StateLockedError';
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

  /** Opens (creating if needed) the database in `dir`. */
  static async open(dir: string, namespace: string): Promise<LevelStore> {
    const db = new ClassicLevel<string, Item>(dir, { valueEncoding: 'json' });
    try {
      await db.open();
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
      if (/lock/i.test(cause)) throw new StateLockedError(`another aicore-janitor process is using the local state in ${dir}; wait for it to finish`, { cause: error });
      throw error;
    }
    return new LevelStore(db, namespace);
  }

  close(): Promise<void> {
    return this.serial(() => this.db.close());
  }

  protected async _get(key: Key): Promise<Item | undefined> {
    this.requests += 1;
    return this.db.get(id(key));
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
    return this.db.values({ gte: from, lt: `${from}${END}`, reverse: options.descending === true, ...(options.limit === undefined ? {} : { limit: options.limit }) }).all();
  }

  protected async _scan(pkPrefix: string): Promise<Item[]> {
    this.requests += 1;
    return this.db.values({ gte: pkPrefix, lt: `${pkPrefix}${END}` }).all();
  }

  protected _batch(ops: readonly BatchOp[]): Promise<void> {
    this.requests += 1;
    return this.serial(() => this.db.batch(ops.map((op) => ('put' in op ? { type: 'put' as const, key: id(op.put), value: op.put } : { type: 'del' as const, key: id(op.delete) }))));
  }

  protected _add(key: Key, field: string, n: number, fields: Record<string, StoredValue>): Promise<void> {
    this.requests += 1;
    return this.serial(async () => {
      const old = (await this.db.get(id(key))) ?? { ...key };
      const current = typeof old[field] === 'number' ? old[field] : 0;
      await this.db.put(id(key), { ...old, ...fields, [field]: current + n });
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(work);
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

function id(key: Key): string {
  return `${key.pk}${SEPARATOR}${key.sk}`;
}

export { LevelStore, StateLockedError };
