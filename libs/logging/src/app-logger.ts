import { inspect } from 'node:util';
import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { currentLogFields } from './log-context';
import type { LogLevelName, LogSettings } from './log-settings';

/** Nest's level names as pino (and log collectors) know them. */
const PINO_LEVEL = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' } as const satisfies Record<LogLevelName, pino.Level>;

/** A stack trace as Nest passes it beside a message (ConsoleLogger's test). */
const STACK = /^(.)+\n\s+at .+:\d+:\d+/;

export interface AppLoggerOptions {
  /** Fields on every line of this process (a worker's id). */
  fields?: Record<string, string>;
  /** Where lines go; process.stdout unless a test captures them. */
  destination?: DestinationStream;
}

/** One line as the logger writes it: the message and its fields (context, err, and what Nest's arguments carried). */
interface Line {
  message: string;
  fields: Record<string, unknown>;
}

/**
 * The process's logger: Nest's LoggerService on pino. In JSON, each line has `level`, `time` (ISO 8601),
 * `context` (the class that logged it), `message`, the fields of the log context it ran in (sweepId,
 * trialId, attempt), the process's own fields (workerId) and, for an error, `err` with its stack.
 */
export class AppLogger implements LoggerService {
  private readonly pino: Pino;
  private readonly destination: DestinationStream;
  private enabled: Set<LogLevelName>;

  constructor(
    readonly settings: LogSettings,
    options: AppLoggerOptions = {},
  ) {
    this.enabled = new Set(settings.levels);
    const destination = options.destination ?? (process.stdout as DestinationStream);
    this.destination = destination;
    this.pino = pino(
      {
        level: 'trace', // the levels written are Nest's set (setLogLevels), checked before pino is called
        messageKey: 'message',
        errorKey: 'err',
        timestamp: pino.stdTimeFunctions.isoTime,
        base: { pid: process.pid, ...options.fields },
        // pino-pretty names the numeric levels itself; JSON lines carry the name.
        formatters: settings.format === 'json' ? { level: (label) => ({ level: label }) } : {},
        mixin: () => currentLogFields(),
      },
      settings.format === 'json' ? destination : prettyText(settings.colors, destination),
    );
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  setLogLevels(levels: LogLevelName[]): void {
    this.enabled = new Set(levels);
  }

  /** Writes a line with these fields at `level` (no parsing of Nest's arguments). */
  line(level: LogLevelName, message: string, fields: Record<string, unknown> = {}): void {
    if (this.enabled.has(level)) this.pino[PINO_LEVEL[level]](fields, message);
  }

  /**
   * Something a person must read once (a first API token), whatever LOG_LEVEL says: `text` as it is on a
   * pretty log, else one JSON line of `message` and `fields`.
   */
  announce({ text, message, fields }: { text: string; message: string; fields: Record<string, unknown> }): void {
    if (this.settings.format === 'pretty') this.destination.write(text);
    else this.pino.info(fields, message);
  }

  private write(level: LogLevelName, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const { message: text, fields } = lineOf(level, message, params);
    this.pino[PINO_LEVEL[level]](fields, text);
  }
}

/** Nest's arguments as one line (ConsoleLogger's reading): a trailing string is the context; for an error, a string before it is the stack. */
function lineOf(level: LogLevelName, message: unknown, params: unknown[]): Line {
  const rest = [...params];
  const fields: Record<string, unknown> = {};
  const stackOnly = level === 'error' && rest.length === 1 && isStack(rest[0]);
  if (!stackOnly && rest.length > 0 && typeof rest.at(-1) === 'string') fields.context = rest.pop();
  if (level === 'error' && rest.length > 0 && (rest.at(-1) === undefined || typeof rest.at(-1) === 'string')) {
    const stack = rest.pop();
    if (typeof stack === 'string') fields.err = { stack };
  }
  const parts: string[] = [];
  for (const value of [message, ...rest]) {
    if (value instanceof Error) {
      fields.err ??= value;
      parts.push(value.message);
    } else if (typeof value === 'string') parts.push(value);
    else if (isPlainObject(value)) Object.assign(fields, value);
    else if (value !== undefined) parts.push(inspect(value, { breakLength: Infinity, depth: 5 }));
  }
  return { message: parts.join(' '), fields };
}

function isStack(value: unknown): value is string {
  return typeof value === 'string' && STACK.test(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Text for a person: time, level, [context] message, then the fields on the same line; a stack below it. Synchronous, like the JSON. */
function prettyText(colors: boolean, destination: DestinationStream): DestinationStream {
  const pretty = prettyFactory({
    colorize: colors,
    messageKey: 'message',
    errorLikeObjectKeys: ['err'],
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context',
    singleLine: true,
    messageFormat: (line, key) => `${typeof line.context === 'string' ? `[${line.context}] ` : ''}${String(line[key] ?? '')}`,
  });
  return { write: (line: string) => destination.write(pretty(line)) };
}
