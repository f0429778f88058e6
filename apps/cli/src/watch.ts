import { MultiBar, Presets } from 'cli-progress';
import type { TuneforgeClient } from '@tuneforge/api-client';
import type { SweepDto, TrialDto } from '@tuneforge/contracts';
import { formatValue, progressOf, trialStatus } from './render';

const ENDED_SWEEP = new Set(['completed', 'cancelled', 'failed']);
const ENDED_TRIAL = new Set(['completed', 'pruned', 'failed', 'cancelled']);
const PAGE = 500;

export interface WatchOptions {
  intervalMs: number;
  /** Also print one line per trial as it ends, with its reason (`tuneforge logs`). */
  trialLines: boolean;
  out: NodeJS.WriteStream;
}

/**
 * Follows a sweep until it ends: a progress bar of ended trials with the best value so far (plain
 * lines when the output is not a terminal), and optionally each trial's ending. Resolves with the
 * sweep as it ended.
 */
export async function watchSweep(api: TuneforgeClient, id: string, options: WatchOptions): Promise<SweepDto> {
  let sweep = await api.getSweep({ id });
  const bars = new MultiBar(
    {
      format: `{status} {bar} {value}/{total} trials | running {running} | pruned {pruned} | best ${sweep.objective.metric} {best} | {duration_formatted}`,
      hideCursor: true,
      stream: options.out,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  const bar = bars.create(progressOf(sweep).planned, progressOf(sweep).done, payloadOf(sweep));
  const seen = new Map<string, string>();
  try {
    for (;;) {
      if (options.trialLines) {
        // Above the bar on a terminal; otherwise straight to stdout, where they are the command's result.
        for (const line of await newlyEnded(api, id, seen)) {
          if (options.out.isTTY) bars.log(`${line}\n`);
          else process.stdout.write(`${line}\n`);
        }
      }
      const { done, planned } = progressOf(sweep);
      bar.setTotal(planned);
      bar.update(done, payloadOf(sweep));
      if (ENDED_SWEEP.has(sweep.status)) break;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
      sweep = await api.getSweep({ id });
    }
  } finally {
    bars.stop();
  }
  return sweep;
}

function payloadOf(sweep: SweepDto) {
  return { status: sweep.status, running: sweep.trialCounts.running, pruned: sweep.trialCounts.pruned, best: formatValue(sweep.best?.value) };
}

/** Lines for the trials that ended since the last call (all trials are read, a page at a time, each page from the last one's cursor). */
async function newlyEnded(api: TuneforgeClient, id: string, seen: Map<string, string>): Promise<string[]> {
  const lines: string[] = [];
  let after: string | undefined;
  do {
    const page = await api.listTrials({ id, query: { sort: 'number', order: 'asc', limit: PAGE, after } });
    for (const trial of page.items) {
      if (ENDED_TRIAL.has(trial.status) && seen.get(trial.id) !== trial.status) lines.push(endingLine(trial));
      seen.set(trial.id, trial.status);
    }
    after = page.nextCursor ?? undefined;
  } while (after);
  return lines;
}

function endingLine(trial: TrialDto): string {
  return `trial ${trial.number} ${trialStatus(trial)}: ${trial.statusReason ?? ''}`.trimEnd();
}
