import { z } from 'zod';

/** Log levels, most severe first (NestJS's names; JSON lines write `log` as `info` and `verbose` as `trace`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** `json`: one JSON object a line (for a log collector); `pretty`: text for a person at a terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The log settings every process reads (part of its env schema, so a bad value names its variable at start-up). */
export const logEnvShape = {
  /** The least severe log level written: 'log' shows every trial's end; 'warn' only problems. */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('log'),
  /** Unset: `pretty` when stdout is a terminal, else `json`. */
  LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
};

export interface LogSettings {
  /** The levels written: the configured one and every more severe one. */
  levels: LogLevelName[];
  format: LogFormat;
  /** ANSI colours: pretty text on a terminal only (and not under NO_COLOR). */
  colors: boolean;
}

/** The levels a process writes when configured with `least`: it and every more severe one. */
export function logLevelsUpTo(least: LogLevelName): LogLevelName[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(least) + 1);
}

/** Resolves the parsed LOG_* variables against where stdout goes. */
export function logSettings(
  parsed: { LOG_LEVEL: LogLevelName; LOG_FORMAT?: LogFormat },
  stdout: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): LogSettings {
  const terminal = stdout.isTTY === true;
  const format = parsed.LOG_FORMAT ?? (terminal ? 'pretty' : 'json');
  return { levels: logLevelsUpTo(parsed.LOG_LEVEL), format, colors: format === 'pretty' && terminal && env.NO_COLOR === undefined };
}
