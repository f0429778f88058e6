import type { Page, SweepDto, TrialDto, ValidationIssue } from '@tuneforge/contracts';

/** The coordinator answered, but refused or failed the request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer at all: wrong URL, coordinator down, network. */
export class UnreachableError extends Error {
  constructor(url: string, cause: string) {
    super(`cannot reach the coordinator at ${url} (${cause}); start it or point --api / TUNEFORGE_API at it`);
    this.name = 'UnreachableError';
  }
}

/** `http://host:3000`, `http://host:3000/api` and `http://host:3000/api/v1` all mean the same API. */
export function apiBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnreachableError(raw, 'not a URL; use e.g. http://127.0.0.1:3000');
  }
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/api/v1') ? path : path.endsWith('/api') ? `${path}/v1` : `${path}/api/v1`;
  return url.toString().replace(/\/+$/, '');
}

export class TuneforgeApi {
  constructor(readonly baseUrl: string) {}

  submitSweep(specText: string): Promise<SweepDto> {
    return this.request('POST', '/sweeps', { body: specText, contentType: 'application/yaml' });
  }

  listSweeps(limit = 20): Promise<Page<SweepDto>> {
    return this.request('GET', `/sweeps?limit=${limit}`);
  }

  sweep(id: string): Promise<SweepDto> {
    return this.request('GET', `/sweeps/${encodeURIComponent(id)}`);
  }

  /** Best first (the sweep's objective and direction). */
  topTrials(id: string, limit: number, offset = 0): Promise<Page<TrialDto>> {
    return this.request('GET', `/sweeps/${encodeURIComponent(id)}/trials?sort=objective&limit=${limit}&offset=${offset}`);
  }

  /** Trials in the order they were created, a page at a time. */
  trialsByNumber(id: string, limit: number, offset: number): Promise<Page<TrialDto>> {
    return this.request('GET', `/sweeps/${encodeURIComponent(id)}/trials?sort=number&order=asc&limit=${limit}&offset=${offset}`);
  }

  control(id: string, action: 'cancel' | 'pause' | 'resume'): Promise<SweepDto> {
    return this.request('POST', `/sweeps/${encodeURIComponent(id)}/${action}`);
  }

  private async request<T>(method: string, path: string, options: { body?: string; contentType?: string } = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers: options.contentType ? { 'content-type': options.contentType } : undefined,
        body: options.body,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(this.baseUrl, cause?.code ?? cause?.message ?? (error as Error).message);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    if (!response.ok) {
      const error = body as { message?: string | string[]; issues?: ValidationIssue[] } | undefined;
      const message = Array.isArray(error?.message) ? error.message.join('; ') : (error?.message ?? (text || response.statusText));
      throw new ApiError(response.status, `${method} ${path} failed with ${response.status}: ${message}`, error?.issues ?? []);
    }
    return body as T;
  }
}
