/**
 * The CLI contract: commands and options that later features extend but never change.
 * Exit codes: 0 done (also "nothing to do"), 1 runtime failure, 2 invalid input, 3 aborted by a cap.
 */
import { parseArgs } from 'node:util';
import { durationSeconds } from '../policy/duration.js';

const DEFAULT_POLICY_FILE = 'policy.yaml';

const EXIT = { ok: 0, failure: 1, invalidInput: 2, capAborted: 3 } as const;

const COMMANDS = ['plan', 'apply', 'ledger', 'validate', 'explain', 'snapshot', 'demo', 'simulator', 'unlock', 'help'] as const;

/** How long a CLI run may send requests unless --deadline says otherwise. */
const DEFAULT_DEADLINE_SECONDS = 30 * 60;
type Command = (typeof COMMANDS)[number];

interface CliArgs {
  command: Command;
  positionals: string[];
  policy: string | undefined;
  serviceKey: string | undefined;
  groups: string[];
  json: boolean;
  yes: boolean;
  apply: boolean;
  table: string | undefined;
  out: string | undefined;
  port: number | undefined;
  /** simulator: serve this snapshot file instead of the demo fleet. */
  fleet?: string;
  /** simulator: serve a generated fleet of this many items. */
  generate?: number;
  /** simulator: seed for --generate and for probabilistic faults. */
  seed?: number;
  /** simulator: fault-injection config (JSON FaultConfig). */
  faults?: string;
  /** simulator: meta reports bulkUpdates false, so clients must use single PATCH/DELETE. */
  noBulk: boolean;
  /** plan/apply: seconds after which no request starts (what is left is reported not-attempted). */
  deadlineSeconds: number;
  /** ledger: only entries of this item id. */
  id: string | undefined;
}

/** The command line itself is wrong: the message is followed by the usage text. */
class UsageError extends Error {
  override name = 'UsageError';
}

/** The command line is fine but the request cannot be honoured as asked (exit 2, no usage text). */
class InputError extends Error {
  override name = 'InputError';
}

const USAGE = `Usage: aicore-janitor <command> [options]

Commands:
  plan                 list every resource group and print what the policy would do (never acts)
  apply                plan, then act on it (needs mode: apply in the policy; asks first on a terminal)
  ledger               show the ledger: every item's state per request chunk (--group, --id, --json)
  validate FILE        check a policy file and print every problem at once
  explain ID           show how the policy judges one execution or deployment
  snapshot --out FILE  save the listed fleet (read-only) as JSON the simulator can load
  demo [--apply]       run the scheduled function against the built-in AI Core simulator
  simulator            run the AI Core simulator alone and print its URL and service key
  unlock               release a run lock whose lease has ended or whose process is gone (asks first)
  help                 show this text

Options:
  --policy FILE        policy file (YAML or JSON; default ./policy.yaml)
  --service-key FILE   SAP AI Core service key JSON (default: $AICORE_SERVICE_KEY)
  --group NAME         only this resource group (repeatable; default: every group)
  --json               print the versioned JSON report instead of a table
  --yes                apply or unlock without asking
  --deadline DURATION  plan/apply: start no request after this long (default 30m; e.g. 90s, 10m, 2h);
                       what it cuts off is reported not-attempted and left for the next run
  --id ID              ledger: only this execution or deployment id
  --table NAME         keep state in this DynamoDB table (or $JANITOR_TABLE; default: local state in ./.aicore-janitor/)
  --out FILE           snapshot: where to write the fleet JSON
  --port N             simulator: listen on this port (default: a free one)
  --fleet FILE         simulator: serve this snapshot (from snapshot --out) instead of the demo fleet
  --generate N         simulator: serve a generated fleet of N items (with --seed S, default 1)
  --seed S             simulator: seed for --generate and probabilistic faults
  --faults FILE        simulator: inject faults from this JSON file (latency, 429s, 5xx, …)
  --no-bulk            simulator: report bulkUpdates false (clients fall back to single calls)

Exit codes: 0 done, 1 runtime failure (also: a group could not be listed, an action failed or was
not attempted), 2 invalid input, 3 aborted by a safety cap.`;

function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        policy: { type: 'string' },
        'service-key': { type: 'string' },
        group: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        apply: { type: 'boolean' },
        table: { type: 'string' },
        out: { type: 'string' },
        port: { type: 'string' },
        fleet: { type: 'string' },
        generate: { type: 'string' },
        seed: { type: 'string' },
        faults: { type: 'string' },
        'no-bulk': { type: 'boolean' },
        deadline: { type: 'string' },
        id: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  const command = values.help === true ? 'help' : (first ?? 'help');
  if (!isCommand(command)) throw new UsageError(`unknown command '${command}'`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) throw new UsageError(`--port must be 0..65535, got '${values.port ?? ''}'`);
  const generate = values.generate === undefined ? undefined : Number(values.generate);
  if (generate !== undefined && (!Number.isInteger(generate) || generate < 0 || generate > 1_000_000)) throw new UsageError(`--generate must be 0..1000000, got '${values.generate ?? ''}'`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got '${values.seed ?? ''}'`);
  const deadlineSeconds = values.deadline === undefined ? DEFAULT_DEADLINE_SECONDS : deadlineOf(values.deadline);
  return {
    command,
    positionals: rest,
    policy: values.policy,
    serviceKey: values['service-key'],
    groups: values.group ?? [],
    json: values.json ?? false,
    yes: values.yes ?? false,
    apply: values.apply ?? false,
    table: values.table,
    out: values.out,
    port,
    fleet: values.fleet,
    generate,
    seed,
    faults: values.faults,
    noBulk: values['no-bulk'] ?? false,
    deadlineSeconds,
    id: values.id,
  };
}

/** `90s`, or a policy duration (`10m`, `2h`, `1d`). */
function deadlineOf(text: string): number {
  const seconds = /^\d+s$/.test(text) ? Number(text.slice(0, -1)) : durationSeconds(text);
  if (seconds === null || seconds <= 0) throw new UsageError(`--deadline must be a duration such as 90s, 10m or 2h, got '${text}'`);
  return seconds;
}

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}

export { DEFAULT_POLICY_FILE, DEFAULT_DEADLINE_SECONDS, EXIT, USAGE, UsageError, InputError, parseCli };
export type { CliArgs, Command };
