/**
 * Bounds a process's shutdown: once SIGTERM or SIGINT arrives, the process exits with code 1 after
 * `timeoutMs` if its own clean shutdown has not ended it by then (a dependency that never answers must
 * not keep it alive). The timer does not keep an otherwise finished process running.
 */
export function exitIfShutdownOutlasts(timeoutMs: number, onTimeout: (signal: NodeJS.Signals) => void): void {
  let armed = false;
  const arm = (signal: NodeJS.Signals): void => {
    if (armed) return;
    armed = true;
    setTimeout(() => {
      onTimeout(signal);
      process.exit(1);
    }, timeoutMs).unref();
  };
  process.on('SIGTERM', arm);
  process.on('SIGINT', arm);
}
