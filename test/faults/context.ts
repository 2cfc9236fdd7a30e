/**
 * What a matrix row works with: the local stack (simulator + dynalite on loopback) on a clock the
 * row moves, a policy with protection and rules that leave some items alone, janitor runs, the CLI,
 * and capture of everything printed or logged. `result()` hands the common assertions one
 * RowResult; `dispose()` stops what the row started. Free of vitest, so the reliability script can
 * read the rows' definitions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiCoreClient, type ClientConfig } from '../../lib/aicore/client.js';
import { createHttpFetch, type FetchInit, type FetchResponse, type HttpFetch } from '../../lib/aicore/http-fetch.js';
import { Transport, type TransportConfig } from '../../lib/aicore/transport.js';
import { main } from '../../cli/main.js';
import type { Policy } from '../../lib/policy/index.js';
import { FINISHED_AND_STALE_RULES, parseTestPolicy } from '../helpers/test-policies.js';
import { runGuarded, type GuardedResult, type GuardOptions } from '../../lib/run/guarded-run.js';
import type { RunConfig } from '../../lib/run/run.js';
import type { RunReport } from '../../lib/run/report.js';
import { createStore } from '../../lib/store/factory.js';
import type { JanitorStore } from '../../lib/store/ports.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import type { SimulatorFleet, SimulatorOptions } from '../../infra/local/simulator/index.js';
import { capturedIo } from '../helpers/captured-io.js';
import { deployment, execution, fleetOf, many } from '../helpers/fleet.js';
import { observe, type Observer } from './observe.js';

const MINUTE = 60_000;
const NAMESPACE = 'T#faults@127.0.0.1';

/** Mode apply, with protection and items no rule matches: touching any of those is a violation. */
const POLICY_YAML = `
version: 1
mode: apply
caps: { maxActionsPerRun: 100000, maxActionsPerGroup: 100000, maxActionsPerDay: 500000, maxPercentOfGroup: 100 }
protect:
  ids: [prot-run-0001, prot-done-0001]
  scenarios: ['prod-*']
rules:
${FINISHED_AND_STALE_RULES}  - id: dead-deployments
    resource: deployments
    match: { status: [STOPPED, DEAD] }
    action: delete
`;

/** Ids a row may touch: the policy selects exactly these. Everything else must stay untouched. */
const TARGET = /^(stop|dele)-/;

/**
 * One group of targets (stop-…, dele-…) among protected (prot-…) and unmatched (keep-…) items.
 * `n` of each target kind per group.
 */
function mixedFleet(n = 5, groups: readonly string[] = ['g1']): SimulatorFleet {
  return fleetOf(
    Object.fromEntries(
      groups.map((g, gi) => [
        g,
        {
          executions: [
            ...many(n, `stop-${gi}-`, (id) => execution(id, 'RUNNING')),
            ...many(n, `dele-${gi}-`, (id) => execution(id, 'COMPLETED')),
            ...(gi === 0 ? [execution('prot-run-0001', 'RUNNING'), execution('prot-done-0001', 'COMPLETED')] : []),
            execution(`prot-sc-${gi}-01`, 'COMPLETED', { scenarioId: 'prod-train' }),
            execution(`keep-pend-${gi}`, 'PENDING'),
            execution(`keep-dead-${gi}`, 'DEAD'),
          ],
          deployments: [
            ...many(Math.max(1, Math.floor(n / 2)), `dele-d${gi}-`, (id) => deployment(id, 'STOPPED')),
            deployment(`keep-dep-${gi}`, 'RUNNING'),
            deployment(`prot-dep-${gi}`, 'STOPPED', { scenarioId: 'prod-serve' }),
          ],
        },
      ]),
    ),
  );
}

/** AI Core acts 10 min after its 202; until then items look untouched (only the ledger prevents a re-send). */
const BUSY: SimulatorOptions = { acceptDelayMs: 10 * MINUTE, stopDelayMs: 30 * MINUTE, deleteDelayMs: 30 * MINUTE };

interface CliCall {
  argv: string[];
  code: number;
  stdout: string;
  stderr: string;
  /** The row gave a wrong input on purpose: exit 2 with a clear message is required. */
  mistake: boolean;
}

interface RowResult {
  /** Every janitor run of the row that got as far as a report, in order. */
  reports: RunReport[];
  /** Ledger entries still open after the row's last run (0: every sent item was settled). */
  openLedgerItems: number;
  cli: CliCall[];
  /** Everything else printed, logged or answered during the row (HTTP bodies, error messages). */
  output: string[];
  observer: Observer;
  secrets: string[];
  isTarget: (id: string) => boolean;
}

type Tamper = (url: string, init: FetchInit, next: HttpFetch) => Promise<FetchResponse>;

interface ClientOptions {
  tamper?: Tamper;
  transport?: Partial<TransportConfig>;
  config?: Partial<ClientConfig>;
}

interface JanitorOptions {
  store?: JanitorStore;
  client?: AiCoreClient;
  triggerId?: string;
  runId?: string;
  deadline?: Date;
  clock?: () => Date;
  lease?: Partial<GuardOptions>;
  config?: Partial<RunConfig>;
  confirmAttempts?: number;
}

/** A FetchResponse with another body (and optionally status/headers). */
function replaced(response: FetchResponse, text: string, extra: { status?: number; headers?: Record<string, string> } = {}): FetchResponse {
  return {
    status: extra.status ?? response.status,
    headers: { get: (name: string) => extra.headers?.[name.toLowerCase()] ?? response.headers.get(name) },
    text: () => Promise.resolve(text),
  };
}

class RowContext {
  readonly clock = {
    ms: Date.now(),
    now: (): number => this.clock.ms,
    date: (): Date => new Date(this.clock.ms),
    advance: (ms: number): void => {
      this.clock.ms += ms;
    },
  };
  readonly observer: Observer = observe();
  readonly reports: RunReport[] = [];
  readonly results: GuardedResult[] = [];
  readonly cliCalls: CliCall[] = [];
  readonly output: string[] = [];
  readonly secrets: string[] = [];
  /** Every URL a client made by this context asked for. */
  readonly urls: string[] = [];
  /** Waits the transports of this context were asked to take (ms). */
  readonly waits: number[] = [];
  isTarget: (id: string) => boolean = (id) => TARGET.test(id);
  readonly policy: Policy;
  private stackValue: LocalStack | undefined;
  private storeValue: JanitorStore | undefined;
  private readonly cleanups: Array<() => Promise<void> | void> = [];
  private runs = 0;
  private capturing = false;
  private readonly groups = new Set<string>();

  constructor() {
    this.policy = parseTestPolicy(POLICY_YAML, 'faults-policy.yaml');
  }

  get stack(): LocalStack {
    if (this.stackValue === undefined) throw new Error('call start() first');
    return this.stackValue;
  }

  get store(): JanitorStore {
    if (this.storeValue === undefined) throw new Error('call start() first');
    return this.storeValue;
  }

  async start(fleet: SimulatorFleet = mixedFleet(), options: SimulatorOptions = BUSY): Promise<LocalStack> {
    const stack = await startLocalStack({ simulator: { ...options, fleet, now: this.clock.now } });
    this.stackValue = stack;
    this.onDispose(() => stack.stop());
    this.secrets.push(stack.simulator.serviceKey.clientsecret);
    for (const g of fleet.resourceGroups) this.groups.add(g.resourceGroupId);
    this.storeValue = createStore({ table: stack.table, region: 'us-east-1', endpoint: stack.dynamo.endpoint }, NAMESPACE);
    return stack;
  }

  /**
   * Keeps what the process writes to stdout/stderr (the functions' Powertools log lines among it)
   * as output instead of printing it, with logging on at info; restored on dispose.
   */
  captureStdio(): void {
    if (this.capturing) return;
    this.capturing = true;
    const saved = { out: process.stdout.write, err: process.stderr.write, level: process.env.LOG_LEVEL };
    const keep = (chunk: unknown): boolean => {
      this.output.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      return true;
    };
    process.stdout.write = keep as typeof process.stdout.write;
    process.stderr.write = keep as typeof process.stderr.write;
    process.env.LOG_LEVEL = 'info';
    this.onDispose(() => {
      process.stdout.write = saved.out;
      process.stderr.write = saved.err;
      if (saved.level === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved.level;
    });
  }

  onDispose(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  /** A client with short timeouts and recorded (barely taken) waits; `tamper` sits between it and the wire. */
  client(options: ClientOptions = {}): AiCoreClient {
    const base = createHttpFetch();
    const fetch: HttpFetch = (url, init) => {
      this.urls.push(url);
      return options.tamper === undefined ? base(url, init) : options.tamper(url, init, base);
    };
    const transport = new Transport({
      requestTimeoutMs: 300,
      baseDelayMs: 1,
      fetch,
      sleep: (ms) => {
        this.waits.push(ms);
        return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
      },
      ...options.transport,
    });
    return new AiCoreClient(this.stack.simulator.serviceKey, {
      transport,
      ...(options.config === undefined ? {} : { config: options.config }),
    });
  }

  /** One guarded janitor run (apply consent) on the row's clock; its report is kept. */
  async janitor(options: JanitorOptions = {}): Promise<GuardedResult> {
    this.runs += 1;
    const result = await runGuarded(
      {
        client: options.client ?? this.client(),
        store: options.store ?? this.store,
        policy: this.policy,
        trigger: 'faults',
        consent: true,
        runId: options.runId ?? `run-${this.runs}`,
        confirm: { attempts: options.confirmAttempts ?? 1, delayMs: 0 },
        clock: options.clock ?? this.clock.date,
        deadline: options.deadline ?? new Date((options.clock ?? this.clock.date)().getTime() + 5 * MINUTE),
        ...options.config,
      },
      { triggerId: options.triggerId ?? `trigger-${this.runs}`, leasePeriodMs: MINUTE, ...options.lease },
    );
    this.keep(result);
    return result;
  }

  /** A run expected to fail as a whole: its error message is kept as output, and returned. */
  async failingJanitor(options: JanitorOptions = {}): Promise<string> {
    try {
      const result = await this.janitor(options);
      throw new Error(`expected the run to fail, got ${result.status}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message.startsWith('expected the run to fail')) throw error;
      this.output.push(message);
      return message;
    }
  }

  keep(result: GuardedResult): void {
    this.results.push(result);
    if (result.status === 'done') this.reports.push(result.report);
    this.output.push(JSON.stringify(result));
  }

  /**
   * Follow-up runs with no fault, past AI Core's accept delay and the 15-min resubmit guard, until
   * nothing is awaiting confirmation and the ledger holds nothing open (at most 3 runs).
   */
  async settle(options: JanitorOptions = {}): Promise<RunReport> {
    let last: RunReport | undefined;
    for (let i = 0; i < 3; i += 1) {
      this.clock.advance(16 * MINUTE);
      const result = await this.janitor(options);
      if (result.status !== 'done') throw new Error(`settling run was ${result.status}`);
      last = result.report;
      if (last.totals.awaitingConfirmation === 0 && (await this.openLedgerItems()) === 0) break;
    }
    if (last === undefined) throw new Error('no settling run');
    return last;
  }

  async openLedgerItems(): Promise<number> {
    if (this.storeValue === undefined) return 0;
    let open = 0;
    for (const group of this.groups)
      for (const chunk of await this.store.openChunks(group))
        open += chunk.items.filter((i) => i.state === 'submitting' || i.state === 'submitted').length;
    return open;
  }

  /** A scratch directory, removed on dispose. */
  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'janitor-faults-'));
    this.onDispose(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Writes `files` into a scratch directory and returns their paths. */
  files(files: Record<string, string>): Record<string, string> & { dir: string } {
    const dir = this.tempDir();
    const paths: Record<string, string> = {};
    for (const [name, text] of Object.entries(files)) {
      paths[name] = join(dir, name);
      writeFileSync(paths[name], text);
    }
    return { ...paths, dir };
  }

  /** The CLI in-process (`main(argv, io)`), in `cwd` when given; env overrides for the call. */
  async cli(argv: string[], options: { mistake?: boolean; cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliCall> {
    const io = capturedIo();
    const savedCwd = process.cwd();
    const savedEnv: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(options.env ?? {})) {
      savedEnv[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (options.cwd !== undefined) process.chdir(options.cwd);
    let code: number;
    try {
      code = await main(argv, io);
    } finally {
      if (options.cwd !== undefined) process.chdir(savedCwd);
      for (const [k, v] of Object.entries(savedEnv)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const call = { argv, code, stdout: io.stdout(), stderr: io.stderr(), mistake: options.mistake ?? false };
    this.cliCalls.push(call);
    return call;
  }

  async result(): Promise<RowResult> {
    return {
      reports: this.reports,
      openLedgerItems: await this.openLedgerItems(),
      cli: this.cliCalls,
      output: this.output,
      observer: this.observer,
      secrets: [...this.secrets, ...this.observer.tokens],
      isTarget: this.isTarget,
    };
  }

  async dispose(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // best effort: the next cleanup still runs
      }
    }
  }
}

/** The reply body of an HTTP result, kept as output (so secrets and stack traces in it are caught). */
function bodyOf(result: { statusCode: number; body: string }): string {
  return `${result.statusCode} ${result.body}`;
}

export { RowContext, mixedFleet, replaced, bodyOf, BUSY, MINUTE, NAMESPACE, POLICY_YAML, TARGET };
export type { RowResult, CliCall, Tamper, JanitorOptions };
