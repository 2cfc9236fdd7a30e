/**
 * `ledger`: every item's state as the ledger holds it — one row per item and request chunk, oldest
 * first — for the tenant of the service key. Reads only the store, never AI Core.
 */
import { tenantNamespace } from '../lib/aicore/tenant.js';
import type { LedgerChunk } from '../lib/store/records.js';
import { EXIT, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { serviceKeyFor } from './service-key.js';
import { openState } from './state.js';

interface LedgerRow {
  group: string;
  type: LedgerChunk['type'];
  id: string;
  targetStatus: string;
  state: string;
  attempt: number;
  sentAt: string;
  updatedAt: string;
  runId: string;
  chunkId: string;
  message: string | null;
}

function rowsOf(chunks: readonly LedgerChunk[], id: string | undefined): LedgerRow[] {
  return chunks.flatMap((chunk) =>
    chunk.items
      .filter((item) => id === undefined || item.id === id)
      .map((item) => ({
        group: chunk.group,
        type: chunk.type,
        id: item.id,
        targetStatus: item.targetStatus,
        state: item.state,
        attempt: item.attempt,
        sentAt: item.sentAt,
        updatedAt: item.updatedAt,
        runId: chunk.runId,
        chunkId: chunk.chunkId,
        message: item.message,
      })),
  );
}

function render(rows: readonly LedgerRow[]): string {
  if (rows.length === 0) return 'The ledger has no entries for this selection.';
  const head = ['GROUP', 'TYPE', 'ID', 'TARGET', 'STATE', 'TRY', 'SENT', 'RUN', 'MESSAGE'];
  const cells = rows.map((r) => [
    r.group,
    r.type,
    r.id,
    r.targetStatus,
    r.state,
    String(r.attempt),
    r.sentAt,
    r.runId.slice(0, 8),
    r.message ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (i === head.length - 1 ? 0 : (c[i] ?? '').length))));
  const line = (c: readonly string[]): string => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('  ');
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
  return [line(head), ...cells.map(line), '', `${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}: ${summary}`].join('\n');
}

async function ledgerCommand(args: CliArgs, io: CliIo): Promise<number> {
  const key = await serviceKeyFor(args);
  const state = await openState(args.table, tenantNamespace(key), { command: 'ledger', onWait: (message) => io.err(message) });
  try {
    const groups = args.groups.length === 0 ? [undefined] : args.groups;
    const chunks = (await Promise.all(groups.map((g) => state.store.ledger(g)))).flat();
    const rows = rowsOf(chunks, args.id);
    io.out(args.json ? JSON.stringify({ version: 1, entries: rows }, null, 2) : render(rows));
  } finally {
    await state.close();
  }
  return EXIT.ok;
}

export { ledgerCommand };
