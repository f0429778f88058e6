import assert from 'node:assert/strict';
import { ErrorBodySchema } from '@tuneforge/contracts';
import { adminFetch } from '@tuneforge/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

describe('dashboard serving', () => {
  const built = mkdtempSync(join(tmpdir(), 'tf-dashboard-'));
  const missing = mkdtempSync(join(tmpdir(), 'tf-no-dashboard-'));
  let withBuild: TestCoordinator;
  let withoutBuild: TestCoordinator;

  before(async () => {
    mkdirSync(join(built, 'assets'));
    writeFileSync(join(built, 'index.html'), '<!doctype html><div id="root"></div><script src="/assets/app-1234.js"></script>');
    writeFileSync(join(built, 'assets/app-1234.js'), 'console.log("app")');
    withBuild = await startTestCoordinator('dashboard_serving', { dashboardDir: built });
    withoutBuild = await startTestCoordinator('dashboard_missing', { dashboardDir: missing });
  });
  after(async () => {
    await withBuild?.close();
    await withoutBuild?.close();
    rmSync(built, { recursive: true, force: true });
    rmSync(missing, { recursive: true, force: true });
  });

  it('serves the build at / and its assets', async () => {
    const index = await adminFetch(`${withBuild.baseUrl}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(await index.text(), /<div id="root">/);
    const asset = await adminFetch(`${withBuild.baseUrl}/assets/app-1234.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  });

  it("answers the dashboard's pages with index.html, and leaves /api to the API", async () => {
    for (const path of ['/', '/sweeps', '/sweeps/', '/sweeps/0b8f5e1c-1111-4222-8333-444455556666', '/trials/x', '/workers', '/audit']) {
      const response = await adminFetch(withBuild.baseUrl + path);
      assert.equal(response.status, 200, path);
      assert.match(await response.text(), /<div id="root">/, path);
    }
    const head = await fetch(`${withBuild.baseUrl}/workers`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const api = await adminFetch(`${withBuild.baseUrl}/api/v1/no-such-endpoint`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /application\/json/);
    assert.equal((await adminFetch(`${withBuild.baseUrl}/api/v1/sweeps`)).status, 200);
  });

  it('answers any other path with the API\'s 404, never the app (a scrape of a missing endpoint must not look healthy)', async () => {
    for (const path of ['/no/such/page', '/sweeps/x/trials', '/favicon.ico', '/assets/app-0000.js', '/prometheus', '/metrics/extra', '/trials/%E0%A4%A']) {
      for (const server of [withBuild, withoutBuild]) {
        const response = await fetch(server.baseUrl + path);
        assert.equal(response.status, 404, path);
        const body = ErrorBodySchema.parse(await response.json());
        assert.equal(body.code, 'ROUTE_NOT_FOUND', path);
      }
    }
    // Other methods on pages are not pages either.
    assert.equal((await fetch(`${withBuild.baseUrl}/sweeps`, { method: 'POST' })).status, 404);
  });

  it('serves /metrics as Prometheus text, not the app, with or without a build', async () => {
    for (const server of [withBuild, withoutBuild]) {
      const response = await fetch(`${server.baseUrl}/metrics`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await response.text(), /^# HELP /m);
    }
  });

  it('says the dashboard is not built when there is no build, and the API still works', async () => {
    const index = await adminFetch(`${withoutBuild.baseUrl}/`);
    assert.equal(index.status, 503);
    assert.equal((await adminFetch(`${withoutBuild.baseUrl}/trials/abc`)).status, 503, 'on every page');
    assert.match(await index.text(), /dashboard is not built[\s\S]*npm run dashboard:build/);
    assert.equal((await adminFetch(`${withoutBuild.baseUrl}/api/v1/sweeps`)).status, 200);
  });

  it('serves a build made after start-up without a restart', async () => {
    writeFileSync(join(missing, 'index.html'), '<!doctype html><div id="root">late</div>');
    const index = await adminFetch(`${withoutBuild.baseUrl}/sweeps/abc`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /late/);
  });
});
