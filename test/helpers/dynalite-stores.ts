import { afterAll, beforeAll } from 'vitest';
import { startDynalite, type LocalDynamo } from '../../infra/local/dynamodb.js';
import { type DynamoStore, ensureTable } from '../../lib/store/dynamo.js';
import { createStore, dynamoClient } from '../../lib/store/factory.js';

/**
 * One dynalite for the tests of a file, and a fresh table (a clean store) for each test that asks.
 * Registers its own beforeAll/afterAll, so the server is always stopped.
 */
function dynaliteStores(): () => Promise<DynamoStore> {
  let dynamo: LocalDynamo | undefined;
  let tableNo = 0;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo?.stop();
  });
  return async () => {
    if (dynamo === undefined) throw new Error('dynalite is not running: call freshStore() inside a test');
    tableNo += 1;
    const location = { table: `janitor-${tableNo}`, region: 'us-east-1', endpoint: dynamo.endpoint };
    await ensureTable(dynamoClient(location), location.table);
    return createStore(location, `T#test-${tableNo}@127.0.0.1`);
  };
}

export { dynaliteStores };
