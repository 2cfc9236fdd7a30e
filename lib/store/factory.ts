/**
 * Builds the DynamoDB-backed store for a table, against AWS or a local endpoint (dynalite). Outside
 * AWS the SDK is given static dummy credentials so it never probes the instance-metadata service.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStore } from './dynamo.js';

interface StoreLocation {
  table: string;
  region: string;
  /** A loopback endpoint such as dynalite's; unset means real DynamoDB. */
  endpoint?: string | undefined;
}

function dynamoClient(location: StoreLocation): DynamoDBClient {
  if (location.endpoint === undefined) return new DynamoDBClient({ region: location.region });
  return new DynamoDBClient({
    region: location.region,
    endpoint: location.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

function createStore(location: StoreLocation): DynamoStore {
  return new DynamoStore(dynamoClient(location), location.table);
}

export { createStore, dynamoClient };
export type { StoreLocation };
