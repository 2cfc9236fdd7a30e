/**
 * JanitorStore on one DynamoDB table (single-table design; see README "State"). Every ledger move
 * is a conditional write, so two runs racing for the same item cannot both submit it.
 *
 * | item                | pk                 | sk                         | expires (TTL) |
 * |---------------------|--------------------|----------------------------|---------------|
 * | ledger entry        | LEDGER#{group}     | {type}#{id}#{targetStatus} | 90 days       |
 * | first seen STOPPED  | OBS#{group}        | {type}#{id}                | 30 days       |
 * | snooze              | SNOOZE             | {id}                       | at `until`    |
 * | daily counter       | COUNT#{yyyy-mm-dd} | ACTIONS                    | 3 days        |
 * | run record          | RUN                | {startedAt}#{runId}        | 30 days       |
 * | run lock            | LOCK               | RUN                        | at lease end  |
 * | trigger (idempotent)| TRIGGER#{id}       | TRIGGER                    | 7 days        |
 * | chat plan (approval)| PLAN               | {plan hash}                | window + 7 d  |
 */
import { ConditionalCheckFailedException, CreateTableCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  LedgerConflictError,
  type ChatOpsStore,
  type JanitorStore,
  type LedgerEntry,
  type LedgerKey,
  type LedgerState,
  type PlanRecord,
  type RunRecord,
  type TriggerRecord,
} from './store.js';
import type { Observations } from '../policy/observations.js';
import type { ResourceType } from '../lifecycle.js';

const DAY_SECONDS = 86_400;

const StoredLedgerEntry = z.object({
  group: z.string(),
  type: z.enum(['executions', 'deployments']),
  id: z.string(),
  targetStatus: z.enum(['STOPPED', 'DELETED']),
  state: z.enum(['planned', 'submitting', 'submitted', 'confirmed', 'failed']),
  planHash: z.string(),
  runId: z.string(),
  attempts: z.number(),
  updatedAt: z.string(),
  lastError: z.string().nullable().default(null),
});

const StoredObservation = z.object({ sk: z.string(), firstSeenStopped: z.string() });
const StoredSnooze = z.object({ sk: z.string(), until: z.string() });
const StoredCounter = z.object({ n: z.number() });
const StoredRun = z.object({
  runId: z.string(),
  trigger: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  dryRun: z.boolean(),
  planHash: z.string(),
  summary: z.string(),
});
const StoredTrigger = z.object({
  triggerId: z.string(),
  runId: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  startedAt: z.string(),
  summary: z.string().nullable(),
});

const StoredPlan = z.object({
  sk: z.string(),
  requester: z.string(),
  createdAt: z.string(),
  approvalExpiresAt: z.string(),
  runId: z.string(),
  approvedBy: z.string().nullable().default(null),
  approvedAt: z.string().nullable().default(null),
});

function ledgerPk(key: LedgerKey): { pk: string; sk: string } {
  return { pk: `LEDGER#${key.group}`, sk: `${key.type}#${key.id}#${key.targetStatus}` };
}

function epochSeconds(date: Date, plusDays = 0): number {
  return Math.floor(date.getTime() / 1000) + plusDays * DAY_SECONDS;
}

class DynamoStore implements JanitorStore, ChatOpsStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async observations(groups: readonly string[], now: Date): Promise<Observations> {
    const firstSeenStopped: Record<string, string> = {};
    for (const group of groups) {
      for (const raw of await this.queryAll(`OBS#${group}`)) {
        // sk is `{type}#{id}`, so group + sk is the policy's observationKey.
        const obs = StoredObservation.safeParse(raw);
        if (obs.success) firstSeenStopped[`${group}#${obs.data.sk}`] = obs.data.firstSeenStopped;
      }
    }
    const snoozes: Record<string, string> = {};
    for (const raw of await this.queryAll('SNOOZE')) {
      const snooze = StoredSnooze.safeParse(raw);
      if (snooze.success && Date.parse(snooze.data.until) > now.getTime()) snoozes[snooze.data.sk] = snooze.data.until;
    }
    const counter = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `COUNT#${utcDay(now)}`, sk: 'ACTIONS' } }));
    const actionsToday = StoredCounter.safeParse(counter.Item).data?.n ?? 0;
    return { firstSeenStopped, snoozes, actionsToday };
  }

  async recordStopped(items: ReadonlyArray<{ group: string; type: ResourceType; id: string }>, now: Date): Promise<void> {
    for (const item of items) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: `OBS#${item.group}`, sk: `${item.type}#${item.id}`, firstSeenStopped: now.toISOString(), expiresAt: epochSeconds(now, 30) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  async openEntries(group: string): Promise<LedgerEntry[]> {
    const entries = (await this.queryAll(`LEDGER#${group}`)).flatMap((raw) => {
      const parsed = StoredLedgerEntry.safeParse(raw);
      return parsed.success ? [parsed.data] : [];
    });
    return entries.filter((e) => e.state === 'submitting' || e.state === 'submitted');
  }

  async getEntry(key: LedgerKey): Promise<LedgerEntry | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: ledgerPk(key), ConsistentRead: true }));
    const parsed = StoredLedgerEntry.safeParse(result.Item);
    return parsed.success ? parsed.data : undefined;
  }

  async claim(key: LedgerKey, meta: { planHash: string; runId: string; now: Date }): Promise<LedgerEntry> {
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerPk(key),
          UpdateExpression:
            'SET #state = :submitting, planHash = :hash, runId = :run, updatedAt = :now, attempts = if_not_exists(attempts, :zero) + :one, #group = :group, #type = :type, id = :id, targetStatus = :target, lastError = :null, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(pk) OR #state IN (:planned, :failed)',
          ExpressionAttributeNames: { '#state': 'state', '#group': 'group', '#type': 'type' },
          ExpressionAttributeValues: {
            ':submitting': 'submitting', ':planned': 'planned', ':failed': 'failed', ':hash': meta.planHash, ':run': meta.runId,
            ':now': meta.now.toISOString(), ':zero': 0, ':one': 1, ':group': key.group, ':type': key.type, ':id': key.id,
            ':target': key.targetStatus, ':null': null, ':exp': epochSeconds(meta.now, 90),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return StoredLedgerEntry.parse(result.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LedgerConflictError(key, await this.getEntry(key));
      throw error;
    }
  }

  async transition(key: LedgerKey, from: readonly LedgerState[], to: LedgerState, meta: { now: Date; error?: string; owner?: string }): Promise<void> {
    const fromValues = Object.fromEntries(from.map((state, i) => [`:from${i}`, state]));
    const owned = meta.owner === undefined ? {} : { ':owner': meta.owner };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerPk(key),
          UpdateExpression: 'SET #state = :to, updatedAt = :now, lastError = :error',
          ConditionExpression: `#state IN (${Object.keys(fromValues).join(', ')})${meta.owner === undefined ? '' : ' AND runId = :owner'}`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ...fromValues, ...owned, ':to': to, ':now': meta.now.toISOString(), ':error': meta.error ?? null },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LedgerConflictError(key, await this.getEntry(key));
      throw error;
    }
  }

  async countActions(n: number, now: Date): Promise<void> {
    if (n <= 0) return;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `COUNT#${utcDay(now)}`, sk: 'ACTIONS' },
        UpdateExpression: 'ADD n :n SET expiresAt = :exp',
        ExpressionAttributeValues: { ':n': n, ':exp': epochSeconds(now, 3) },
      }),
    );
  }

  async recordRun(run: RunRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: 'RUN', sk: `${run.startedAt}#${run.runId}`, ...run, expiresAt: epochSeconds(new Date(run.startedAt), 30) } }),
    );
  }

  async recentRuns(limit: number): Promise<RunRecord[]> {
    const page = await this.doc.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'RUN' }, ScanIndexForward: false, Limit: limit }),
    );
    return (page.Items ?? []).flatMap((raw) => {
      const parsed = StoredRun.safeParse(raw);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async acquireLock(owner: string, until: Date, now: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: 'LOCK', sk: 'RUN', owner, leaseUntil: until.getTime(), expiresAt: epochSeconds(until, 1) },
          // dynalite has no TTL sweeper and DynamoDB's is lazy: expiry is compared here, in the condition.
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now.getTime(), ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseLock(owner: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: 'LOCK', sk: 'RUN' },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async beginTrigger(triggerId: string, runId: string, now: Date): Promise<TriggerRecord | undefined> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `TRIGGER#${triggerId}`, sk: 'TRIGGER', triggerId, runId, state: 'running', startedAt: now.toISOString(), summary: null, expiresAt: epochSeconds(now, 7) },
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :failed',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':failed': 'failed' },
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `TRIGGER#${triggerId}`, sk: 'TRIGGER' }, ConsistentRead: true }));
      return StoredTrigger.parse(existing.Item);
    }
  }

  async finishTrigger(triggerId: string, state: 'done' | 'failed', summary: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `TRIGGER#${triggerId}`, sk: 'TRIGGER' },
        UpdateExpression: 'SET #state = :state, summary = :summary',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ':summary': summary },
      }),
    );
  }

  async snooze(id: string, until: Date, by: string, reason?: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: 'SNOOZE', sk: id, until: until.toISOString(), by, reason, expiresAt: epochSeconds(until) },
      }),
    );
  }

  async recordPlan(plan: Omit<PlanRecord, 'approvedBy' | 'approvedAt'>): Promise<void> {
    const closes = new Date(plan.expiresAt);
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        // `expiresAt` is the table's TTL attribute (epoch seconds), so the window has its own names;
        // the record outlives the window by a week for the audit trail.
        Item: {
          pk: 'PLAN',
          sk: plan.hash,
          requester: plan.requester,
          createdAt: plan.createdAt,
          runId: plan.runId,
          approvalExpiresAt: plan.expiresAt,
          approvalExpiresAtMs: closes.getTime(),
          expiresAt: epochSeconds(closes, 7),
        },
      }),
    );
  }

  async findPlans(hashPrefix: string, limit: number): Promise<PlanRecord[]> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'PLAN', ':prefix': hashPrefix },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (page.Items ?? []).flatMap((raw) => {
      const parsed = StoredPlan.safeParse(raw);
      if (!parsed.success) return [];
      const { sk, approvalExpiresAt, ...rest } = parsed.data;
      return [{ hash: sk, expiresAt: approvalExpiresAt, ...rest }];
    });
  }

  async claimApproval(hash: string, approver: string, now: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: 'PLAN', sk: hash },
          UpdateExpression: 'SET approvedBy = :approver, approvedAt = :now',
          // dynalite has no TTL sweeper and DynamoDB's is lazy: the window is compared here.
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(approvedBy) AND approvalExpiresAtMs > :nowMs',
          ExpressionAttributeValues: { ':approver': approver, ':now': now.toISOString(), ':nowMs': now.getTime() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async queryAll(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Creates the table where CloudFormation does not (dynalite for tests, the demo and the CLI's local
 * state); a table that already exists, as in a persisted local folder, is left as it is.
 */
async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
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
  ).catch((error: unknown) => {
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  });
  // A new table is CREATING for a moment (even in dynalite, under load): use it only once ACTIVE.
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
}

export { DynamoStore, ensureTable };
