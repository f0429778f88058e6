import { z } from 'zod';
import { TRIAL_SORT_KEYS, TRIAL_STATUSES, type TrialSortKey, type TrialStatus } from '@tuneforge/contracts';
import type { TrialPosition } from '@tuneforge/persistence';
import { RequestValidationError } from '../common/domain-errors';

/** The list a cursor continues: one sweep's trials in one order, with or without a status filter. */
export interface TrialList {
  sweepId: string;
  sort: TrialSortKey;
  order: 'asc' | 'desc';
  status: TrialStatus | null;
}

/** The cursor's content: the list it belongs to and where its page ended. Opaque to clients (base64url JSON), not secret. */
const CursorSchema = z.strictObject({
  sweep: z.uuid(),
  sort: z.enum(TRIAL_SORT_KEYS),
  order: z.enum(['asc', 'desc']),
  status: z.enum(TRIAL_STATUSES).nullable(),
  number: z.int().min(0),
  /** The value the page was ordered by (`objective` only): a trial still running may have a better one now. */
  value: z.number().nullable().optional(),
  /** How many trials came before the next page when this cursor was made: the page's `offset`, for ranks. */
  at: z.int().min(0),
});

/** Where a page starts: after this trial, the `at`-th of the list when the cursor was made. */
export interface CursorPosition extends TrialPosition {
  at: number;
}

/** The `nextCursor` of a page of `list` that ended at `last`, the `at`-th trial of it (counting from 1). */
export function trialCursor(list: TrialList, last: { number: number; bestMetric: number | null }, at: number): string {
  const cursor: z.input<typeof CursorSchema> = { sweep: list.sweepId, sort: list.sort, order: list.order, status: list.status, number: last.number, at };
  if (list.sort === 'objective') cursor.value = last.bestMetric;
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Where `after` says the page starts; a 400 CURSOR_INVALID naming `query.after` if it is not a cursor of `list`. */
export function positionAfter(after: string, list: TrialList): CursorPosition {
  const cursor = decode(after);
  if (!cursor || (cursor.sort === 'objective') !== (cursor.value !== undefined)) throw refused('is not a cursor this API gave out: start again from the first page');
  if (cursor.sweep !== list.sweepId) throw refused('was given for another sweep');
  if (cursor.sort !== list.sort || cursor.order !== list.order || cursor.status !== list.status) {
    const status = cursor.status ? `&status=${cursor.status}` : '';
    throw refused(`was given for sort=${cursor.sort}&order=${cursor.order}${status}: ask with those, or start again without after`);
  }
  return { number: cursor.number, bestMetric: cursor.value, at: cursor.at };
}

function decode(after: string): z.output<typeof CursorSchema> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(after)) return undefined;
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(after, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function refused(message: string): RequestValidationError {
  return new RequestValidationError([{ path: 'query.after', message: `the cursor ${message}` }], 'CURSOR_INVALID');
}
