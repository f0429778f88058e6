import { describeTestScore, testScoreOf, type SweepDto, type TrialDto } from '@tuneforge/contracts';

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]?.length ?? 0)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((row) => typeof row[c] === 'number' || /^-?[\d.,e+-]+$|^-$/.test(String(row[c]))));
  const line = (row: string[]) => row.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return Number(value.toPrecision(5)).toString();
}

export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

/** Trials that have ended, of all the sweep will run. */
export function progressOf(sweep: SweepDto): { done: number; planned: number } {
  const c = sweep.trialCounts;
  return { done: c.completed + c.pruned + c.failed + c.cancelled, planned: sweep.plannedTrials };
}

export function trialStatus(trial: TrialDto): string {
  return trial.status === 'pruned' && trial.prunedRung !== null ? `pruned at rung ${trial.prunedRung}` : trial.status;
}

export function hyperparameters(trial: TrialDto): string {
  return Object.entries(trial.config.hyperparameters)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : typeof v === 'number' ? formatValue(v) : String(v)}`)
    .join(' ');
}

export function sweepsTable(sweeps: readonly SweepDto[]): string {
  return table(
    ['id', 'name', 'status', 'progress', 'best', 'age'],
    sweeps.map((s) => {
      const { done, planned } = progressOf(s);
      return [s.id, s.name, s.status, `${done}/${planned}`, s.best ? `${s.objective.metric} ${formatValue(s.best.value)}` : '-', age(s.createdAt)];
    }),
  );
}

export function sweepDetails(s: SweepDto): string {
  const { done, planned } = progressOf(s);
  const c = s.trialCounts;
  return [
    `sweep      ${s.id}`,
    `name       ${s.name}`,
    `status     ${s.status}${s.statusReason ? `: ${s.statusReason}` : ''}`,
    `search     ${s.algorithm}, early stopping ${s.spec.earlyStopping.type}, model ${s.spec.model}`,
    `objective  ${s.objective.direction} ${s.objective.metric}`,
    `progress   ${done}/${planned} trials ended (${c.completed} completed, ${c.pruned} pruned, ${c.failed} failed, ${c.cancelled} cancelled); ${c.running} running, ${c.queued} queued`,
    `best       ${s.best ? `${formatValue(s.best.value)} (trial ${s.best.trialId})` : '-'}`,
    `test       ${s.best ? describeTestScore(s.best.testMetrics) : '-'}  (the best trial's held-out rows; nothing selects on them)`,
    `created    ${s.createdAt} (${age(s.createdAt)} ago)${s.finishedAt ? `, finished ${s.finishedAt}` : ''}`,
  ].join('\n');
}

export function trialsTable(trials: readonly TrialDto[], metric: string, offset = 0): string {
  return table(
    ['rank', 'trial', 'status', metric, trials.map((t) => testScoreOf(t.testMetrics)?.metric).find(Boolean) ?? 'test', 'epochs', 'hyperparameters'],
    trials.map((t, i) => [offset + i + 1, t.number, trialStatus(t), formatValue(t.bestMetric), formatValue(testScoreOf(t.testMetrics)?.value), t.lastEpoch ?? '-', hyperparameters(t)]),
  );
}
