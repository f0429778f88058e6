import { AsyncLocalStorage } from 'node:async_hooks';

/** What a log line is about; every line written inside `withLogContext` carries these fields. */
export interface LogFields {
  sweepId?: string;
  trialId?: string;
  /** The run of a trial (its claim count), once the worker has claimed it. */
  attempt?: number;
}

const storage = new AsyncLocalStorage<LogFields>();

/** Runs `work` with `fields` added to the enclosing context's (a nested context refines, say, a trial's with its attempt). */
export function withLogContext<T>(fields: LogFields, work: () => T): T {
  const known = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return storage.run({ ...storage.getStore(), ...known }, work);
}

/** Runs `work` outside any context: for output that is about the process, not the work that happened to start it. */
export function withoutLogContext<T>(work: () => T): T {
  return storage.exit(work);
}

/** The fields of the context this code runs in (empty outside one). */
export function currentLogFields(): LogFields {
  return storage.getStore() ?? {};
}
