/**
 * `snooze ID DURATION [reason…]`: what `/janitor snooze` does, from a terminal — a noticed item's
 * heads-up notice moves later (acted on no earlier than now + DURATION); an item without a notice is
 * protected until then. Writes to the same state `plan`/`apply` use (local, or --table).
 */
import { userInfo } from 'node:os';
import { tenantNamespace } from '../lib/aicore/tenant.js';
import { durationSeconds } from '../lib/policy/duration.js';
import { snoozeItem } from '../lib/store/snooze.js';
import { EXIT, UsageError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { serviceKeyFor } from './service-key.js';
import { openState } from './state.js';

type SnoozeArgs = Pick<CliArgs, 'positionals' | 'serviceKey' | 'table' | 'json'>;

/** Who snoozed, as the record and the digest show it. */
function cliUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/**
 * @example await snoozeCommand({ positionals: ['d1234', '3d', 'demo', 'on', 'Monday'], ... }, io) // 0
 */
async function snoozeCommand(args: SnoozeArgs, io: CliIo, clock: () => Date = () => new Date()): Promise<number> {
  const [id, duration, ...words] = args.positionals;
  if (id === undefined || duration === undefined)
    throw new UsageError('snooze needs an id and a duration: aicore-janitor snooze ID DURATION [reason], e.g. snooze d1234 3d demo');
  const seconds = durationSeconds(duration);
  if (seconds === null || seconds === 0) throw new UsageError(`${duration} is not a duration: use e.g. 30m, 36h, 3d, 1w or 1d12h`);
  const reason = words.length > 0 ? words.join(' ') : undefined;
  const key = await serviceKeyFor(args);
  const state = await openState(args.table, tenantNamespace(key), { command: 'snooze', onWait: (message) => io.err(message) });
  try {
    const until = new Date(clock().getTime() + seconds * 1000);
    const result = await snoozeItem(state.store, id, until, cliUser(), reason);
    if (args.json) {
      io.out(JSON.stringify({ version: 1, id, until: until.toISOString(), ...result }, null, 2));
    } else if (result.kind === 'notice') {
      for (const n of result.notices)
        io.out(`${id} (${n.group}/${n.type}): notice snoozed; ${n.ruleId} will ${n.action} it after ${n.actAfter} unless snoozed again.`);
    } else {
      io.out(`${id} has no notice; it is protected (snoozed) until ${until.toISOString()}: runs leave it alone until then.`);
    }
  } finally {
    await state.close();
  }
  return EXIT.ok;
}

export { snoozeCommand };
