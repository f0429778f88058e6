import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CSRF_COOKIE, CSRF_HEADER, type SweepDto } from '@tuneforge/contracts';
import { DEFAULT_PROJECT_ID, type Stores } from '@tuneforge/persistence';
import { aSweepSpec, expireSessions, seedAccount, TEST_ADMIN_TOKEN, waitFor } from '@tuneforge/testing';
import { collectPageErrors, launchChromium, screenshot } from './support/browser';
import { E2eStack } from './support/e2e-stack';

const TIMEOUT = 30_000;
const WRONG_CREDENTIALS = 'the name and password, or the token, are not right';

describe('dashboard sign-in in headless chromium against a real coordinator', () => {
  const stack = new E2eStack('dashboard_auth_e2e', { EVENTS_HEARTBEAT_MS: '2000' });
  let stores: Stores;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[][] = [];
  let sweep: SweepDto;
  const people = {
    editor: { name: 'alice', password: 'alice-password-1', userId: '' },
    viewer: { name: 'victor', password: 'victor-password-1', userId: '' },
    demoted: { name: 'erin', password: 'erin-password-1', userId: '' },
  };

  before(async () => {
    await stack.start();
    stores = await stack.stores();
    const roles = { editor: 'editor', viewer: 'viewer', demoted: 'editor' } as const;
    for (const [key, person] of Object.entries(people)) {
      ({ userId: person.userId } = await seedAccount(stores, { name: person.name, password: person.password, roles: [{ projectId: DEFAULT_PROJECT_ID, role: roles[key as keyof typeof roles] }] }));
    }
    // No workers: the sweep stays running with queued trials, so its actions stay offered.
    sweep = await stack.submit(aSweepSpec({ name: 'auth-e2e', model: 'simulated', budget: { maxTrials: 50, maxConcurrent: 2, maxEpochsPerTrial: 5 } }));
    browser = await launchChromium();
  });
  // Every test starts signed out, in a browser context (cookie jar) of its own.
  async function freshPage(): Promise<Page> {
    context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    pageErrors.push(collectPageErrors(page));
    return page;
  }
  afterEach(async () => {
    await context?.close();
  });
  after(async () => {
    await browser?.close();
    await stack.close();
  });

  async function signInWithPassword(person: { name: string; password: string }): Promise<void> {
    await page.getByTestId('sign-in-name').fill(person.name);
    await page.getByTestId('sign-in-password').fill(person.password);
    await page.getByTestId('sign-in-submit').click();
  }

  async function csrfCookie(): Promise<string> {
    const cookie = (await context.cookies(stack.origin)).find((c) => c.name === CSRF_COOKIE);
    assert.ok(cookie, 'the CSRF cookie is set');
    return decodeURIComponent(cookie.value);
  }

  it('shows the form to a visitor, signs in with a password and returns to the page asked for', async () => {
    await freshPage();
    await page.goto(`${stack.origin}/sweeps/${sweep.id}`);
    await page.getByTestId('sign-in').waitFor();
    assert.equal(await page.getByTestId('sign-in-notice').count(), 0, 'a first visit is not an expired session');
    await screenshot(page, 'sign-in');
    await signInWithPassword(people.editor);
    await page.getByTestId('sweep-page').waitFor();
    assert.equal(new URL(page.url()).pathname, `/sweeps/${sweep.id}`);
    assert.match(await page.getByTestId('signed-in-as').innerText(), /^alice · default: editor$/);
    await page.getByTestId('action-pause').waitFor();
    await page.getByTestId('connection').and(page.locator('[data-state="live"]')).waitFor();
    await screenshot(page, 'signed-in');
  });

  it('shows the coordinator’s message for a wrong password, and keeps the form', async () => {
    await freshPage();
    await page.goto(stack.origin + '/');
    await signInWithPassword({ name: people.editor.name, password: 'not-the-password' });
    assert.match(await page.getByTestId('sign-in').getByRole('alert').innerText(), new RegExp(WRONG_CREDENTIALS));
    assert.equal((await page.request.get(`${stack.api}/me`)).status(), 401, 'no session was made');
    // The form still works after a refusal.
    await page.getByTestId('sign-in-password').fill(people.editor.password);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('sweeps').waitFor();
  });

  it('signs in with an API token (the administrator’s), and a wrong token shows the message', async () => {
    await freshPage();
    await page.goto(`${stack.origin}/workers`);
    await page.getByTestId('sign-in-mode').click();
    await page.getByTestId('sign-in-token').fill('tf_nosuchtk_' + 'x'.repeat(43));
    await page.getByTestId('sign-in-submit').click();
    assert.match(await page.getByTestId('sign-in').getByRole('alert').innerText(), new RegExp(WRONG_CREDENTIALS));
    await page.getByTestId('sign-in-token').fill(TEST_ADMIN_TOKEN);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('workers').waitFor();
    assert.match(await page.getByTestId('signed-in-as').innerText(), /^admin \(administrator\) · default: admin$/);
  });

  it('offers single sign-on only when the coordinator says an OpenID provider is configured', async () => {
    await freshPage();
    const providers = await page.request.get(`${stack.api}/auth/providers`);
    await page.goto(`${stack.origin}/sweeps?status=running`);
    await page.getByTestId('sign-in').waitFor();
    // The SSO button appears once the providers have been asked; give that request time to answer.
    await page.waitForLoadState('networkidle');
    const oidc = providers.status() === 200 ? ((await providers.json()) as { oidc: { name: string } | null }).oidc : null;
    if (providers.status() !== 200) assert.equal(providers.status(), 404, 'a coordinator without /auth/providers');
    assert.equal(await page.getByTestId('sign-in-sso').count(), oidc ? 1 : 0);
    if (oidc) {
      const href = await page.getByTestId('sign-in-sso').getAttribute('href');
      assert.equal(href, `/api/v1/auth/oidc/login?returnTo=${encodeURIComponent('/sweeps?status=running')}`);
    }
  });

  it('signs out: the session ends, the next call is 401 and the form is back', async () => {
    await freshPage();
    await page.goto(stack.origin + '/');
    await signInWithPassword(people.editor);
    await page.getByTestId('sweeps').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in').waitFor();
    assert.match(await page.getByTestId('sign-in-notice').innerText(), /You signed out/);
    assert.equal((await context.cookies(stack.origin)).length, 0, 'both cookies are cleared');
    assert.equal((await page.request.get(`${stack.api}/me`)).status(), 401);
    await page.reload();
    await page.getByTestId('sign-in').waitFor();
  });

  it('sends the user back to the form when the session expires, and back to the page after signing in again', async () => {
    await freshPage();
    await page.goto(stack.origin + '/');
    await signInWithPassword(people.editor);
    // The session expires only once the page has asked everything it asks on load (the sweeps list, the event
    // stream): a call still in flight would meet the expired session first and show the form before the click.
    await page.getByTestId('sweeps-table').waitFor();
    await page.getByTestId('connection').and(page.locator('[data-state="live"]')).waitFor();
    await expireSessions(stores, people.editor.userId);
    await page.getByRole('link', { name: 'Workers' }).click();
    await page.getByTestId('sign-in').waitFor();
    assert.match(await page.getByTestId('sign-in-notice').innerText(), /your session has expired/i);
    assert.equal(new URL(page.url()).pathname, '/workers');
    await screenshot(page, 'session-expired');
    await signInWithPassword(people.editor);
    await page.getByTestId('workers').waitFor();
    // A reload with the expired session's cookies says so too.
    await expireSessions(stores, people.editor.userId);
    await page.reload();
    assert.match(await page.getByTestId('sign-in-notice').innerText(), /your session has expired/i);
  });

  it('notices an expired session when the event stream fails with 401 (it cannot read the status: it asks /me)', async () => {
    await freshPage();
    await page.goto(`${stack.origin}/workers`);
    await signInWithPassword(people.editor);
    await page.getByTestId('connection').and(page.locator('[data-state="live"]')).waitFor();
    // The coordinator goes away first, so no reconnect can reach it while the session still holds: an
    // unreachable coordinator must not read as an expired session. Then the session expires and the
    // coordinator comes back; the reconnect is refused with 401, and nothing else asks the API.
    const port = Number(new URL(stack.origin).port);
    await stack.coordinator.stop('SIGTERM');
    try {
      await page.locator('[data-testid="connection"][data-state="disconnected"]').waitFor();
      assert.equal(await page.getByTestId('sign-in').count(), 0, 'an unreachable coordinator is not an expired session');
      await expireSessions(stores, people.editor.userId);
    } finally {
      await stack.startCoordinator(port);
    }
    await page.getByTestId('sign-in').waitFor();
    assert.match(await page.getByTestId('sign-in-notice').innerText(), /your session has expired/i);
  });

  it('shows a viewer no actions, and the coordinator refuses a write they send anyway', async () => {
    await freshPage();
    await page.goto(`${stack.origin}/sweeps/${sweep.id}`);
    await signInWithPassword(people.viewer);
    await page.getByTestId('sweep-page').waitFor();
    assert.match(await page.getByTestId('signed-in-as').innerText(), /^victor · default: viewer$/);
    assert.match(await page.getByTestId('read-only').innerText(), /you are viewer in this sweep's project/);
    for (const action of ['pause', 'resume', 'cancel', 'extend']) assert.equal(await page.getByTestId(`action-${action}`).count(), 0, action);
    const refused = await page.request.post(`${stack.api}/sweeps/${sweep.id}/pause`, { headers: { [CSRF_HEADER]: await csrfCookie() } });
    assert.equal(refused.status(), 403);
    const body = (await refused.json()) as { code: string; message: string };
    assert.equal(body.code, 'FORBIDDEN');
    assert.match(body.message, /your role in this sweep's project is viewer; this needs editor/);
    await screenshot(page, 'viewer');
  });

  it('shows the 403 message when an editor, demoted meanwhile, pauses; then hides the actions', async () => {
    await freshPage();
    await page.goto(`${stack.origin}/sweeps/${sweep.id}`);
    await signInWithPassword(people.demoted);
    await page.getByTestId('action-pause').waitFor();
    await stores.accounts.setMember(DEFAULT_PROJECT_ID, people.demoted.userId, 'viewer');
    await page.getByTestId('action-pause').click();
    await page.getByRole('dialog', { name: 'Pause this sweep?' }).getByRole('button', { name: 'Pause' }).click();
    const alert = page.getByTestId('sweep-summary').getByRole('alert');
    assert.match(await alert.innerText(), /Could not pause the sweep: your role in this sweep's project is viewer; this needs editor/);
    // The refusal reloads who the user is: the header and the actions follow the new role.
    await page.getByTestId('read-only').waitFor();
    assert.match(await page.getByTestId('signed-in-as').innerText(), /default: viewer$/);
    assert.equal((await stack.client.getSweep({ id: sweep.id })).status, 'running');
  });

  it('lets an editor submit a sweep from an example, showing the field a refusal names; a viewer is offered none', async () => {
    await freshPage();
    await page.goto(`${stack.origin}/sweeps/new`);
    await signInWithPassword(people.editor);
    await page.getByTestId('new-sweep').waitFor();
    await page.getByTestId('new-sweep-example').selectOption('names-cells');
    const spec = await page.getByTestId('new-sweep-spec').inputValue();
    assert.match(spec, /name: first-names/);
    await page.getByTestId('new-sweep-spec').fill(spec.replace('metric: val_accuracy', 'metric: val_mae'));
    await page.getByTestId('new-sweep-submit').click();
    assert.match(await page.getByTestId('new-sweep-error').innerText(), /objective\.metric 'val_mae' is not reported for dataset 'first-names'; use one of loss, val_loss, val_accuracy, val_macro_f1/);
    await page.getByTestId('new-sweep-spec').fill(spec);
    await page.getByTestId('new-sweep-submit').click();
    await page.getByTestId('sweep-page').waitFor();
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    const submitted = await stack.client.getSweep({ id });
    assert.equal(submitted.name, 'names-cells');
    assert.deepEqual(submitted.objective, { metric: 'val_accuracy', direction: 'maximize' });
    await stack.client.cancelSweep({ id });
    await context.close();

    await freshPage();
    await page.goto(`${stack.origin}/`);
    await signInWithPassword(people.viewer);
    await page.getByTestId('sweeps').waitFor();
    assert.equal(await page.getByTestId('new-sweep-link').count(), 0, 'a viewer is offered no New sweep');
    await page.goto(`${stack.origin}/sweeps/new`);
    assert.match(await page.getByTestId('new-sweep-refused').innerText(), /needs the editor role in a project/);
  });

  it('refuses a cookie-authenticated write without the CSRF header (403 CSRF_TOKEN_INVALID), and takes it with the header', async () => {
    await freshPage();
    await page.goto(stack.origin + '/');
    await signInWithPassword(people.editor);
    await page.getByTestId('sweeps').waitFor();
    const refused = await page.request.post(`${stack.api}/sweeps/${sweep.id}/pause`);
    assert.equal(refused.status(), 403);
    assert.equal(((await refused.json()) as { code: string }).code, 'CSRF_TOKEN_INVALID');
    const wrong = await page.request.post(`${stack.api}/sweeps/${sweep.id}/pause`, { headers: { [CSRF_HEADER]: 'not-the-token' } });
    assert.equal(((await wrong.json()) as { code: string }).code, 'CSRF_TOKEN_INVALID');
    assert.equal((await stack.client.getSweep({ id: sweep.id })).status, 'running');
    const csrf = await csrfCookie();
    assert.equal((await page.request.post(`${stack.api}/sweeps/${sweep.id}/pause`, { headers: { [CSRF_HEADER]: csrf } })).status(), 200);
    assert.equal((await page.request.post(`${stack.api}/sweeps/${sweep.id}/resume`, { headers: { [CSRF_HEADER]: csrf } })).status(), 200);
    assert.equal((await stack.client.getSweep({ id: sweep.id })).status, 'running');
  });

  it('shows the audit log to an administrator (sign-ins and refusals, filtered by action), and no Audit link to others', async () => {
    await freshPage();
    await page.goto(`${stack.origin}/`);
    await signInWithPassword({ name: people.editor.name, password: 'not-the-password' });
    await page.getByTestId('sign-in').getByRole('alert').waitFor();
    await signInWithPassword(people.editor);
    await page.getByTestId('signed-in-as').waitFor();
    assert.equal(await page.getByTestId('nav-audit').count(), 0, 'an editor has no Audit link');
    await context.close();

    await freshPage();
    await page.goto(`${stack.origin}/audit`);
    await page.getByTestId('sign-in-mode').click();
    await page.getByTestId('sign-in-token').fill(TEST_ADMIN_TOKEN);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('audit-table').waitFor();
    await page.getByTestId('nav-audit').waitFor();
    await page.getByTestId('audit-action').selectOption('sign-in-failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitFor('only failed sign-ins are listed', async () => {
      const actions = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
      return actions.length > 0 && actions.every((a) => a === 'sign-in-failed');
    });
    assert.match(await page.getByTestId('audit-row').first().innerText(), new RegExp(`anonymous[\\s\\S]*sign-in-failed[\\s\\S]*account ${people.editor.name}[\\s\\S]*refused \\(401\\)`));
  });

  it('raised no errors in the page other than the refused and failed requests', () => {
    const unexpected = pageErrors.flat().filter((e) => !/Failed to load resource|EventSource's response has a MIME type|status of 40[134]|ERR_CONNECTION_REFUSED/.test(e));
    assert.deepEqual(unexpected, []);
  });
});
