// A partner's admin connects its ERP: creates an API client on the settings page, sees the
// secret once, the ERP gets a token and reads orders, the page shows the client was used, and
// revoking it (after confirmation) stops its token. The API reference renders for people.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectFlash, signIn, suite, waitForPath } from './harness.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

async function tokenFor(id, secret) {
  const res = await fetch(`${env.server.baseURL}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  return { status: res.status, body: await res.json() };
}

async function orders(token) {
  const res = await fetch(`${env.server.baseURL}/api/v1/orders`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

test('a supplier admin creates an API client, its ERP reads orders, and revoking it stops the token', async () => {
  const { page } = await env.newPage();
  await signIn(page, 'planner@delta.test');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'API clients' }).click();
  await waitForPath(page, '/admin/api-clients');
  await page.getByText('No API clients yet.').waitFor();

  // Nothing chosen is refused next to the field, and the name typed is kept.
  await page.getByLabel('Name').fill('SAP connector');
  await page.getByLabel('orders:read').uncheck();
  await page.getByRole('button', { name: 'Create client' }).click();
  await page.getByText('Choose at least one scope.').waitFor();
  assert.equal(await page.getByLabel('Name').inputValue(), 'SAP connector');

  await page.getByLabel('orders:read').check();
  await page.getByLabel('orders:write').check();
  await page.getByRole('button', { name: 'Create client' }).click();
  await waitForPath(page, '/admin/api-clients/created');
  await page.getByRole('heading', { level: 1, name: 'API client created' }).waitFor();
  const id = (await page.locator('.client-id').innerText()).trim();
  const secret = (await page.locator('.client-secret').innerText()).trim();
  assert.match(id, /^pc_/);
  assert.match(secret, /^pcs_/);

  // Shown once: a reload no longer has it.
  await page.reload();
  await page.getByText('The secret was shown once and is gone.').waitFor();
  assert.equal(await page.locator('.client-secret').count(), 0);

  const token = await tokenFor(id, secret);
  assert.equal(token.status, 200);
  assert.equal(token.body.token_type, 'Bearer');
  const list = await orders(token.body.access_token);
  assert.equal(list.status, 200);
  assert.ok(Array.isArray(list.body.items));

  await page.goto('/admin/api-clients');
  const row = page.locator('table.api-clients tbody tr', { hasText: 'SAP connector' });
  await row.locator('time').waitFor();
  await row.getByRole('link', { name: 'Revoke' }).click();
  await page.getByRole('heading', { level: 1, name: 'Revoke SAP connector?' }).waitFor();
  await page.getByRole('button', { name: 'Revoke' }).click();
  await waitForPath(page, '/admin/api-clients');
  await expectFlash(page, 'The client is revoked.');
  await row.getByText('Revoked').waitFor();

  const refused = await orders(token.body.access_token);
  assert.equal(refused.status, 401);
  assert.equal(refused.type, 'application/problem+json');
  assert.equal((await tokenFor(id, secret)).status, 401);
});

test('the API reference lists every operation and links the OpenAPI document', async () => {
  const { page } = await env.newPage();
  await page.goto('/api/v1');
  await page.getByRole('heading', { level: 1, name: 'Portico API reference' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'POST /api/v1/orders/{id}/decisions' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'GET /api/v1/orders', exact: true }).waitFor();
  const link = page.getByRole('link', { name: 'OpenAPI 3.1 document (JSON)' });
  const href = await link.getAttribute('href');
  const doc = await (await fetch(`${env.server.baseURL}${href}`)).json();
  assert.match(doc.openapi, /^3\.1/);
});
