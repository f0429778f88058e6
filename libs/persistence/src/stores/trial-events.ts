import { TRIAL_EVENT_TYPES, type TrialEventType } from '@tuneforge/contracts';

/**
 * The one builder of trial events: every store statement that changes a trial appends its event with
 * `SET ${appendEvent(...)}`, so an event is always `{ at, type, message }` stamped with the statement's
 * time. `typeSql` and `messageSql` are SQL expressions: a bound parameter, a column, or `eventType(...)`.
 * `alias` is the trials table's alias in the statement, when it has one.
 */
export function appendEvent(typeSql: string, messageSql: string, alias?: string): string {
  return `events = ${alias ? `${alias}.` : ''}events || jsonb_build_array(${eventObject(typeSql, messageSql)})`;
}

/** One event as a jsonb expression, for a statement that appends it conditionally. */
export function eventObject(typeSql: string, messageSql: string): string {
  return `jsonb_build_object('at', now(), 'type', ${typeSql}, 'message', ${messageSql})`;
}

/** A known event type as an SQL literal (checked against TRIAL_EVENT_TYPES, so no other text is spliced in). */
export function eventType(type: TrialEventType): string {
  if (!TRIAL_EVENT_TYPES.includes(type)) throw new Error(`unknown trial event type '${type}'`);
  return `'${type}'`;
}
