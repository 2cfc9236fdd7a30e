/**
 * The three store adapters every store test runs on: DynamoStore on dynalite (a real DynamoDB
 * protocol engine), MemoryStore, and LevelStore (the CLI's embedded LevelDB). Call
 * `storeAdapters()` at the top of a test file: it starts dynalite for the file and cleans up after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startDynalite, type LocalDynamo } from '../../infra/local/dynamodb.js';
import type { Key, StoreBase, Stored } from '../../lib/store/base.js';
import { ensureTable } from '../../lib/store/dynamo.js';
import { createStore, dynamoClient, type StoreLocation } from '../../lib/store/factory.js';
import { LevelStore } from '../../lib/store/level.js';
import { MemoryStore } from '../../lib/store/memory.js';

/** The namespace of every store an adapter makes. */
const NAMESPACE = 'T#ns@host';

interface Adapter {
  name: string;
  /** A fresh, empty store (namespace `T#ns@host`). */
  make: () => Promise<StoreBase>;
  /** A store of another namespace on the same storage as `store` (the same table, the same map). */
  sibling: (store: StoreBase, namespace: string) => StoreBase;
}

interface StoreAdapters {
  dynalite: Adapter;
  memory: Adapter;
  leveldb: Adapter;
  /** The local DynamoDB endpoint (inside a test). */
  endpoint(): string;
}

function storeAdapters(): StoreAdapters {
  let dynamo: LocalDynamo | undefined;
  let tableNo = 0;
  const locations = new WeakMap<StoreBase, StoreLocation>();
  const levelDirs: string[] = [];
  const levelStores: LevelStore[] = [];

  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo?.stop();
    for (const store of levelStores) await store.close();
    for (const dir of levelDirs) await rm(dir, { recursive: true, force: true });
  });

  const endpoint = (): string => {
    if (dynamo === undefined) throw new Error('dynalite is not running: make a store inside a test');
    return dynamo.endpoint;
  };

  return {
    endpoint,
    dynalite: {
      name: 'dynalite',
      make: async () => {
        tableNo += 1;
        const location = { table: `janitor-contract-${tableNo}`, region: 'us-east-1', endpoint: endpoint() };
        await ensureTable(dynamoClient(location), location.table);
        const store = createStore(location, NAMESPACE);
        locations.set(store, location);
        return store;
      },
      sibling: (store, namespace) => {
        const location = locations.get(store);
        if (location === undefined) throw new Error('not a store made by this adapter');
        return createStore(location, namespace);
      },
    },
    memory: {
      name: 'memory',
      make: () => Promise.resolve(new MemoryStore(NAMESPACE)),
      sibling: (store, namespace) => {
        // Test-only: share the private map, as two DynamoStores share a table, so that namespacing (which
        // lives in the base) is checked on memory too.
        const twin = new MemoryStore(namespace);
        Reflect.set(twin, 'items', Reflect.get(store, 'items'));
        return twin;
      },
    },
    leveldb: {
      name: 'leveldb (the CLI local state)',
      make: async () => {
        const dir = await mkdtemp(join(tmpdir(), 'janitor-level-'));
        levelDirs.push(dir);
        const store = await LevelStore.open(dir, NAMESPACE);
        levelStores.push(store);
        return store;
      },
      sibling: (store, namespace) => {
        // LevelDB admits one opener per folder: a view over the same database with its own namespace.
        const twin = Object.create(store) as StoreBase;
        Object.defineProperty(twin, 'namespace', { value: namespace });
        return twin;
      },
    },
  };
}

/**
 * Writes a record as it is, past the base's keys and schemas (a newer version's format, a
 * corrupted record), through the adapter's own storage primitive.
 */
async function rawPut(store: StoreBase, item: Stored): Promise<void> {
  await Reflect.apply(Reflect.get(store, '_put') as (item: Stored) => Promise<unknown>, store, [item]);
}

/** Deletes a record past the base, through the adapter's own storage primitive. */
async function rawDelete(store: StoreBase, key: Key): Promise<void> {
  await Reflect.apply(Reflect.get(store, '_delete') as (key: Key) => Promise<unknown>, store, [key]);
}

export { NAMESPACE, rawDelete, rawPut, storeAdapters };
export type { Adapter, StoreAdapters };
