/**
 * The dashboard's pages, its client-side routes: the dashboard renders one for each, and the coordinator
 * answers exactly these paths with the dashboard's index.html (any other path outside the API is a 404).
 */
export const DASHBOARD_PAGES = ['/', '/sweeps', '/workers', '/audit', '/compare', '/sweeps/new', '/sweeps/:id', '/trials/:id'] as const;
export type DashboardPage = (typeof DASHBOARD_PAGES)[number];

/** The page a path shows and its `:params` (first match wins; trailing slashes ignored), or undefined. */
export function dashboardPageOf(path: string): { page: DashboardPage; params: Record<string, string> } | undefined {
  for (const page of DASHBOARD_PAGES) {
    const params = matchPattern(path, page);
    if (params) return { page, params };
  }
  return undefined;
}

function matchPattern(path: string, pattern: string): Record<string, string> | undefined {
  const parts = path.replace(/\/+$/, '').split('/');
  const wanted = pattern.replace(/\/+$/, '').split('/');
  if (parts.length !== wanted.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i].startsWith(':')) {
      if (parts[i] === '') return undefined;
      const value = decodedSegment(parts[i]);
      if (value === undefined) return undefined;
      params[wanted[i].slice(1)] = value;
    } else if (wanted[i] !== parts[i]) return undefined;
  }
  return params;
}

function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // a malformed escape (%E0%A4%A) names no page
  }
}
