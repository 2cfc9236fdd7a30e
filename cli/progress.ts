/**
 * Progress on stderr while a run lists, plans, applies and confirms: a redrawn bar on a terminal,
 * plain lines otherwise (a log file or CI), nothing with --json. Fed by the run's progress messages
 * and by the ledger writes of the store (sent and confirmed items), so lib/run needs no hooks.
 */
import type { LedgerChunk } from '../lib/store/records.js';
import type { JanitorStore } from '../lib/store/ports.js';
import type { CliIo } from './io.js';

type Mode = 'bar' | 'lines' | 'off';
type Phase = 'listing' | 'planning' | 'applying';

const BAR_WIDTH = 24;
const REDRAW_MS = 80;
const LINE_EVERY_MS = 2000;
const SENT_STATES: ReadonlySet<LedgerChunk['items'][number]['state']> = new Set([
  'submitted',
  'unknown',
  'failed',
  'not-attempted',
  'confirmed',
]);

const number = (n: number): string => n.toLocaleString('en-US');

class Progress {
  private phase: Phase | null = null;
  private groupsTotal = 0;
  private groupsDone = 0;
  private items = 0;
  private actions = 0;
  private sent = 0;
  private confirmed = 0;
  private readonly seen = new Map<string, string>();
  private drawn = false;
  private lastDraw = 0;
  private lastLine = 0;

  constructor(
    private readonly io: CliIo,
    readonly mode: Mode,
    private readonly now: () => number = Date.now,
  ) {}

  /** `off` with --json; a bar when stderr is a terminal; lines otherwise. */
  static for(io: CliIo, json: boolean): Progress {
    return new Progress(io, json ? 'off' : io.statusLine === true && io.status !== undefined ? 'bar' : 'lines');
  }

  /** A progress message of the run (lib/run/list-fleet.ts, run.ts). */
  message(text: string): void {
    const listing = /^listing (\d+) resource group/.exec(text);
    if (listing !== null) {
      this.phase = 'listing';
      this.groupsTotal = Number(listing[1]);
      this.groupsDone = 0;
      this.items = 0;
      this.show(text, true);
      return;
    }
    const group = /^ {2}\S+: (\d+) item\(s\)/.exec(text);
    if (group !== null && this.phase === 'listing') {
      this.groupsDone += 1;
      this.items += Number(group[1]);
      // A group that failed to list is worth a line of its own even on a terminal.
      this.show(text, true, text.includes('listing failed'));
      if (this.groupsDone >= this.groupsTotal) {
        this.phase = 'planning';
        this.show(`planning ${number(this.items)} item(s)`, true);
      }
      return;
    }
    const applying = /^applying (\d+) action/.exec(text);
    if (applying !== null) {
      this.phase = 'applying';
      this.actions = Number(applying[1]);
      this.show(text, true);
      return;
    }
    this.note(text);
  }

  /** A line that is not progress (a warning, the state in use): always printed, except with --json. */
  note(text: string): void {
    if (this.mode === 'off') return;
    this.clear();
    this.io.err(text);
  }

  /** Removes the bar before anything else is written (a table, a question). */
  clear(): void {
    if (this.drawn && this.io.status !== undefined) this.io.status('\r\x1b[2K');
    this.drawn = false;
  }

  /** The store, counting this run's ledger writes: items sent and confirmed. */
  watch<T extends JanitorStore>(store: T): T {
    const write = store.writeChunks.bind(store);
    const watched = async (changes: Parameters<JanitorStore['writeChunks']>[0]): Promise<void> => {
      await write(changes);
      for (const { next } of changes) for (const item of next.items) this.count(`${next.chunkId}/${item.id}`, item.state);
      if (this.phase === 'applying') this.show(this.applyingText(), false);
    };
    return new Proxy(store, {
      get(target, property, receiver): unknown {
        if (property === 'writeChunks') return watched;
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private count(key: string, state: string): void {
    const before = this.seen.get(key);
    if (before === state) return;
    this.seen.set(key, state);
    const wasSent = before !== undefined && SENT_STATES.has(before as never);
    if (!wasSent && SENT_STATES.has(state as never) && before !== undefined) this.sent += 1;
    if (state === 'confirmed') this.confirmed += 1;
  }

  private applyingText(): string {
    return `applying: ${number(Math.min(this.sent, this.actions))}/${number(this.actions)} sent, ${number(Math.min(this.confirmed, this.actions))} confirmed`;
  }

  private show(text: string, milestone: boolean, keep = false): void {
    if (this.mode === 'off') return;
    const now = this.now();
    if (this.mode === 'lines') {
      if (milestone || now - this.lastLine >= LINE_EVERY_MS) {
        this.lastLine = now;
        this.io.err(text);
      }
      return;
    }
    if (keep) {
      this.clear();
      this.io.err(text.trim());
    }
    if (!milestone && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.draw();
  }

  private draw(): void {
    if (this.io.status === undefined || this.phase === null) return;
    const [done, total, label] =
      this.phase === 'listing'
        ? [this.groupsDone, this.groupsTotal, `${this.groupsDone}/${this.groupsTotal} groups, ${number(this.items)} items`]
        : this.phase === 'planning'
          ? [1, 1, `${number(this.items)} items in ${this.groupsTotal} groups`]
          : [this.sent + this.confirmed, this.actions * 2, this.applyingText().replace(/^applying: /, '')];
    const filled = total === 0 ? BAR_WIDTH : Math.round((Math.min(done, total) / total) * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    this.io.status(`\r\x1b[2K${this.phase.padEnd(9)} ${bar} ${label}`);
    this.drawn = true;
  }
}

export { Progress };
export type { Mode as ProgressMode };
