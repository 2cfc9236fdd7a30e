/**
 * The one command table: the usage text, per-command help, flag checking and the bash/zsh
 * completion scripts are all generated from it, so they cannot drift apart.
 */

const COMMANDS = [
  'init',
  'plan',
  'apply',
  'ledger',
  'validate',
  'explain',
  'snooze',
  'snapshot',
  'demo',
  'simulator',
  'unlock',
  'completion',
  'help',
] as const;
type Command = (typeof COMMANDS)[number];

const OPTIONS = [
  'policy',
  'service-key',
  'group',
  'json',
  'all',
  'yes',
  'apply',
  'deadline',
  'id',
  'table',
  'out',
  'port',
  'fleet',
  'generate',
  'seed',
  'faults',
  'no-bulk',
  'tenants',
  'help',
] as const;
type OptionName = (typeof OPTIONS)[number];

interface CommandSpec {
  /** What follows the command name in the usage line, e.g. `ID` or `[FILE]`. */
  synopsis: string;
  summary: string;
  /** Positional arguments: at most this many. */
  maxPositionals: number;
  /** Completion offers these words (or `file` completion) for the positional. */
  positional?: 'file' | readonly string[];
  options: readonly OptionName[];
}

interface OptionSpec {
  /** Placeholder for the value; absent for a switch. */
  value?: string;
  short?: string;
  /** One or more lines; later lines are indented under the first. */
  help: readonly string[];
  /** Completion for the value. */
  complete?: 'file' | 'dir' | readonly string[];
  multiple?: boolean;
}

const RUN = ['policy', 'service-key', 'group', 'tenants', 'json', 'all', 'deadline', 'table'] as const;

const COMMAND_TABLE: Record<Command, CommandSpec> = {
  init: {
    synopsis: '[FILE]',
    summary: 'write a commented starting policy in dry-run mode (default ./policy.yaml; never overwrites)',
    maxPositionals: 1,
    positional: 'file',
    options: [],
  },
  plan: {
    synopsis: '',
    summary: 'list every resource group and print what the policy would do (never acts)',
    maxPositionals: 0,
    options: RUN,
  },
  apply: {
    synopsis: '',
    summary: 'plan, show the plan, then act on it (needs mode: apply in the policy; asks first)',
    maxPositionals: 0,
    options: [...RUN, 'yes'],
  },
  ledger: {
    synopsis: '',
    summary: "show the ledger: every item's state per request chunk (--group, --id, --json)",
    maxPositionals: 0,
    options: ['service-key', 'group', 'id', 'json', 'table'],
  },
  validate: {
    synopsis: '[FILE]',
    summary: 'check a policy file (default ./policy.yaml) and print every problem at once',
    maxPositionals: 1,
    positional: 'file',
    options: ['json'],
  },
  explain: {
    synopsis: 'ID',
    summary: 'show how the policy judges one execution or deployment',
    maxPositionals: 1,
    options: ['policy', 'service-key', 'group', 'json', 'table'],
  },
  snooze: {
    synopsis: 'ID DURATION',
    summary: "postpone a noticed item's action (else protect it) for DURATION; a reason may follow: snooze d1 3d demo",
    maxPositionals: 40,
    options: ['service-key', 'json', 'table'],
  },
  snapshot: {
    synopsis: '--out FILE',
    summary: 'save the listed fleet (read-only) as JSON the simulator can load',
    maxPositionals: 0,
    options: ['out', 'service-key', 'group', 'json'],
  },
  demo: {
    synopsis: '[--apply]',
    summary: 'run the scheduled function against the built-in AI Core simulator',
    maxPositionals: 0,
    options: ['apply', 'policy', 'json', 'all'],
  },
  simulator: {
    synopsis: '',
    summary: 'run the AI Core simulator alone and print its URL and service key',
    maxPositionals: 0,
    options: ['port', 'fleet', 'generate', 'seed', 'faults', 'no-bulk'],
  },
  unlock: {
    synopsis: '',
    summary: 'release a run lock whose lease has ended or whose process is gone (asks first)',
    maxPositionals: 0,
    options: ['service-key', 'table', 'yes'],
  },
  completion: {
    synopsis: 'SHELL',
    summary: 'print a bash or zsh completion script, e.g. source <(aicore-janitor completion bash)',
    maxPositionals: 1,
    positional: ['bash', 'zsh'],
    options: [],
  },
  help: {
    synopsis: '[COMMAND]',
    summary: "show this text, or one command's options",
    maxPositionals: 1,
    positional: COMMANDS,
    options: [],
  },
};

const OPTION_TABLE: Record<OptionName, OptionSpec> = {
  policy: { value: 'FILE', help: ['policy file (YAML or JSON; default ./policy.yaml)'], complete: 'file' },
  'service-key': { value: 'FILE', help: ['SAP AI Core service key JSON (default: $AICORE_SERVICE_KEY)'], complete: 'file' },
  group: { value: 'NAME', multiple: true, help: ['only this resource group (repeatable; default: every group)'] },
  tenants: {
    value: 'FILE',
    help: [
      'plan/apply: every tenant of this tenants file, each with its serviceKeyFile',
      '(instead of --service-key and --group; README "Many tenants")',
    ],
    complete: 'file',
  },
  json: { help: ['print one versioned JSON document on stdout (errors too) and no progress'] },
  all: { help: ['plan/apply/demo: list every row, also items no rule matched (big plans are summarised)'] },
  yes: { short: 'y', help: ['apply or unlock without asking'] },
  apply: { help: ['demo: apply the plan to the simulator'] },
  deadline: {
    value: 'DURATION',
    help: [
      'plan/apply: start no request after this long (default 30m; e.g. 90s, 10m, 2h);',
      'what it cuts off is reported not-attempted and left for the next run',
    ],
  },
  id: { value: 'ID', help: ['ledger: only this execution or deployment id'] },
  table: { value: 'NAME', help: ['keep state in this DynamoDB table (or $JANITOR_TABLE; default: local state in ./.aicore-janitor/)'] },
  out: { value: 'FILE', help: ['snapshot: where to write the fleet JSON (its directory must exist)'], complete: 'file' },
  port: { value: 'N', help: ['simulator: listen on this port (default: a free one)'] },
  fleet: { value: 'FILE', help: ['simulator: serve this snapshot (from snapshot --out) instead of the demo fleet'], complete: 'file' },
  generate: { value: 'N', help: ['simulator: serve a generated fleet of N items (with --seed S, default 1)'] },
  seed: { value: 'S', help: ['simulator: seed for --generate and probabilistic faults'] },
  faults: { value: 'FILE', help: ['simulator: inject faults from this JSON file (latency, 429s, 5xx, …)'], complete: 'file' },
  'no-bulk': { help: ['simulator: report bulkUpdates false (clients fall back to single calls)'] },
  help: { short: 'h', help: ['show the options of a command'] },
};

const WIDTH = 21;

function optionLabel(name: OptionName): string {
  const spec = OPTION_TABLE[name];
  return spec.value === undefined ? `--${name}` : `--${name} ${spec.value}`;
}

function optionLines(names: readonly OptionName[]): string[] {
  return names.flatMap((name) => {
    const [first = '', ...rest] = OPTION_TABLE[name].help;
    return [`  ${optionLabel(name).padEnd(WIDTH)}${first}`, ...rest.map((line) => `  ${' '.repeat(WIDTH)}${line}`)];
  });
}

function commandLabel(command: Command): string {
  const { synopsis } = COMMAND_TABLE[command];
  return synopsis === '' ? command : `${command} ${synopsis}`;
}

const EXIT_TEXT = `Exit codes: 0 done, 1 runtime failure (also: a group could not be listed, an action failed or was
not attempted), 2 invalid input, 3 aborted by a safety cap, 130 interrupted (Ctrl-C at a prompt).`;

/** The full usage text (`aicore-janitor help`). */
function usage(): string {
  const commands = COMMANDS.map((c) => `  ${commandLabel(c).padEnd(WIDTH)}${COMMAND_TABLE[c].summary}`);
  const options = OPTIONS.filter((o) => o !== 'help');
  return [
    'Usage: aicore-janitor <command> [options]',
    '',
    'Commands:',
    ...commands,
    '',
    'Options:',
    ...optionLines(options),
    '',
    EXIT_TEXT,
  ].join('\n');
}

/** One command's help (`aicore-janitor help plan`, `aicore-janitor plan --help`). */
function commandUsage(command: Command): string {
  const spec = COMMAND_TABLE[command];
  const options = spec.options.length === 0 ? [] : ['', 'Options:', ...optionLines(spec.options)];
  const line = `Usage: aicore-janitor ${commandLabel(command)}${spec.options.length === 0 ? '' : ' [options]'}`;
  return [line, '', spec.summary, ...options].join('\n');
}

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}

function isOption(value: string): value is OptionName {
  return (OPTIONS as readonly string[]).includes(value);
}

export { COMMANDS, OPTIONS, COMMAND_TABLE, OPTION_TABLE, usage, commandUsage, commandLabel, optionLabel, isCommand, isOption };
export type { Command, OptionName, CommandSpec, OptionSpec };
