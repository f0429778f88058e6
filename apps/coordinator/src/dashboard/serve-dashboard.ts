import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { dashboardPageOf } from '@tuneforge/contracts';

/** Where `vite build` writes the dashboard, from this file's folder in the source tree. */
export const DEFAULT_DASHBOARD_DIR = resolve(__dirname, '../../../dashboard/dist');

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Tuneforge</title>
<h1>The dashboard is not built</h1>
<p>Build it with <code>npm run dashboard:build</code> and reload; the API is at <a href="/api/v1/sweeps">/api/v1</a>, its docs at <a href="/api/docs">/api/docs</a>.</p>`;

/**
 * Serves the dashboard's build at `/`: its files, and index.html for a GET of one of its pages
 * (DASHBOARD_PAGES: /sweeps/:id, ...) so that client routes load the app. Any other path goes on to
 * the API's 404 (ROUTE_NOT_FOUND), so a mistyped URL or a scrape of a missing endpoint is not answered
 * with the app's HTML. Without a build, a page says so and the API works as before.
 */
export function serveDashboard(app: NestExpressApplication, dir = DEFAULT_DASHBOARD_DIR): void {
  const index = join(dir, 'index.html');
  // Looked up again on each request until found, so a build made after start-up is served without a restart.
  let built = existsSync(index);
  if (!built) Logger.warn(`no dashboard build in ${dir}; / explains how to build it`, 'Dashboard');
  app.use(express.static(dir, { index: false, maxAge: '1h' }));
  app.use((request: express.Request, response: express.Response, next: express.NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !dashboardPageOf(request.path)) return next();
    built ||= existsSync(index);
    if (!built) return void response.status(503).type('html').send(NOT_BUILT_PAGE);
    // The shell must never be cached: it names the current build's hashed assets.
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
}
