import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort } from '@tuneforge/testing';
import { ssoConfigFor, startTestOpenIdProvider, type TestOpenIdProvider } from '../apps/coordinator/test/support/openid-provider';
import { startTestCoordinator, type TestCoordinator } from '../apps/coordinator/test/support/test-coordinator';
import { collectPageErrors, launchChromium } from './support/browser';

const TIMEOUT = 30_000;

describe('single sign-on in headless chromium: the dashboard through a real OpenID provider and back', () => {
  let idp: TestOpenIdProvider;
  let coordinator: TestCoordinator;
  let browser: Browser;

  before(async () => {
    const port = await freePort();
    const redirectUrl = `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`;
    idp = await startTestOpenIdProvider(redirectUrl);
    const oidc = ssoConfigFor(idp, redirectUrl, { 'ml-team': { project: 'default', role: 'editor' } });
    coordinator = await startTestCoordinator('dashboard_sso', { port, oidc });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await coordinator?.close();
    await idp?.close();
  });

  it('offers SSO on the sign-in form, signs in at the provider, returns to the page asked for with the role of the groups, and signs out', async () => {
    idp.identity = { sub: 'sso-grace', preferred_username: 'grace', groups: ['ml-team'] };
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const errors = collectPageErrors(page);
    await page.goto(`${coordinator.baseUrl}/workers`);
    const sso = page.getByTestId('sign-in-sso');
    assert.equal(await sso.innerText(), 'Sign in with SSO (Test IdP)');
    await sso.click();
    await page.getByTestId('workers').waitFor();
    assert.equal(new URL(page.url()).pathname, '/workers', 'back on the page asked for');
    assert.match(await page.getByTestId('signed-in-as').innerText(), /^grace · default: editor$/);
    assert.ok(idp.requests.some((path) => path.startsWith('/jwks')), "the coordinator checked the ID token's signature");
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in').waitFor();
    assert.equal((await page.request.get(`${coordinator.baseUrl}/api/v1/me`)).status(), 401, 'signed out');
    assert.deepEqual(errors.filter((e) => !/Failed to load resource|status of 401/.test(e)), []);
    await context.close();
  });
});
