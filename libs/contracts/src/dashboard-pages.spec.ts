import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dashboardPageOf } from './dashboard-pages';

describe(dashboardPageOf.name, () => {
  it('finds each page and its params, trailing slashes ignored', () => {
    assert.deepEqual(dashboardPageOf('/'), { page: '/', params: {} });
    assert.deepEqual(dashboardPageOf('/sweeps/'), { page: '/sweeps', params: {} });
    assert.deepEqual(dashboardPageOf('/workers'), { page: '/workers', params: {} });
    assert.deepEqual(dashboardPageOf('/audit'), { page: '/audit', params: {} });
    assert.deepEqual(dashboardPageOf('/sweeps/abc'), { page: '/sweeps/:id', params: { id: 'abc' } });
    assert.deepEqual(dashboardPageOf('/trials/a%20b'), { page: '/trials/:id', params: { id: 'a b' } });
  });

  it('names no page for other paths, deeper paths and malformed escapes', () => {
    for (const path of ['/metrics', '/favicon.ico', '/no/such/page', '/sweeps/abc/trials', '/trials/', '/api/v1/sweeps', '/assets/app.js', '/trials/%E0%A4%A']) {
      assert.equal(dashboardPageOf(path), undefined, path);
    }
  });
});
