import { testScoreOf, type SweepDto, type TrialPageDto } from '@tuneforge/contracts';
import type { TrialSortKey } from '../api';
import { Link } from 'wouter';
import { formatNumber, formatValue } from '../format';
import { formatDuration } from '../units';
import { TrialStatusChip } from './common';

interface Sort {
  sort: TrialSortKey;
  order?: 'asc' | 'desc';
}

/**
 * One server page of trials, best first by default; headers sort on the server, so order holds across pages.
 * Next follows the page's cursor (the server reads it in index order, however deep); Previous goes back to the cursor before.
 */
export function Leaderboard({
  page,
  sweep,
  sort,
  selected,
  colours,
  onToggle,
  onSort,
  onNext,
  onPrevious,
}: {
  page: TrialPageDto;
  sweep: SweepDto;
  sort: Sort;
  /** Trials picked for comparison (ticked), and every charted trial's colour. */
  selected: readonly string[];
  colours: ReadonlyMap<string, string>;
  onToggle: (trialId: string) => void;
  onSort: (sort: TrialSortKey, order?: 'asc' | 'desc') => void;
  onNext: (cursor: string) => void;
  /** Absent on the first page. */
  onPrevious?: () => void;
}) {
  const parameters = Object.keys(sweep.spec.searchSpace);
  const header = (key: TrialSortKey, label: string) => {
    const active = sort.sort === key;
    const bestFirst = sweep.objective.direction === 'maximize' ? 'desc' : 'asc';
    const current = sort.order ?? (key === 'objective' ? bestFirst : 'asc');
    const next = active ? (current === 'asc' ? 'desc' : 'asc') : key === 'objective' ? bestFirst : 'asc';
    return (
      <th className="sortable" aria-sort={active ? (current === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button type="button" onClick={() => onSort(key, next)} data-testid={`sort-${key}`}>
          {label} {active ? (current === 'asc' ? '▲' : '▼') : ''}
        </button>
      </th>
    );
  };
  const last = Math.min(page.offset + page.limit, page.total);
  return (
    <div>
      <div className="table-scroll">
        <table className="table" data-testid="leaderboard">
          <thead>
            <tr>
              <th>
                <span className="visually-hidden">compare</span>
              </th>
              <th>Rank</th>
              {header('number', 'Trial')}
              <th>Status</th>
              {header('objective', sweep.objective.metric)}
              <th title="the best epoch's score on the held-out test rows, measured once when the trial ended">Test</th>
              <th>Epochs</th>
              <th title="from the first claim to the end (or now)">Wall time</th>
              {parameters.map((p) => (
                <th key={p}>{p}</th>
              ))}
              {header('createdAt', 'Created')}
            </tr>
          </thead>
          <tbody>
            {page.items.map((trial, i) => (
              <tr key={trial.id} data-testid="trial-row" data-trial-id={trial.id} data-selected={selected.includes(trial.id) ? 'true' : undefined}>
                <td>
                  <input
                    type="checkbox"
                    checked={selected.includes(trial.id)}
                    onChange={() => onToggle(trial.id)}
                    aria-label={`compare trial ${trial.number}`}
                    data-testid="compare-trial"
                  />
                </td>
                <td className="muted">{page.offset + i + 1}</td>
                <td>
                  {colours.has(trial.id) && <span className="swatch" style={{ background: colours.get(trial.id) }} data-testid="trial-swatch" />}
                  <Link href={`/trials/${trial.id}`}>#{trial.number}</Link>
                </td>
                <td>
                  <TrialStatusChip trial={trial} />
                </td>
                <td className="num" data-testid="trial-objective">
                  {formatNumber(trial.bestMetric)}
                </td>
                <td className="num" data-testid="trial-test-score">
                  {formatNumber(testScoreOf(trial.testMetrics)?.value)}
                </td>
                <td className="num">
                  {trial.lastEpoch ?? '–'} / {trial.config.maxEpochs}
                </td>
                <td className="num" data-testid="trial-wall-time">
                  {formatDuration(wallSeconds(trial))}
                </td>
                {parameters.map((p) => (
                  <td key={p} className="num">
                    {p in trial.config.hyperparameters ? formatValue(trial.config.hyperparameters[p]) : '–'}
                  </td>
                ))}
                <td className="muted">{new Date(trial.createdAt).toLocaleTimeString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <button type="button" disabled={!onPrevious} onClick={onPrevious} data-testid="prev-page">
          ‹ Previous
        </button>
        <span data-testid="page-range">{page.total === 0 ? 'no trials yet' : `${page.offset + 1}–${last} of ${page.total}`}</span>
        <button type="button" disabled={!page.nextCursor} onClick={() => page.nextCursor && onNext(page.nextCursor)} data-testid="next-page">
          Next ›
        </button>
      </div>
    </div>
  );
}

/** A trial's wall time: from its first start to its end, or to now while it runs. */
export function wallSeconds(trial: Pick<TrialPageDto['items'][number], 'startedAt' | 'finishedAt'>): number | null {
  if (!trial.startedAt) return null;
  const end = trial.finishedAt ? Date.parse(trial.finishedAt) : Date.now();
  return (end - Date.parse(trial.startedAt)) / 1000;
}
