import { Component, useEffect, useRef, useState, type ErrorInfo, type ReactNode, type RefObject } from 'react';
import type { TrialDto } from '@tuneforge/contracts';
import { useConnection } from '../events';

export function StatusChip({ status, prunedRung }: { status: string; prunedRung?: number | null }) {
  const label = status === 'pruned' && prunedRung !== null && prunedRung !== undefined ? `pruned at rung ${prunedRung}` : status;
  return (
    <span className={`chip chip-${status}`} data-testid="status-chip">
      {label}
    </span>
  );
}

export function TrialStatusChip({ trial }: { trial: Pick<TrialDto, 'status' | 'prunedRung'> }) {
  return <StatusChip status={trial.status} prunedRung={trial.prunedRung} />;
}

export function ProgressBar({ done, total, label }: { done: number; total: number; label?: string }) {
  const percent = total > 0 ? Math.min(100, (100 * done) / total) : 0;
  return (
    <div className="progress" title={`${done} of ${total}`} data-testid="progress">
      <div className="progress-bar" style={{ width: `${percent}%` }} />
      <span className="progress-label">{label ?? `${done} / ${total}`}</span>
    </div>
  );
}

export function ConnectionBadge() {
  const connection = useConnection();
  const text = connection === 'live' ? 'live' : connection === 'connecting' ? 'connecting…' : 'disconnected — reconnecting…';
  return (
    <span className={`connection connection-${connection}`} data-testid="connection" data-state={connection}>
      <span className="dot" /> {text}
    </span>
  );
}

/** Re-renders every `ms` so relative times (ages, heartbeat ages) keep moving. */
export function useNow(ms = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}

export function ErrorBox({ children }: { children: ReactNode }) {
  return (
    <div className="error-box" role="alert">
      {children}
    </div>
  );
}

/** Grey bars where content is coming: the page keeps its shape while it loads. */
export function Skeleton({ rows = 3 }: { rows?: number }) {
  return (
    <div className="skeleton" data-testid="skeleton" aria-busy="true" aria-label="loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton-row" style={{ width: `${92 - ((i * 17) % 35)}%` }} />
      ))}
    </div>
  );
}

export function Card({ title, children, actions, testId }: { title: string; children: ReactNode; actions?: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      <header className="card-header">
        <h2>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A modal that asks before an action that changes a sweep. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  return (
    <div className="modal-backdrop" onClick={onCancel}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={title} onClick={(e) => e.stopPropagation()}>
        <h3>{title}</h3>
        <div className="modal-body">{children}</div>
        <div className="modal-actions">
          <button type="button" onClick={onCancel}>
            Back
          </button>
          <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm} autoFocus>
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}

/** A page that throws shows what broke instead of taking the whole app down; the next page starts afresh (key it by path). */
export class PageErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('the page failed', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error) return <ErrorBox>This page failed: {this.state.error.message}. Reload it, or go back.</ErrorBox>;
    return this.props.children;
  }
}

/** Whether the element has come within `margin` of the screen (and stays true after): below-the-fold work waits for it. */
export function useSeen<T extends Element>(margin = '200px'): [RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element || seen) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setSeen(true), { rootMargin: margin });
    observer.observe(element);
    return () => observer.disconnect();
  }, [seen, margin]);
  return [ref, seen];
}
