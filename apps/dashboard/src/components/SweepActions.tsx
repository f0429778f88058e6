import { useState } from 'react';
import type { SweepDto } from '@tuneforge/contracts';
import { api } from '../api';
import { mayEdit, useRoleIn } from '../session';
import { ConfirmDialog } from './common';

type Action = 'pause' | 'resume' | 'cancel' | 'extend' | 'concurrency';

/** Pause, resume, cancel, extend-budget and concurrency buttons for an editor of the sweep's project; each asks for confirmation first. */
export function SweepActions({ sweep, onDone, onError }: { sweep: SweepDto; onDone: () => void; onError: (message: string) => void }) {
  const role = useRoleIn(sweep.projectId);
  if (!mayEdit(role)) {
    return (
      <span className="muted" data-testid="read-only">
        read only: you are {role ?? 'no member'} in this sweep's project
      </span>
    );
  }
  return <EditorActions sweep={sweep} onDone={onDone} onError={onError} />;
}

function EditorActions({ sweep, onDone, onError }: { sweep: SweepDto; onDone: () => void; onError: (message: string) => void }) {
  const [asking, setAsking] = useState<Action>();
  const [extraTrials, setExtraTrials] = useState(10);
  const [concurrency, setConcurrency] = useState(sweep.spec.budget.maxConcurrent);
  const [busy, setBusy] = useState(false);
  const active = sweep.status === 'running' || sweep.status === 'paused';

  const run = async (action: Action) => {
    setAsking(undefined);
    setBusy(true);
    try {
      if (action === 'pause') await api.pause(sweep.id);
      else if (action === 'resume') await api.resume(sweep.id);
      else if (action === 'cancel') await api.cancel(sweep.id);
      else if (action === 'concurrency') await api.setConcurrency(sweep.id, concurrency);
      else await api.extend(sweep.id, sweep.plannedTrials + extraTrials);
      onDone();
    } catch (error) {
      onError(`Could not ${action} the sweep: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="actions" data-testid="sweep-actions">
      {sweep.status === 'running' && (
        <button type="button" disabled={busy} onClick={() => setAsking('pause')} data-testid="action-pause">
          Pause
        </button>
      )}
      {sweep.status === 'paused' && (
        <button type="button" disabled={busy} onClick={() => setAsking('resume')} data-testid="action-resume">
          Resume
        </button>
      )}
      {sweep.status !== 'cancelled' && (
        <button type="button" disabled={busy} onClick={() => setAsking('extend')} data-testid="action-extend">
          Extend budget
        </button>
      )}
      {active && (
        <button type="button" disabled={busy} onClick={() => setAsking('concurrency')} data-testid="action-concurrency">
          Concurrency ({sweep.spec.budget.maxConcurrent})
        </button>
      )}
      {active && (
        <button type="button" className="danger" disabled={busy} onClick={() => setAsking('cancel')} data-testid="action-cancel">
          Cancel
        </button>
      )}
      {asking === 'pause' && (
        <ConfirmDialog title="Pause this sweep?" confirmLabel="Pause" onConfirm={() => run('pause')} onCancel={() => setAsking(undefined)}>
          No new trials start; the {sweep.trialCounts.running} running trials finish their work.
        </ConfirmDialog>
      )}
      {asking === 'resume' && (
        <ConfirmDialog title="Resume this sweep?" confirmLabel="Resume" onConfirm={() => run('resume')} onCancel={() => setAsking(undefined)}>
          Queued trials start again, up to {sweep.spec.budget.maxConcurrent} at a time.
        </ConfirmDialog>
      )}
      {asking === 'cancel' && (
        <ConfirmDialog title="Cancel this sweep?" confirmLabel="Cancel the sweep" danger onConfirm={() => run('cancel')} onCancel={() => setAsking(undefined)}>
          Queued and running trials become cancelled. This cannot be undone.
        </ConfirmDialog>
      )}
      {asking === 'concurrency' && (
        <ConfirmDialog
          title="Change how many trials run at once?"
          confirmLabel="Change"
          onConfirm={() => run('concurrency')}
          onCancel={() => setAsking(undefined)}
        >
          <label>
            At most{' '}
            <CountInput value={concurrency} onChange={setConcurrency} testId="concurrency-input" />{' '}
            trials at a time (now {sweep.spec.budget.maxConcurrent}); running trials are not stopped, new ones start up to the new limit.
          </label>
        </ConfirmDialog>
      )}
      {asking === 'extend' && (
        <ConfirmDialog title="Extend the budget?" confirmLabel="Extend" onConfirm={() => run('extend')} onCancel={() => setAsking(undefined)}>
          <label>
            Add{' '}
            <CountInput value={extraTrials} onChange={setExtraTrials} testId="extend-by" />{' '}
            trials: the budget goes from {sweep.plannedTrials} to {sweep.plannedTrials + extraTrials} trials.
          </label>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** A whole number of trials, 1 to 100,000 (what the budget's fields take). */
function CountInput({ value, onChange, testId }: { value: number; onChange: (value: number) => void; testId: string }) {
  return (
    <input type="number" min={1} max={100000} value={value} onChange={(e) => onChange(Math.min(100000, Math.max(1, Math.floor(Number(e.target.value) || 1))))} data-testid={testId} />
  );
}
