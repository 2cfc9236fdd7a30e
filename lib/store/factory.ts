/**
 * Builds the DynamoDB-backed store for a table, against AWS or a local endpoint (dynalite). The SDK
 * client is created once per location and reused (one per Lambda container); outside AWS it gets
 * static dummy credentials so it never probes the instance-metadata service.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStore } from './dynamo.js';

interface StoreLocation {
  table: string;
  region: string;
  /** A loopback endpoint such as dynalite's; unset means real DynamoDB. */
  endpoint?: string | undefined;
}

const clients = new Map<string, DynamoDBClient>();

/**
 * A store call must never hang into the Lambda's timeout: the run's bookkeeping after its deadline
 * (20 s) has to fit: at most 4 attempts of 3 s each, throttling retries included.
 */
const REQUEST_HANDLER = { connectionTimeout: 3_000, requestTimeout: 3_000, throwOnRequestTimeout: true } as const;

function dynamoClient(location: StoreLocation): DynamoDBClient {
  const id = `${location.region}\u0000${location.endpoint ?? ''}`;
  let client = clients.get(id);
  if (client === undefined) {
    client =
      location.endpoint === undefined
        ? new DynamoDBClient({ region: location.region, requestHandler: REQUEST_HANDLER })
        : new DynamoDBClient({
            region: location.region,
            endpoint: location.endpoint,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            requestHandler: REQUEST_HANDLER,
          });
    clients.set(id, client);
  }
  return client;
}

/** The store of one tenant (`namespace`, see tenantNamespace) on the table at `location`. */
function createStore(location: StoreLocation, namespace: string): DynamoStore {
  return new DynamoStore(dynamoClient(location), location.table, namespace);
}

export { createStore, dynamoClient };
export type { StoreLocation };
