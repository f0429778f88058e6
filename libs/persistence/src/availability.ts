/** PostgreSQL error codes and driver errors that mean "the server is unreachable or restarting", not "the statement is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

/** Whether an error from pg or TypeORM means PostgreSQL could not be reached (the same statement may work later). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } } | undefined;
  const code = e?.code ?? e?.driverError?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return [e?.message, e?.driverError?.message].some((message) => typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message));
}

export interface RetryWhileUnavailableOptions {
  /** Called before each wait, with the error and the attempt number (1-based). */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Stops retrying: the last error is thrown. */
  signal?: AbortSignal;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `write` until PostgreSQL answers: while it is unreachable the call waits and tries again
 * (backing off to `maxDelayMs`); any other error is thrown at once. For writes that must not be lost.
 * The write must be safe to repeat: a connection can drop after a commit and before its answer.
 */
export async function retryWhileDatabaseUnavailable<T>(write: () => Promise<T>, options: RetryWhileUnavailableOptions = {}): Promise<T> {
  const { firstDelayMs = 250, maxDelayMs = 5_000 } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt);
      await abortableDelay(Math.min(maxDelayMs, firstDelayMs * 2 ** (attempt - 1)), options.signal);
    }
  }
}

function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
