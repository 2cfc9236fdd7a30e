/**
 * The CLI contract: commands and options that later features extend but never change. The
 * commands, their options and the usage text come from one table (commands.ts).
 * Exit codes: 0 done (also "nothing to do"), 1 runtime failure, 2 invalid input, 3 aborted by a
 * cap, 130 interrupted at a prompt (Ctrl-C).
 */
import { parseArgs } from 'node:util';
import { durationSeconds } from '../lib/policy/duration.js';
import { didYouMean } from '../lib/policy/suggest.js';
import { COMMAND_TABLE, COMMANDS, OPTION_TABLE, OPTIONS, isCommand, isOption, usage, type Command, type OptionName } from './commands.js';
import { CliError } from './errors.js';

const DEFAULT_POLICY_FILE = './policy.yaml';

const EXIT = { ok: 0, failure: 1, invalidInput: 2, capAborted: 3, interrupted: 130 } as const;

/** How long a CLI run may send requests unless --deadline says otherwise. */
const DEFAULT_DEADLINE_SECONDS = 30 * 60;

interface CliArgs {
  command: Command;
  /** `help plan`, `plan --help`: the command whose help to show. */
  helpFor?: Command | undefined;
  positionals: string[];
  policy: string | undefined;
  serviceKey: string | undefined;
  groups: string[];
  /** plan/apply `--tenants FILE`: every tenant of a tenants file. */
  tenants: string | undefined;
  json: boolean;
  /** plan/apply/demo: every row, also items no rule matched. */
  all: boolean;
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

/** The command line itself is wrong: a short message and where to find the usage (exit 2). */
class UsageError extends CliError {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose help the message points to, when known. */
    readonly command?: Command,
  ) {
    super(message);
  }
}

/** The command line is fine but the request cannot be honoured as asked (exit 2, no usage text). */
class InputError extends CliError {
  override name = 'InputError';
}

/** The full usage text, generated from the command table. */
const USAGE = usage();

type Values = Partial<Record<OptionName, string | boolean | string[]>>;

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Every option of every command, so the tokenizer knows which flags take a value. */
const PARSE_OPTIONS: ParseOptions = Object.fromEntries(
  OPTIONS.map((name) => {
    const spec = OPTION_TABLE[name];
    return [
      name,
      {
        type: spec.value === undefined ? 'boolean' : 'string',
        ...(spec.short === undefined ? {} : { short: spec.short }),
        ...(spec.multiple === true ? { multiple: true } : {}),
      },
    ];
  }),
);

function tokensOf(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: false, tokens: true, options: PARSE_OPTIONS }).tokens;
}

/** Walks the tokens: unknown flags (with a suggestion), missing values, and flags another command owns. */
function checkedValues(argv: readonly string[], command: Command): { values: Values; positionals: string[] } {
  const values: Values = {};
  const positionals: string[] = [];
  const allowed: readonly OptionName[] = [...COMMAND_TABLE[command].options, 'help'];
  for (const token of tokensOf(argv)) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const name = token.name;
    if (!isOption(name)) {
      const suggestion =
        didYouMean(
          token.rawName,
          allowed.map((o) => `--${o}`),
        ) ??
        didYouMean(
          token.rawName,
          OPTIONS.map((o) => `--${o}`),
        );
      throw new UsageError(`unknown flag ${token.rawName}${suggestion === null ? '' : `; did you mean ${suggestion}?`}`, command);
    }
    const spec = OPTION_TABLE[name];
    if (spec.value === undefined && token.value !== undefined) throw new UsageError(`flag --${name} takes no value`, command);
    if (
      spec.value !== undefined &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1))
    ) {
      throw new UsageError(`flag --${name} needs a value: --${name} ${spec.value}`, command);
    }
    if (!allowed.includes(name)) {
      const owners = COMMANDS.filter((c) => COMMAND_TABLE[c].options.includes(name));
      throw new UsageError(
        `flag --${name} does not apply to ${command}${owners.length === 0 ? '' : ` (it is for: ${owners.join(', ')})`}`,
        command,
      );
    }
    const value = token.value ?? '';
    if (spec.value === undefined) values[name] = true;
    else if (spec.multiple === true) values[name] = [...(Array.isArray(values[name]) ? values[name] : []), value];
    else values[name] = value;
  }
  return { values, positionals };
}

function parseCli(argv: readonly string[]): CliArgs {
  // The command is the first word that is not a flag or a flag's value.
  const tokens = tokensOf(argv);
  const first = tokens.find((t) => t.kind === 'positional')?.value;
  if (first !== undefined && !isCommand(first)) {
    const suggestion = didYouMean(first, COMMANDS);
    throw new UsageError(`unknown command '${first}'${suggestion === null ? '' : `; did you mean '${suggestion}'?`}`);
  }
  if (first === undefined) {
    const asked = tokens.some((t) => t.kind === 'option' && t.name === 'help');
    if (!asked && tokens.length > 0) throw new UsageError('no command given');
    return defaults('help');
  }
  const command: Command = first;
  const { values, positionals: all } = checkedValues(argv, command);
  const rest = all.slice(1);
  if (values.help === true) return { ...defaults('help'), helpFor: command === 'help' ? undefined : command };
  const spec = COMMAND_TABLE[command];
  if (rest.length > spec.maxPositionals)
    throw new UsageError(`unexpected argument '${rest[spec.maxPositionals] ?? ''}' for ${command}`, command);
  if (command === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !isCommand(topic)) throw new UsageError(`no help for '${topic}': not a command`);
    return { ...defaults('help'), helpFor: topic };
  }
  const str = (name: OptionName): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const flag = (name: OptionName): boolean => values[name] === true;
  const portText = str('port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535))
    throw new UsageError(`--port must be 0..65535, got '${portText ?? ''}'`, command);
  const generateText = str('generate');
  const generate = generateText === undefined ? undefined : Number(generateText);
  if (generate !== undefined && (!Number.isInteger(generate) || generate < 0 || generate > 1_000_000))
    throw new UsageError(`--generate must be 0..1000000, got '${generateText ?? ''}'`, command);
  const seedText = str('seed');
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && !Number.isSafeInteger(seed))
    throw new UsageError(`--seed must be an integer, got '${seedText ?? ''}'`, command);
  const deadlineText = str('deadline');
  const deadlineSeconds = deadlineText === undefined ? DEFAULT_DEADLINE_SECONDS : deadlineOf(deadlineText, command);
  const fleet = str('fleet');
  const faults = str('faults');
  return {
    command,
    positionals: rest,
    policy: str('policy'),
    serviceKey: str('service-key'),
    groups: Array.isArray(values.group) ? values.group : [],
    tenants: str('tenants'),
    json: flag('json'),
    all: flag('all'),
    yes: flag('yes'),
    apply: flag('apply'),
    table: str('table'),
    out: str('out'),
    port,
    ...(fleet === undefined ? {} : { fleet }),
    ...(generate === undefined ? {} : { generate }),
    ...(seed === undefined ? {} : { seed }),
    ...(faults === undefined ? {} : { faults }),
    noBulk: flag('no-bulk'),
    deadlineSeconds,
    id: str('id'),
  };
}

function defaults(command: Command): CliArgs {
  return {
    command,
    positionals: [],
    policy: undefined,
    serviceKey: undefined,
    groups: [],
    tenants: undefined,
    json: false,
    all: false,
    yes: false,
    apply: false,
    table: undefined,
    out: undefined,
    port: undefined,
    noBulk: false,
    deadlineSeconds: DEFAULT_DEADLINE_SECONDS,
    id: undefined,
  };
}

/** `90s`, or a policy duration (`10m`, `2h`, `1d`). */
function deadlineOf(text: string, command: Command): number {
  const seconds = /^\d+s$/.test(text) ? Number(text.slice(0, -1)) : durationSeconds(text);
  if (seconds === null || seconds <= 0)
    throw new UsageError(`--deadline must be a duration such as 90s, 10m or 2h, got '${text}'`, command);
  return seconds;
}

export { DEFAULT_POLICY_FILE, DEFAULT_DEADLINE_SECONDS, EXIT, USAGE, UsageError, InputError, parseCli };
export type { CliArgs, Command };
