import { testScoreOf, type SweepDto, type TrialPageDto } from '@tuneforge/contracts';
import type { TrialSortKey } from '../api';
import { formatNumber, formatValue } from '../format';
import { Link } from '../router';
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
  onSort,
  onNext,
  onPrevious,
}: {
  page: TrialPageDto;
  sweep: SweepDto;
  sort: Sort;
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
              <th>Rank</th>
              {header('number', 'Trial')}
              <th>Status</th>
              {header('objective', sweep.objective.metric)}
              <th title="the best epoch's score on the held-out test rows, measured once when the trial ended">Test</th>
              <th>Epochs</th>
              {parameters.map((p) => (
                <th key={p}>{p}</th>
              ))}
              {header('createdAt', 'Created')}
            </tr>
          </thead>
          <tbody>
            {page.items.map((trial, i) => (
              <tr key={trial.id} data-testid="trial-row" data-trial-id={trial.id}>
                <td className="muted">{page.offset + i + 1}</td>
                <td>
                  <Link to={`/trials/${trial.id}`}>#{trial.number}</Link>
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
        <span data-testid="page-range">
          {page.total === 0 ? 'no trials yet' : `${page.offset + 1}–${last} of ${page.total}`}
        </span>
        <button type="button" disabled={!page.nextCursor} onClick={() => page.nextCursor && onNext(page.nextCursor)} data-testid="next-page">
          Next ›
        </button>
      </div>
    </div>
  );
}
