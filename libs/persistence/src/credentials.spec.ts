import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerMatches, decoyPasswordHash, hashPassword, newApiToken, parseApiToken, passwordMatches, secretMatches, sha256 } from './credentials';

describe('credentials', () => {
  it('makes API tokens whose prefix finds them and whose secret only its SHA-256 checks', () => {
    const made = newApiToken();
    const parsed = parseApiToken(made.token);
    assert.ok(parsed);
    assert.equal(parsed.prefix, made.prefix);
    assert.equal(sha256(parsed.secret), made.secretSha256);
    assert.ok(secretMatches(parsed.secret, made.secretSha256));
    assert.ok(!secretMatches(`${parsed.secret.slice(0, -1)}x`, made.secretSha256));
    assert.ok(!made.secretSha256.includes(parsed.secret));
    for (const bad of ['', 'tf_short_x', `tf_${made.prefix}_${parsed.secret}!`, `Bearer ${made.token}`, made.token.toUpperCase()]) assert.equal(parseApiToken(bad), undefined, bad);
  });

  it('checks a bearer header against a SHA-256: only `Bearer <the secret>` matches', () => {
    const expected = sha256('metrics-token-0123456789');
    assert.ok(bearerMatches('Bearer metrics-token-0123456789', expected));
    assert.ok(bearerMatches('bearer  metrics-token-0123456789 ', expected));
    for (const bad of [undefined, '', 'Bearer', 'Bearer metrics-token-012345678', 'Basic metrics-token-0123456789', 'Bearer metrics-token-0123456789 extra', 'metrics-token-0123456789']) {
      assert.equal(bearerMatches(bad, expected), false, String(bad));
    }
  });

  it('hashes passwords with salt (scrypt): the same password hashes differently, and only it matches', async () => {
    const [a, b] = [await hashPassword('correct horse battery'), await hashPassword('correct horse battery')];
    assert.notEqual(a, b);
    assert.match(a, /^scrypt\$32768\$8\$1\$/);
    assert.ok(await passwordMatches('correct horse battery', a));
    assert.ok(!(await passwordMatches('correct horse batterY', a)));
    assert.ok(!(await passwordMatches('anything', 'not-a-hash')));
  });

  it('keeps one decoy hash that no password matches, for names without one', async () => {
    const decoy = await decoyPasswordHash();
    assert.equal(await decoyPasswordHash(), decoy);
    assert.ok(!(await passwordMatches('', decoy)));
    assert.ok(!(await passwordMatches('correct horse battery', decoy)));
  });
});
