/**
 * The chat commands (`/janitor plan`, `apply <hash>`, `status`, `snooze <id> <duration>`, `help`)
 * as one zod union: the webhook parses the text into it, the worker re-validates it from its event.
 * Anything the parser does not understand becomes `help` with a note, never an error: a typo in
 * chat deserves the usage text, not a failure.
 */
import * as z from 'zod';
import { DURATION_HINT, DURATION_PATTERN } from '../policy/duration.js';
import { clip } from '../util/text.js';

/** A plan hash or an unambiguous prefix of one (digests show 12 characters). */
const HASH_PATTERN = /^[0-9a-f]{8,64}$/;

const PlanCommand = z.strictObject({ name: z.literal('plan') });
const ApplyCommand = z.strictObject({ name: z.literal('apply'), hash: z.string().regex(HASH_PATTERN) });
const StatusCommand = z.strictObject({ name: z.literal('status') });
const SnoozeCommand = z.strictObject({
  name: z.literal('snooze'),
  id: z.string().min(1).max(256),
  duration: z.string().regex(DURATION_PATTERN),
  reason: z.string().max(500).optional(),
});
const HelpCommand = z.strictObject({ name: z.literal('help'), note: z.string().max(500).optional() });

const Command = z.discriminatedUnion('name', [PlanCommand, ApplyCommand, StatusCommand, SnoozeCommand, HelpCommand]);
type Command = z.infer<typeof Command>;

const USAGE: ReadonlyArray<readonly [string, string]> = [
  ['plan', 'dry run: show what the policy would stop or delete, with the plan hash'],
  ['apply <hash>', 'act on a plan that was shown here, if it is still exactly that plan'],
  ['status', 'the last runs from the ledger'],
  ['snooze <id> <duration> [reason]', 'leave an execution or deployment alone for a while, e.g. `snooze e1234 3d demo on Monday`'],
  ['help', 'this text'],
];

function help(note?: string): Command {
  return note === undefined ? { name: 'help' } : { name: 'help', note };
}

/**
 * The text after the slash command (or a button's value) → a command.
 *
 * @example
 * parseCommandText('apply 3f2a9c1b7d0e'); // { name: 'apply', hash: '3f2a9c1b7d0e' }
 * parseCommandText('snooze e42 2d demo'); // { name: 'snooze', id: 'e42', duration: '2d', reason: 'demo' }
 * parseCommandText('destroy');            // { name: 'help', note: 'unknown command `destroy`' }
 */
function parseCommandText(text: string): Command {
  const [verb = '', ...args] = text
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const name = verb.toLowerCase();
  switch (name) {
    case '':
    case 'help':
      return help();
    case 'plan':
    case 'status':
      return args.length === 0 ? { name } : help(`\`${name}\` takes no arguments`);
    case 'apply': {
      const hash = args[0]?.toLowerCase();
      if (hash === undefined || args.length > 1) return help('`apply` needs exactly one plan hash, e.g. `apply 3f2a9c1b7d0e`');
      return HASH_PATTERN.test(hash) ? { name: 'apply', hash } : help(`\`${clip(hash, 80)}\` is not a plan hash (8 to 64 hex characters)`);
    }
    case 'snooze': {
      const [id, duration, ...reason] = args;
      if (id === undefined || duration === undefined) return help('`snooze` needs an id and a duration, e.g. `snooze e1234 3d`');
      if (!DURATION_PATTERN.test(duration)) return help(`\`${clip(duration, 40)}\` is not ${DURATION_HINT}`);
      const parsed = SnoozeCommand.safeParse({ name: 'snooze', id, duration, ...(reason.length > 0 ? { reason: reason.join(' ') } : {}) });
      return parsed.success ? parsed.data : help('`snooze`: the id or the reason is too long');
    }
    default:
      return help(`unknown command \`${clip(verb, 40)}\``);
  }
}

export { Command, HASH_PATTERN, USAGE, parseCommandText };
