// The platform operator's pages and the error page.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptInvitationAsNewUser,
  expectText,
  readInvitationLink,
  signIn,
  suite,
  waitForMail,
  waitForPath,
} from './harness.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

test('the platform admin creates a brand whose first admin signs up from the link', async () => {
  const root = await env.newPage();
  const { page } = root;
  await signIn(page, 'root@portico.test');
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Brands', exact: true }).click();
  await waitForPath(page, '/platform/brands');
  await page.getByRole('heading', { level: 1, name: 'Brands' }).waitFor();
  const before = (await page.locator('tbody tr td:first-child').allInnerTexts()).map((t) => t.trim());
  assert.deepEqual(before.toSorted(), ['Acme Apparel', 'Blue Harbor Home']);

  await page.getByRole('heading', { level: 2, name: 'Create a brand' }).waitFor();
  const email = 'founder@cedar-outdoor.test';
  await page.getByLabel('Brand name', { exact: true }).fill('Cedar Outdoor');
  await page.getByLabel("First administrator's e-mail", { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Create brand and invite' }).click();
  const link = await readInvitationLink(page);
  const mail = await waitForMail(env.server.mailDir, email, /Cedar Outdoor/);
  assert.ok(mail.body.includes(link), `the mail carries ${link}:\n${mail.body}`);
  await page.getByRole('link', { name: 'Done' }).click();
  await waitForPath(page, '/platform/brands');
  await page.getByRole('cell', { name: 'Cedar Outdoor', exact: true }).waitFor();

  // A second brand with the same name is refused on the form.
  await page.getByLabel('Brand name', { exact: true }).fill('Cedar Outdoor');
  await page.getByLabel("First administrator's e-mail", { exact: true }).fill('someone.else@cedar-outdoor.test');
  await page.getByRole('button', { name: 'Create brand and invite' }).click();
  await page.getByText('A brand with this name already exists.').waitFor();

  await nav.getByRole('link', { name: 'Organisations', exact: true }).click();
  await waitForPath(page, '/platform/orgs');
  await page.getByRole('heading', { level: 1, name: 'Organisations' }).waitFor();
  const cedar = page.getByRole('row').filter({ hasText: 'Cedar Outdoor' });
  await expectText(cedar.getByRole('cell').nth(1), 'Brand');
  await expectText(
    page.getByRole('row').filter({ hasText: 'Delta Garment Works' }).getByRole('cell').nth(1),
    'Contract factory',
  );

  const founder = await acceptInvitationAsNewUser(env, link, {
    name: 'Cedric Founder',
    email,
    password: 'pine needles and trails',
  });
  await founder.page.locator('.brand-badge', { hasText: 'Cedar Outdoor' }).waitFor();
  const founderNav = founder.page.getByRole('navigation', { name: 'Main navigation' });
  for (const name of ['Home', 'Partners', 'Users', 'Invitations']) {
    await founderNav.getByRole('link', { name, exact: true }).waitFor();
  }
  await founderNav.getByRole('link', { name: 'Partners', exact: true }).click();
  await founder.page.getByText('No partners yet.').waitFor();

  root.watch.assertClean();
  founder.watch.assertClean();
  await root.context.close();
  await founder.context.close();
});

test('an unknown path shows the "Page not found" page with a reference', async () => {
  const { context, page, watch } = await env.newPage();

  const response = await page.goto('/no/such/page');
  assert.equal(response.status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  await page.getByText('There is nothing here, or you do not have access to it.').waitFor();
  const reference = (await page.locator('main code').innerText()).trim();
  assert.match(reference, /^[0-9a-f-]{36}$/, `reference is a request id: ${reference}`);
  assert.equal(reference, response.headers()['x-request-id']);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await waitForPath(page, '/login');

  // Signed in, the page offers the way home instead.
  await signIn(page, 'ops@acme.test');
  const again = await page.goto('/admin/partners/not-an-id');
  assert.equal(again.status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  const second = (await page.locator('main code').innerText()).trim();
  assert.notEqual(second, reference, 'each request has its own reference');
  await page.getByRole('link', { name: 'Go to the home page' }).click();
  await waitForPath(page, '/');

  // A platform page is not there for a brand user either.
  assert.equal((await page.goto('/platform/orgs')).status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();

  watch.assertClean();
  await context.close();
});
