/** BullMQ's failedReason for a job whose lock lapsed more often than the worker's maxStalledCount allows. */
export const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';

/**
 * Why a trial ended `failed` when the workers running it kept dying (killed, out of memory, a crash in the engine):
 * said the same way whether BullMQ saw its job stall too often or the reconciler found it lost too often.
 */
export function crashLoopReason(deaths: number, detail: string): string {
  return `the worker died ${deaths} times running this trial (${detail})`;
}
