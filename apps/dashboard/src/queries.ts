import { QueryClient, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { DashboardEvent } from '@tuneforge/contracts';
import { ApiError } from './api';
import { useLiveReload } from './events';

declare module '@tanstack/react-query' {
  interface Register {
    // Every query function goes through api.ts, which throws ApiError.
    defaultError: ApiError;
  }
}

/**
 * Server state: every page reads the coordinator through these queries, and the live event stream invalidates
 * them (useLiveQuery) instead of polling. A refusal (4xx) is an answer, not a failure worth retrying.
 */
export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, error) => (error instanceof ApiError && error.status >= 400 && error.status < 500 ? false : count < 2),
        refetchOnWindowFocus: false,
        staleTime: 2_000,
        // Answers replace the old ones whole: comparing thousands of trial points deeply costs more than it saves.
        structuralSharing: false,
      },
    },
  });
}

/** Refetches the queries under `queryKey` (at most once per `throttleMs`) when an event that `matters` arrives, and after every reconnect. */
export function useLiveQuery(queryKey: QueryKey, matters: (event: DashboardEvent) => boolean, throttleMs = 1_000): void {
  const client = useQueryClient();
  useLiveReload(matters, () => void client.invalidateQueries({ queryKey }), throttleMs);
}
