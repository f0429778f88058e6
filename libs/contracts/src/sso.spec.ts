import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSameOriginPath } from './sso';

describe(isSameOriginPath.name, () => {
  it('takes paths of this site, with their query and fragment', () => {
    for (const path of ['/', '/sweeps', '/sweeps/3f8e9a9e?tab=trials&x=%2F%2Fevil', '/trials/1#curves', '/a//b', '/%2F%2Fevil.example']) assert.ok(isSameOriginPath(path), path);
  });

  it('refuses another site, however it is spelled', () => {
    const elsewhere = ['//evil.example', '//evil.example/x', '/\\evil.example', '\\\\evil.example', 'https://evil.example/', 'http:/evil.example', 'javascript:alert(1)', 'data:text/html,x', 'evil.example', '', ' /sweeps'];
    for (const path of elsewhere) assert.equal(isSameOriginPath(path), false, path);
  });

  it('refuses control characters (header splitting) and paths over 2,000 characters', () => {
    for (const path of ['/ok\r\nSet-Cookie: x=1', '/ok\tx', '/ok\u0000', '/ok\u007f', `/${'a'.repeat(2000)}`]) assert.equal(isSameOriginPath(path), false, JSON.stringify(path.slice(0, 20)));
    assert.ok(isSameOriginPath(`/${'a'.repeat(1999)}`));
  });
});
