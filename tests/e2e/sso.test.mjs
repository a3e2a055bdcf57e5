// Single sign-on against a real OIDC provider (oidc-provider on loopback): Sunrise's admin sets
// it up in the UI, a Sunrise user is routed from the e-mail to the provider and lands signed in,
// logout ends the provider's session too, and every way the callback can go wrong ends on
// Portico's sign-in page with a clear message.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  suite, signIn, submitSignIn, waitForPath, expectText, expectFlash, describePage,
} from './harness.mjs';
import { startProvider, CLIENT_ID, CLIENT_SECRET } from './oidc-provider.mjs';

const env = suite();
let provider;

before(async () => {
  await env.setup();
  provider = await startProvider({
    redirectUri: `${env.server.baseURL}/login/sso/callback`,
    postLogoutRedirectUri: `${env.server.baseURL}/login`,
  });
});
after(async () => {
  await provider?.close();
  await env.teardown();
});

/** Waits for Portico's sign-in page to show `pattern` as its error. */
async function expectLoginError(page, pattern) {
  try {
    await expectText(page.locator('#login-error'), pattern);
  } catch (err) {
    throw new Error(`no sign-in error ${pattern}: ${await describePage(page)}`, { cause: err });
  }
}

/** Enters the e-mail alone on Portico's sign-in page and follows it to the provider's form. */
async function goToProvider(page, email) {
  await page.goto('/login');
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.origin === provider.issuer && url.pathname.startsWith('/interaction/'));
}

/** Signs in at the provider (the e-mail comes pre-filled from Portico's login hint). */
async function signInAtProvider(page, email) {
  await page.getByLabel('E-mail').waitFor();
  assert.equal(await page.getByLabel('E-mail').inputValue(), email, 'login_hint carried over');
  await page.getByRole('button', { name: 'Sign in at provider' }).click();
}

async function ssoSignIn(page, email) {
  await goToProvider(page, email);
  await signInAtProvider(page, email);
}

test('an admin of Sunrise sets up single sign-on; the secret is never shown again', async () => {
  const { page, watch } = await env.newPage();
  await signIn(page, 'sales@sunrise.test');
  await page.goto('/admin/sso');
  await page.getByRole('button', { name: 'Save' }).click();
  await expectText(page.locator('#f-issuer-error'), /https issuer URL/);
  await expectText(page.locator('#f-client_secret-error'), /client secret/);

  await page.getByLabel('Issuer URL').fill(provider.issuer);
  await page.getByLabel('Client ID').fill(CLIENT_ID);
  await page.getByLabel('Client secret').fill(CLIENT_SECRET);
  await page.getByLabel('Allowed e-mail domains').fill('sunrise.test');
  await page.getByLabel(/Anyone with a verified address/).check();
  await page.getByLabel('Role of users who join through single sign-on').selectOption('member');
  await page.getByRole('button', { name: 'Save' }).click();
  await expectFlash(page, /Single sign-on settings saved/);
  assert.equal(await page.getByLabel('Client secret').inputValue(), '');
  assert.ok(!(await page.content()).includes(CLIENT_SECRET), 'the secret is not in the page');
  await expectText(page.locator('#f-client_secret-hint'), /never shown again/);
  watch.assertClean();
});

let usedCallback;

test('a Sunrise user enters the e-mail, signs in at the provider and lands in Portico', async () => {
  const { page, watch } = await env.newPage();
  page.on('request', (req) => {
    if (req.url().includes('/login/sso/callback')) usedCallback = req.url();
  });
  await ssoSignIn(page, 'lin@sunrise.test');
  await waitForPath(page, '/');
  await page.getByRole('heading', { level: 1, name: /^Hello, Lin Sunrise/ }).waitFor();
  assert.ok(usedCallback, 'came back through the callback');

  // Logout ends the provider's session too and comes back to Portico's sign-in page.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await waitForPath(page, '/login');
  await expectFlash(page, /You have signed out/);
  watch.assertClean();
});

test('a replayed callback is refused in a fresh browser', async () => {
  assert.ok(usedCallback, 'the sign-in test ran first');
  const { page, watch } = await env.newPage();
  await page.goto(usedCallback);
  await expectLoginError(page, /expired or was already used/);
  watch.assertClean();
});

test('a tampered state is refused', async () => {
  const { page, watch } = await env.newPage();
  // The provider echoes the state it was given, so the callback carries the tampered one
  // (Playwright cannot route the redirect hops that bring the browser back).
  await page.route((url) => url.origin === provider.issuer && url.pathname === '/auth', (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('state', 'tampered-state');
    return route.continue({ url: url.toString() });
  });
  let callback;
  page.on('request', (req) => {
    if (req.url().includes('/login/sso/callback')) callback = new URL(req.url());
  });
  await ssoSignIn(page, 'lin@sunrise.test');
  await expectLoginError(page, /expired or was already used/);
  assert.equal(callback.searchParams.get('state'), 'tampered-state');
  assert.ok(callback.searchParams.get('code'), 'with a valid code');
  watch.assertClean();
});

test('an ID token with another nonce is refused', async () => {
  const { page, watch } = await env.newPage();
  // The authorization request keeps its state and code challenge; only the nonce changes.
  let asked;
  await page.route((url) => url.origin === provider.issuer && url.pathname === '/auth', (route) => {
    const url = new URL(route.request().url());
    asked = new URL(url);
    url.searchParams.set('nonce', 'someone-elses-nonce');
    return route.continue({ url: url.toString() });
  });
  await ssoSignIn(page, 'lin@sunrise.test');
  assert.ok(asked.searchParams.get('code_challenge'), 'PKCE challenge sent');
  assert.equal(asked.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(asked.searchParams.get('state'), 'state sent');
  await expectLoginError(page, /does not belong to this sign-in/);
  watch.assertClean();
});

test('an expired ID token is refused', async () => {
  const { page, watch } = await env.newPage();
  provider.expireNextIdToken();
  await ssoSignIn(page, 'lin@sunrise.test');
  await expectLoginError(page, /has expired/);
  watch.assertClean();
});

test('an ID token issued for another application is refused', async () => {
  const { page, watch } = await env.newPage();
  provider.foreignAudienceForNextIdToken();
  await ssoSignIn(page, 'lin@sunrise.test');
  await expectLoginError(page, /meant for another application/);
  watch.assertClean();
});

test('when Sunrise requires SSO, password sign-in is refused and SSO still works', async () => {
  const admin = await env.newPage();
  await signIn(admin.page, 'sales@sunrise.test');
  await admin.page.goto('/admin/sso');
  await admin.page.getByLabel('Require single sign-on for all users of this organisation').check();
  await admin.page.getByRole('button', { name: 'Save' }).click();
  await expectFlash(admin.page, /Single sign-on settings saved/);

  const { page, watch } = await env.newPage();
  await submitSignIn(page, 'sales@sunrise.test');
  await expectLoginError(page, /requires single sign-on/);
  await page.getByRole('button', { name: 'Continue with single sign-on' }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await signInAtProvider(page, 'sales@sunrise.test');
  try {
    await waitForPath(page, '/');
  } catch (err) {
    throw new Error(`SSO sign-in of the admin failed: ${await describePage(page)}`, { cause: err });
  }
  // Other organisations keep their passwords.
  const acme = await env.newPage();
  await signIn(acme.page, 'admin@acme.test');
  watch.assertClean();
  admin.watch.assertClean();
  acme.watch.assertClean();
});
