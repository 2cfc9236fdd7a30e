/**
 * The value schemas that conditions and rules share (durations, globs, presence, instants) and the
 * timestamp fields an age can be read from. Kept apart from schema.ts so that the condition
 * modules can use them without a cycle through the policy schema.
 */
import * as z from 'zod';
import { DURATION_HINT, DURATION_PATTERN } from './duration.js';

/** Timestamps an `olderThan` condition may read (both resource types carry all five). */
const TIMESTAMP_FIELDS = ['createdAt', 'modifiedAt', 'submissionTime', 'startTime', 'completionTime'] as const;
type TimestampField = (typeof TIMESTAMP_FIELDS)[number];

const Duration = z
  .string({ error: `expected ${DURATION_HINT}` })
  .regex(DURATION_PATTERN, { error: `expected ${DURATION_HINT}` })
  .meta({ description: `A duration: ${DURATION_HINT}.`, examples: ['30m', '36h', '7d', '2w'] });

const Glob = z
  .string({ error: 'expected a text value or glob' })
  .min(1, { error: 'a glob must not be empty' })
  .meta({ description: 'An exact value or a picomatch glob (`*`, `?`, `[abc]`, `{a,b}`); `*` does not cross `/`.' });

const GlobList = z.union([Glob, z.array(Glob).min(1, { error: 'the list must not be empty' })], {
  error: 'expected a glob or a non-empty list of globs',
});

const Presence = z.enum(['present', 'absent'], { error: 'expected `present` or `absent`' });

const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'expected an ISO-8601 date (2026-12-01) or date-time with a zone (2026-12-01T00:00:00Z)',
});

export { TIMESTAMP_FIELDS, Duration, Glob, GlobList, Presence, Instant };
export type { TimestampField };
