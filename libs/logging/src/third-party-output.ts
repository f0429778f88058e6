import { format } from 'node:util';
import type { AppLogger } from './app-logger';
import type { LogLevelName } from './log-settings';

/** The console methods libraries print with, and the level each becomes. */
const CONSOLE_LEVELS = { log: 'log', info: 'log', warn: 'warn', error: 'error', debug: 'debug' } as const satisfies Partial<Record<keyof Console, LogLevelName>>;

/** Past this many distinct messages, new ones are still logged but no longer remembered (a bound on memory). */
const MAX_REMEMBERED = 1_000;

/**
 * What libraries print (console.*, Node's process warnings, the setup thread's output) goes through the
 * process's logger once per process: a message seen before, numbers aside, is dropped. A library that warns
 * per call would otherwise repeat itself for every trial, as tfjs's orthogonal initialiser did for every model
 * ("Orthogonal initializer is being called on a matrix with more than 2000 (4096) elements: Slowness may result").
 */
export class ThirdPartyOutput {
  private readonly seen = new Set<string>();

  constructor(private readonly logger: AppLogger) {}

  /** Logs `text` from `source` (console, node, setup-thread) unless this process logged it already. */
  note(level: LogLevelName, text: string, source: string): void {
    const message = text.trim();
    if (!message) return;
    const key = `${level} ${message.replace(/\d+(\.\d+)?/g, '#')}`;
    if (this.seen.has(key)) return;
    if (this.seen.size < MAX_REMEMBERED) this.seen.add(key);
    this.logger.line(level, message, { context: source, oncePerProcess: true });
  }

  /** Routes console.* and process warnings of this process through `note`. */
  capture(): void {
    for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
      console[method as keyof typeof CONSOLE_LEVELS] = (...args: unknown[]) => this.note(level, format(...args), 'console');
    }
    // Node's own printer (the only listener at start-up) writes "(node:pid) Warning: ..." to stderr.
    process.removeAllListeners('warning');
    process.on('warning', (warning) => this.note('warn', `${warning.name}: ${warning.message}`, 'node'));
  }
}
