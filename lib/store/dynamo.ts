/**
 * The store on one DynamoDB table (single-table design; keys in base.ts): only the storage
 * primitives, each a single DynamoDB operation, so every request a run costs is visible here.
 * Conditional writes turn a failed condition into `false`; everything else is the SDK's error.
 */
import { ConditionalCheckFailedException, CreateTableCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type BatchWriteCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { sleep } from '../util/time.js';
import { StoreRequestError, UnprocessedWritesError } from './errors.js';
import { StoreBase, type BatchOp, type Condition, type Key, type Stored, type StoredValue } from './base.js';

/** Names and values of one expression, numbered so that several parts never collide. */
class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, StoredValue> = {};
  private n = 0;

  name(field: string): string {
    const alias = `#n${this.n++}`;
    this.names[alias] = field;
    return alias;
  }

  value(v: StoredValue): string {
    const alias = `:v${this.n++}`;
    this.values[alias] = v;
    return alias;
  }

  condition(c: Condition): string {
    switch (c.op) {
      case 'absent':
        return `attribute_not_exists(${this.name('pk')})`;
      case 'missing':
        return `attribute_not_exists(${this.name(c.field)})`;
      case 'eq':
        return `${this.name(c.field)} = ${this.value(c.value)}`;
      case 'lt':
        return `${this.name(c.field)} < ${this.value(c.value)}`;
      case 'gt':
        return `${this.name(c.field)} > ${this.value(c.value)}`;
      case 'or':
        return `(${c.of.map((part) => this.condition(part)).join(' OR ')})`;
      case 'and':
        return `(${c.of.map((part) => this.condition(part)).join(' AND ')})`;
    }
  }

  /** Spread into a command; DynamoDB rejects empty name/value maps. */
  get attributes(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, StoredValue> } {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

const MAX_BATCH_ROUNDS = 8;

class DynamoStore extends StoreBase {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    namespace: string,
  ) {
    super(namespace);
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** One engine request; any failure leaves the store as a StoreRequestError. */
  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new StoreRequestError(operation, error);
    }
  }

  /** One conditional write: `written: false` when its condition failed, any other failure as in {@link call}. */
  private async write<T>(operation: string, send: () => Promise<T>): Promise<{ written: true; result: T } | { written: false }> {
    try {
      return { written: true, result: await send() };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { written: false };
      throw new StoreRequestError(operation, error);
    }
  }

  protected async _get(key: Key): Promise<Record<string, unknown> | undefined> {
    this.requests += 1;
    const result = await this.call('get', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
    );
    return result.Item;
  }

  protected async _put(item: Stored, condition?: Condition): Promise<{ written: boolean; old: Record<string, unknown> | undefined }> {
    const expression = new Expression();
    const conditionExpression = condition === undefined ? undefined : expression.condition(condition);
    this.requests += 1;
    const put = await this.write('put', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ReturnValues: 'ALL_OLD',
          ...(conditionExpression === undefined ? {} : { ConditionExpression: conditionExpression, ...expression.attributes }),
        }),
      ),
    );
    return put.written ? { written: true, old: put.result.Attributes } : { written: false, old: undefined };
  }

  protected async _update(key: Key, fields: Record<string, StoredValue>, condition?: Condition): Promise<boolean> {
    const expression = new Expression();
    const sets = Object.entries(fields).map(([field, value]) => `${expression.name(field)} = ${expression.value(value)}`);
    const exists = `attribute_exists(${expression.name('pk')})`;
    const conditionExpression = condition === undefined ? exists : `${exists} AND ${expression.condition(condition)}`;
    this.requests += 1;
    const update = await this.write('update', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditionExpression,
          ...expression.attributes,
        }),
      ),
    );
    return update.written;
  }

  protected async _delete(key: Key, condition?: Condition): Promise<boolean> {
    const expression = new Expression();
    const conditionExpression = condition === undefined ? undefined : expression.condition(condition);
    this.requests += 1;
    const removed = await this.write('delete', () =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ...(conditionExpression === undefined ? {} : { ConditionExpression: conditionExpression, ...expression.attributes }),
        }),
      ),
    );
    return removed.written;
  }

  protected async _query(
    pk: string,
    options: { prefix?: string; descending?: boolean; limit?: number } = {},
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const expression = new Expression();
      const keyCondition = `${expression.name('pk')} = ${expression.value(pk)}${options.prefix === undefined ? '' : ` AND begins_with(${expression.name('sk')}, ${expression.value(options.prefix)})`}`;
      this.requests += 1;
      const page = await this.call('query', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: keyCondition,
            ...expression.attributes,
            ConsistentRead: true,
            ScanIndexForward: options.descending !== true,
            ExclusiveStartKey: start,
            ...(options.limit === undefined ? {} : { Limit: options.limit - items.length }),
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined && (options.limit === undefined || items.length < options.limit));
    return items;
  }

  protected async _scan(pkPrefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const expression = new Expression();
      const filter = `begins_with(${expression.name('pk')}, ${expression.value(pkPrefix)})`;
      this.requests += 1;
      const page = await this.call('scan', () =>
        this.doc.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: filter,
            ...expression.attributes,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  protected async _batch(ops: readonly BatchOp[]): Promise<void> {
    let pending = ops.map((op) => ('put' in op ? { PutRequest: { Item: op.put } } : { DeleteRequest: { Key: op.delete } }));
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= MAX_BATCH_ROUNDS) throw new UnprocessedWritesError(pending.length, MAX_BATCH_ROUNDS);
      // Unprocessed items come back under throttling: back off before sending them again.
      if (round > 0) await sleep(50 * 2 ** round);
      this.requests += 1;
      const result: BatchWriteCommandOutput = await this.call('batch write', () =>
        this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } })),
      );
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
    }
  }

  protected async _add(key: Key, field: string, n: number, fields: Record<string, StoredValue>): Promise<void> {
    const expression = new Expression();
    const sets = Object.entries(fields).map(([name, value]) => `${expression.name(name)} = ${expression.value(value)}`);
    const add = `ADD ${expression.name(field)} ${expression.value(n)}`;
    this.requests += 1;
    await this.call('update', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `${add}${sets.length > 0 ? ` SET ${sets.join(', ')}` : ''}`,
          ...expression.attributes,
        }),
      ),
    );
  }
}

/**
 * Creates the table where CloudFormation does not (dynalite for tests, the demo and the CLI's local
 * state); a table that already exists, as in a persisted local folder, is left as it is.
 */
async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client
    .send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    });
  // A new table is CREATING for a moment (even in dynalite, under load): use it only once ACTIVE.
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
}

export { DynamoStore, ensureTable };
