import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '@tuneforge/testing';
import { tuneforge } from './support/cli';
import { E2eStack } from './support/e2e-stack';

const TOKEN = /^tf_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/m;
const NOT_SIGNED_IN = 4;

describe('tuneforge login, tokens and projects against a real coordinator', () => {
  const stack = new E2eStack('cli_accounts');
  const root = mkdtempSync(join(tmpdir(), 'acct-cli-'));
  /** A user's environment: their own HOME and config directory, no token in the environment. */
  const home = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    return { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), TUNEFORGE_TOKEN: '' };
  };
  let env: Record<string, string> = {};
  let api = '';
  const as = (args: string[], extra: Record<string, string> = {}, input?: string) => tuneforge(['--api', api, ...args], { ...env, ...extra }, input);
  const admin = (args: string[]) => as(['--token', TEST_ADMIN_TOKEN, ...args]);

  before(async () => {
    await stack.start();
    api = stack.api.replace(/\/api\/v1$/, '');
    env = home('alice');
    await stack.client.createUser({ body: { name: 'cli-alice' } });
  });
  after(() => stack.close());

  it('without a token says how to sign in and exits 4', async () => {
    const whoami = await as(['whoami']);
    assert.equal(whoami.code, NOT_SIGNED_IN, whoami.stderr);
    assert.match(whoami.stderr, /not signed in: .*\n.*run `tuneforge login`/);
    assert.equal((await as(['status'])).code, NOT_SIGNED_IN);
  });

  it('logs in with a token from stdin and stores it for this coordinator only, readable by its owner only', async () => {
    const created = await admin(['token', 'create', 'alice-laptop', '--user', 'cli-alice']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, TOKEN);
    assert.match(created.stderr, /shown this once/);

    const login = await as(['login'], {}, `${token}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /signed in to .* as cli-alice \(person\): no project yet/);
    assert.ok(!login.stdout.includes(token) && !login.stderr.includes(token), 'the token is not printed back');
    const dir = join(env.XDG_CONFIG_HOME, 'tuneforge');
    const file = join(dir, 'credentials.json');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(Object.keys(stored), [stack.api]);
    assert.equal(stored[stack.api].token, token);

    const whoami = await as(['whoami']);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /^cli-alice \(person\): no project yet\ntoken from credentials file/);
    assert.equal((await tuneforge(['--api', 'http://127.0.0.1:1', 'whoami'], env)).code, 3, 'another coordinator gets no token (and is unreachable)');
  });

  it('takes --token first, then TUNEFORGE_TOKEN, then the stored one', async () => {
    assert.match((await as(['whoami'], { TUNEFORGE_TOKEN: TEST_ADMIN_TOKEN })).stdout, /^admin \(person, administrator of the deployment\)[^\n]*\ntoken from TUNEFORGE_TOKEN/);
    const alice = JSON.parse(readFileSync(join(env.XDG_CONFIG_HOME, 'tuneforge', 'credentials.json'), 'utf8'))[stack.api].token;
    assert.match((await as(['--token', alice, 'whoami'], { TUNEFORGE_TOKEN: TEST_ADMIN_TOKEN })).stdout, /^cli-alice [^\n]*\ntoken from --token/);
  });

  it('manages projects and members; a 403 names the role needed and exits 4', async () => {
    const created = await admin(['project', 'create', 'cli-team']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created project 'cli-team' \([0-9a-f-]{36}\); you are its admin/);
    assert.match((await admin(['project', 'add-member', 'cli-team', 'cli-alice'])).stdout, /cli-alice is viewer of cli-team/);

    const list = await as(['project', 'list']);
    assert.match(list.stdout, /cli-team\s+viewer\s+[0-9a-f-]{36}/);
    const members = await as(['project', 'members', 'cli-team']);
    assert.equal(members.code, 0, members.stderr);
    assert.match(members.stdout, /admin\s+person\s+admin/);
    assert.match(members.stdout, /cli-alice\s+person\s+viewer/);

    const refused = await as(['project', 'add-member', 'cli-team', 'admin', '--role', 'viewer']);
    assert.equal(refused.code, NOT_SIGNED_IN, refused.stderr);
    assert.match(refused.stderr, /not allowed: .*this needs admin/);
    const submit = await as(['submit', join(__dirname, '..', 'examples', 'births-lstm.yaml'), '--project', 'cli-team']);
    assert.equal(submit.code, NOT_SIGNED_IN, submit.stderr);
    assert.match(submit.stderr, /this needs editor/);
    const create = await as(['project', 'create', 'mine']);
    assert.equal(create.code, NOT_SIGNED_IN);
    assert.match(create.stderr, /administrator of the deployment/);

    assert.match((await admin(['project', 'add-member', 'cli-team', 'cli-alice', '--role', 'admin'])).stdout, /cli-alice is admin of cli-team/);
    assert.equal((await as(['project', 'remove-member', 'cli-team', 'admin'])).code, 0);
    const last = await as(['project', 'remove-member', 'cli-team', 'cli-alice']);
    assert.equal(last.code, 1, last.stderr);
    assert.match(last.stderr, /last admin/);
    const unknown = await as(['project', 'members', 'no-such-team']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /you are in no project 'no-such-team' \(yours: cli-team\)/);
  });

  it('creates, lists and revokes tokens; a revoked one exits 4', async () => {
    const created = await as(['token', 'create', 'ci', '--expires-in-days', '7']);
    assert.equal(created.code, 0, created.stderr);
    const ci = created.stdout.trim();
    const id = /id ([0-9a-f-]{36})/.exec(created.stderr)?.[1];
    assert.ok(id, created.stderr);
    assert.match((await as(['--token', ci, 'whoami'])).stdout, /^cli-alice/);
    const list = await as(['token', 'list']);
    assert.match(list.stdout, new RegExp(`${id}\\s+ci\\s+${ci.split('_')[1]}\\s+active`));
    assert.match(list.stdout, /alice-laptop\s+\w+\s+active/);
    assert.ok(!list.stdout.includes(ci), 'no token in the list');
    assert.match((await as(['token', 'revoke', id])).stdout, /revoked/);
    const revoked = await as(['--token', ci, 'whoami']);
    assert.equal(revoked.code, NOT_SIGNED_IN);
    assert.match(revoked.stderr, /revoked/);
    assert.match((await as(['token', 'list'])).stdout, new RegExp(`${id}\\s+ci\\s+\\w+\\s+revoked`));
    assert.equal((await as(['token', 'list', '--user', 'admin'])).code, NOT_SIGNED_IN, "only administrators list others' tokens");
  });

  it('refuses bad input with exit 2', async () => {
    assert.equal((await as(['token', 'create', 'x', '--expires-in-days', '0'])).code, 2);
    assert.equal((await as(['project', 'add-member', 'cli-team', 'someone', '--role', 'owner'])).code, 2);
    const empty = await tuneforge(['--api', api, 'login'], home('nobody'), '');
    assert.equal(empty.code, 2, empty.stderr);
    assert.match(empty.stderr, /no token given/);
  });

  it('logout forgets the token (and --revoke revokes it); a refused login stores nothing', async () => {
    const out = await as(['logout']);
    assert.match(out.stdout, /signed out of /);
    assert.deepEqual(JSON.parse(readFileSync(join(env.XDG_CONFIG_HOME, 'tuneforge', 'credentials.json'), 'utf8')), {});
    assert.equal((await as(['whoami'])).code, NOT_SIGNED_IN);
    assert.match((await as(['logout'])).stdout, /no token was stored/);

    const refused = await as(['login', '--token', `tf_${'x'.repeat(10)}_${'X'.repeat(43)}`]);
    assert.equal(refused.code, NOT_SIGNED_IN);
    assert.match(refused.stderr, /refused the token/);
    assert.deepEqual(JSON.parse(readFileSync(join(env.XDG_CONFIG_HOME, 'tuneforge', 'credentials.json'), 'utf8')), {});

    const token = (await admin(['token', 'create', 'to-revoke', '--user', 'cli-alice'])).stdout.trim();
    assert.equal((await as(['login', '--token', token])).code, 0);
    const revoked = await as(['logout', '--revoke']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked token/);
    assert.equal((await as(['--token', token, 'whoami'])).code, NOT_SIGNED_IN, 'the token no longer works');
  });

  it('stores under ~/.config without XDG_CONFIG_HOME, and tightens a directory others could read', async () => {
    const bob = { ...home('bob'), XDG_CONFIG_HOME: '' };
    const dir = join(bob.HOME, '.config', 'tuneforge');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'other.txt'), 'kept');
    const login = await tuneforge(['--api', api, 'login', '--token', TEST_ADMIN_TOKEN], bob);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'credentials.json')).mode & 0o777, 0o600);
    assert.ok(existsSync(join(dir, 'other.txt')));
    assert.match((await tuneforge(['--api', api, 'whoami'], bob)).stdout, /^admin /);
  });
});
