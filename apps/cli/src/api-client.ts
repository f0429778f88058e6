import { createApiClient, UnreachableError, type TuneforgeClient } from '@tuneforge/api-client';

export { ApiError, UnreachableError } from '@tuneforge/api-client';

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

/** The shared client on the coordinator at `raw` (any of the forms apiBaseUrl takes), with the API token of TUNEFORGE_TOKEN. */
export function connect(raw: string, token = process.env.TUNEFORGE_TOKEN): TuneforgeClient {
  return createApiClient({ baseUrl: apiBaseUrl(raw), token: token || undefined });
}
