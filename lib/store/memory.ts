/**
 * The store in process memory, with the same conditions and request accounting as DynamoDB, so
 * lib/run's unit tests run in milliseconds. Records are copied in and out (like a wire would), so a
 * caller can never change what is "stored" by mutating an object it holds.
 */
import { StoreBase, type BatchOp, type Condition, type Key, type Stored, type StoredValue } from './base.js';
import { holds as matches } from './conditions.js';

type Item = Record<string, unknown>;

class MemoryStore extends StoreBase {
  private readonly items = new Map<string, Item>();

  protected _get(key: Key): Promise<Item | undefined> {
    this.requests += 1;
    return Promise.resolve(copy(this.items.get(id(key))));
  }

  protected _put(item: Stored, condition?: Condition): Promise<{ written: boolean; old: Item | undefined }> {
    this.requests += 1;
    const old = this.items.get(id(item));
    if (condition !== undefined && !matches(old, condition)) return Promise.resolve({ written: false, old: undefined });
    this.items.set(id(item), structuredClone(item));
    return Promise.resolve({ written: true, old: copy(old) });
  }

  protected _update(key: Key, fields: Record<string, StoredValue>, condition?: Condition): Promise<boolean> {
    this.requests += 1;
    const old = this.items.get(id(key));
    if (old === undefined || (condition !== undefined && !matches(old, condition))) return Promise.resolve(false);
    this.items.set(id(key), { ...old, ...structuredClone(fields) });
    return Promise.resolve(true);
  }

  protected _delete(key: Key, condition?: Condition): Promise<boolean> {
    this.requests += 1;
    if (condition !== undefined && !matches(this.items.get(id(key)), condition)) return Promise.resolve(false);
    this.items.delete(id(key));
    return Promise.resolve(true);
  }

  protected _query(pk: string, options: { prefix?: string; descending?: boolean; limit?: number } = {}): Promise<Item[]> {
    this.requests += 1;
    const found = [...this.items.values()]
      .filter((item) => item.pk === pk && (options.prefix === undefined || String(item.sk).startsWith(options.prefix)))
      .sort((a, b) => byteOrder(String(a.sk), String(b.sk)));
    if (options.descending === true) found.reverse();
    return Promise.resolve(found.slice(0, options.limit).map((item) => structuredClone(item)));
  }

  protected _scan(pkPrefix: string): Promise<Item[]> {
    this.requests += 1;
    return Promise.resolve(
      [...this.items.values()].filter((item) => String(item.pk).startsWith(pkPrefix)).map((item) => structuredClone(item)),
    );
  }

  protected _batch(ops: readonly BatchOp[]): Promise<void> {
    this.requests += 1;
    for (const op of ops) {
      if ('put' in op) this.items.set(id(op.put), structuredClone(op.put));
      else this.items.delete(id(op.delete));
    }
    return Promise.resolve();
  }

  protected _add(key: Key, field: string, n: number, fields: Record<string, StoredValue>): Promise<void> {
    this.requests += 1;
    const old = this.items.get(id(key)) ?? { ...key };
    const current = typeof old[field] === 'number' ? old[field] : 0;
    this.items.set(id(key), { ...old, ...structuredClone(fields), [field]: current + n });
    return Promise.resolve();
  }
}

/** DynamoDB orders sort keys by their UTF-8 bytes, not by locale. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function id(key: Key): string {
  return `${key.pk}\u0000${key.sk}`;
}

function copy(item: Item | undefined): Item | undefined {
  return item === undefined ? undefined : structuredClone(item);
}

export { MemoryStore };
