/** Every failure lib/store raises on purpose: one base class, one class per failure mode. */
import { errorMessage } from '../util/errors.js';
import type { ItemState, LedgerChunk } from './records.js';

class StoreError extends Error {
  override name = 'StoreError';
}

/** A conditional write found the record changed since it was read (another writer, or a replay). */
class LedgerConflictError extends StoreError {
  override name = 'LedgerConflictError';
  constructor(readonly chunkId: string) {
    super(`ledger chunk ${chunkId} changed since it was read; refusing to overwrite it`);
  }
}

/** A ledger item was asked to make a move the transition table forbids (a bug, never data). */
class IllegalLedgerMoveError extends StoreError {
  override name = 'IllegalLedgerMoveError';
  constructor(
    readonly chunk: Pick<LedgerChunk, 'chunkId'>,
    readonly id: string,
    readonly from: ItemState,
    readonly to: ItemState,
  ) {
    super(`ledger item ${id} in chunk ${chunk.chunkId} cannot move from ${from} to ${to}`);
  }
}

/** Open ledger records of a group that do not parse (a newer format, corruption): the group is refused. */
class UnreadableLedgerError extends StoreError {
  override name = 'UnreadableLedgerError';
  constructor(
    readonly group: string,
    readonly unreadable: number,
  ) {
    super(
      `${unreadable} open ledger record(s) of resource group ${group} cannot be read; nothing in ${group} is acted on until they are (a newer janitor version may have written them)`,
    );
  }
}

/** Staged run data whose parts do not add up (a write interrupted between parts): the step fails, and is retried. */
class UnreadableStagedDataError extends StoreError {
  override name = 'UnreadableStagedDataError';
  constructor(
    readonly runId: string,
    readonly stagedName: string,
  ) {
    super(`staged data '${stagedName}' of run ${runId} is incomplete (a write was interrupted); the step that wrote it must run again`);
  }
}

/** DynamoDB kept handing back part of a batch write (sustained throttling): the rest was not written. */
class UnprocessedWritesError extends StoreError {
  override name = 'UnprocessedWritesError';
  constructor(
    readonly unprocessed: number,
    readonly rounds: number,
  ) {
    super(`DynamoDB left ${unprocessed} batch write(s) unprocessed after ${rounds} rounds`);
  }
}

/**
 * A storage engine call failed (throttling, a timeout, a refused request): the engine's own error
 * is the `cause`, its message kept, so no SDK or LevelDB error type leaves lib/store.
 */
class StoreRequestError extends StoreError {
  override name = 'StoreRequestError';
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(errorMessage(cause), { cause });
  }
}

export {
  StoreError,
  LedgerConflictError,
  IllegalLedgerMoveError,
  UnreadableLedgerError,
  UnreadableStagedDataError,
  UnprocessedWritesError,
  StoreRequestError,
};
