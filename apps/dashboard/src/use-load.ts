import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** When `data` arrived (Date.now()). */
  loadedAt: number;
  reload: () => void;
}

/** Runs `load` when `deps` change and on `reload()`; keeps showing the last data while a reload runs. */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean; loadedAt: number }>({ loading: true, loadedAt: 0 });
  const generation = useRef(0);
  const run = useCallback(load, deps);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    run().then(
      (data) => mine === generation.current && setState({ data, loading: false, loadedAt: Date.now() }),
      (error: unknown) =>
        mine === generation.current &&
        setState((s) => ({ data: s.data, loadedAt: s.loadedAt, loading: false, error: error instanceof ApiError ? error : new ApiError(0, String(error)) })),
    );
  }, [run]);
  useEffect(() => {
    setState({ loading: true, loadedAt: 0 });
    reload();
  }, [reload]);
  return { data: state.data, error: state.error, loading: state.loading, loadedAt: state.loadedAt, reload };
}
