import type {
  CancelSweepResultDto,
  MetricSeriesDto,
  Page,
  SweepCurvesDto,
  SweepDto,
  SweepStatus,
  TrialDto,
  TrialPointsDto,
  WorkerDto,
} from '@tuneforge/contracts';

export const API = '/api/v1';

/** An HTTP answer other than 2xx; `status` 0 means the coordinator could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(API + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'the coordinator cannot be reached');
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const issues = (data?.issues ?? []) as { path: string; message: string }[];
    const detail = issues.length ? `: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}` : '';
    throw new ApiError(response.status, `${data?.message ?? response.statusText}${detail}`);
  }
  return data as T;
}

export type TrialSortKey = 'objective' | 'number' | 'createdAt';

export const api = {
  sweeps: (status?: SweepStatus) => request<Page<SweepDto>>('GET', `/sweeps?limit=200${status ? `&status=${status}` : ''}`),
  sweep: (id: string) => request<SweepDto>('GET', `/sweeps/${encodeURIComponent(id)}`),
  trials: (sweepId: string, page: { limit: number; offset: number; sort: TrialSortKey; order?: 'asc' | 'desc' }) =>
    request<Page<TrialDto>>(
      'GET',
      `/sweeps/${encodeURIComponent(sweepId)}/trials?limit=${page.limit}&offset=${page.offset}&sort=${page.sort}${page.order ? `&order=${page.order}` : ''}`,
    ),
  curves: (sweepId: string, metric: string | undefined, top: number, points: number) =>
    request<SweepCurvesDto>('GET', `/sweeps/${encodeURIComponent(sweepId)}/curves?top=${top}&points=${points}${metric ? `&metric=${encodeURIComponent(metric)}` : ''}`),
  trialPoints: (sweepId: string) => request<TrialPointsDto>('GET', `/sweeps/${encodeURIComponent(sweepId)}/trial-points`),
  pause: (id: string) => request<SweepDto>('POST', `/sweeps/${id}/pause`),
  resume: (id: string) => request<SweepDto>('POST', `/sweeps/${id}/resume`),
  cancel: (id: string) => request<CancelSweepResultDto>('POST', `/sweeps/${id}/cancel`),
  extend: (id: string, maxTrials: number) => request<SweepDto>('PATCH', `/sweeps/${id}`, { maxTrials }),
  trial: (id: string) => request<TrialDto>('GET', `/trials/${encodeURIComponent(id)}`),
  metrics: (id: string, points: number) => request<MetricSeriesDto>('GET', `/trials/${encodeURIComponent(id)}/metrics?points=${points}`),
  checkpoints: (id: string) => request<{ epoch: number; format: string; sizeBytes: number; createdAt: string }[]>('GET', `/trials/${encodeURIComponent(id)}/checkpoints`),
  workers: () => request<{ items: WorkerDto[] }>('GET', '/workers'),
};
