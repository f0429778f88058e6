import type { TrialPointsDto } from '@tuneforge/contracts';

/**
 * The best value found so far after each trial with a value, in trial-number order: its number, how many trials
 * had run by then, and what they cost in epochs up to there.
 */
export function bestSoFar(points: TrialPointsDto): { numbers: number[]; trials: number[]; epochs: number[]; values: number[] } {
  const minimize = points.objective.direction === 'minimize';
  const out = { numbers: [] as number[], trials: [] as number[], epochs: [] as number[], values: [] as number[] };
  let best: number | undefined;
  let epochs = 0;
  const ordered = [...points.trials].sort((a, b) => a.number - b.number);
  ordered.forEach((t, i) => {
    epochs += t.epochs ?? 0;
    if (t.objective === null) return;
    if (best === undefined || (minimize ? t.objective < best : t.objective > best)) best = t.objective;
    out.numbers.push(t.number);
    out.trials.push(i + 1);
    out.epochs.push(epochs);
    out.values.push(best);
  });
  return out;
}
