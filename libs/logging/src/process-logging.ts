import { Logger } from '@nestjs/common';
import { AppLogger, type AppLoggerOptions } from './app-logger';
import { logSettings, type LogLevelName, type LogSettings } from './log-settings';
import { ThirdPartyOutput } from './third-party-output';

interface ProcessLogging {
  logger: AppLogger;
  thirdParty: ThirdPartyOutput;
}

let current: ProcessLogging | undefined;

/**
 * Makes `settings` this process's logging, first thing in an app's main: Nest's Logger (every
 * `new Logger(context)` and the framework's own lines), the console output of libraries and Node's
 * process warnings, once per process each, and what would kill the process (an uncaught exception or
 * rejection: a fatal line with its stack, then exit 1, as Node would without the listener).
 */
export function startProcessLogging(settings: LogSettings, options: AppLoggerOptions = {}): AppLogger {
  const logger = new AppLogger(settings, options);
  Logger.overrideLogger(logger);
  const thirdParty = new ThirdPartyOutput(logger);
  thirdParty.capture();
  current = { logger, thirdParty };
  process.on('uncaughtException', (error, origin) => exitWithFatal(origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception', error));
  return logger;
}

/** The process's logging; where no app started it (a test, a script), the defaults: LOG_LEVEL=log, JSON unless stdout is a terminal. */
function processLogging(): ProcessLogging {
  if (!current) {
    const logger = new AppLogger(logSettings({ LOG_LEVEL: 'log' }));
    current = { logger, thirdParty: new ThirdPartyOutput(logger) };
  }
  return current;
}

export function processLogger(): AppLogger {
  return processLogging().logger;
}

/** Output the process received from elsewhere (a worker thread's lines), once per process like the console's. */
export function noteThirdPartyOutput(level: LogLevelName, text: string, source: string): void {
  processLogging().thirdParty.note(level, text, source);
}

/** Logs why the process stops (a fatal line, the error's stack in `err`) and exits with 1. */
export function exitWithFatal(what: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  processLogger().line('fatal', `${what}: ${message}`, error instanceof Error ? { err: error } : {});
  process.exit(1);
}
