/** No engine's error type leaves lib/store: a failed request is a StoreRequestError carrying the engine's error. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type LocalDynamo } from '../../infra/local/dynamodb.js';
import { StoreError, StoreRequestError } from '../../lib/store/errors.js';
import { createStore } from '../../lib/store/factory.js';
import { LevelStore } from '../../lib/store/level.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

describe('DynamoStore errors', () => {
  it('a request the engine refuses (no such table) is a StoreRequestError, its message and cause kept', async () => {
    // Prepare
    const store = createStore({ table: 'no-such-table', region: 'us-east-1', endpoint: dynamo.endpoint }, 'T#errors@127.0.0.1');
    // Act
    const error: unknown = await store.ledger().then(
      () => undefined,
      (e: unknown) => e,
    );
    // Assess
    expect(error).toBeInstanceOf(StoreRequestError);
    expect(error).toBeInstanceOf(StoreError);
    const failure = error as StoreRequestError;
    expect(failure.cause).toBeInstanceOf(Error);
    expect((failure.cause as Error).name).toBe('ResourceNotFoundException');
    expect(failure.message).toBe((failure.cause as Error).message);
    expect(failure.operation).toMatch(/query|scan/);
  });
});

describe('LevelStore errors', () => {
  it('a read of a closed database is a StoreRequestError with classic-level’s error as its cause', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'janitor-level-errors-'));
    try {
      const store = await LevelStore.open(dir, 'T#errors@127.0.0.1');
      await store.close();
      // Act
      const error: unknown = await store.ledger().then(
        () => undefined,
        (e: unknown) => e,
      );
      // Assess
      expect(error).toBeInstanceOf(StoreRequestError);
      expect((error as StoreRequestError).cause).toBeInstanceOf(Error);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
