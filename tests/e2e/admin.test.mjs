// A brand administrator's pages: partners (suspend and reactivate with confirmation) and users
// (change a role, disable and enable).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectFlash, expectText, signIn, submitSignIn, suite, waitForPath } from './harness.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

test('a brand admin suspends a partnership after confirming, then reactivates it', async () => {
  const admin = await env.newPage();
  const { page } = admin;
  await signIn(page, 'admin@acme.test');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Partners' }).click();
  await waitForPath(page, '/admin/partners');
  await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();
  const names = await page.locator('tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(
    names.map((n) => n.trim()).toSorted(),
    ['Delta Garment Works', 'Harbor Logistics', 'Jade Capital', 'Sunrise Textiles'],
  );

  await page.getByRole('link', { name: 'Delta Garment Works' }).click();
  await waitForPath(page, /^\/admin\/partners\/[^/]+$/);
  const detailPath = new URL(page.url()).pathname;
  await page.getByRole('heading', { level: 1, name: 'Delta Garment Works' }).waitFor();
  const status = page.locator('.page-head .status');
  await expectText(status, 'Active');
  await page.getByRole('cell', { name: 'planner@delta.test' }).waitFor();

  // Confirmation page; cancelling changes nothing.
  await page.getByRole('link', { name: 'Suspend partnership' }).click();
  await waitForPath(page, `${detailPath}/suspend`);
  await page.getByRole('heading', { level: 1, name: 'Suspend Delta Garment Works?' }).waitFor();
  await page
    .getByText('Delta Garment Works will lose access to everything of Acme Apparel until you reactivate the partnership.')
    .waitFor();
  await page.getByRole('link', { name: 'Cancel' }).click();
  await waitForPath(page, detailPath);
  await expectText(status, 'Active');

  await page.getByRole('link', { name: 'Suspend partnership' }).click();
  await page.getByRole('button', { name: 'Suspend partnership' }).click();
  await waitForPath(page, detailPath);
  await expectFlash(page, 'Delta Garment Works is suspended.');
  await expectText(status, 'Suspended');
  assert.equal(await page.getByRole('link', { name: 'Suspend partnership' }).count(), 0);

  // The factory, which serves only Acme, now has no active brand.
  const factory = await env.newPage();
  await signIn(factory.page, 'planner@delta.test');
  await factory.page
    .getByText('Your organisation has no active brand right now.')
    .waitFor();
  await factory.context.close();

  // The partner list agrees.
  await page.goto('/admin/partners');
  const row = page.getByRole('row').filter({ hasText: 'Delta Garment Works' });
  await expectText(row.getByRole('cell').nth(2), 'Suspended');
  await page.goto('/');
  await expectText(
    page.locator('.count-card').filter({ hasText: 'Suspended partners' }).locator('.count'),
    '1',
  );

  await page.goto(detailPath);
  await page.getByRole('link', { name: 'Reactivate partnership' }).click();
  await waitForPath(page, `${detailPath}/reactivate`);
  await page.getByRole('heading', { level: 1, name: 'Reactivate Delta Garment Works?' }).waitFor();
  await page.getByRole('button', { name: 'Reactivate partnership' }).click();
  await waitForPath(page, detailPath);
  await expectFlash(page, 'Delta Garment Works is active again.');
  await expectText(status, 'Active');

  const factoryAgain = await env.newPage();
  await signIn(factoryAgain.page, 'planner@delta.test');
  await expectText(factoryAgain.page.locator('main p.muted').first(), 'Delta Garment Works · working with Acme Apparel');
  factoryAgain.watch.assertClean();
  await factoryAgain.context.close();

  admin.watch.assertClean();
  await admin.context.close();
});

test("a brand admin changes a colleague's role, disables and re-enables the account", async () => {
  const admin = await env.newPage();
  const { page } = admin;
  await signIn(page, 'admin@acme.test');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Users' }).click();
  await waitForPath(page, '/admin/users');
  await page.getByRole('link', { name: 'Quinn Quality' }).click();
  await waitForPath(page, /^\/admin\/users\/[^/]+$/);
  const userPath = new URL(page.url()).pathname;
  await page.getByRole('heading', { level: 1, name: 'Quinn Quality' }).waitFor();
  const roleFact = page.locator('dl.facts dd').nth(1);
  await expectText(roleFact, 'Quality');

  // Role change.
  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Finance' });
  await page.getByRole('button', { name: 'Save role' }).click();
  await waitForPath(page, userPath);
  await expectFlash(page, 'The role has been changed.');
  await expectText(roleFact, 'Finance');
  assert.equal(await page.getByLabel('Role', { exact: true }).locator('option:checked').innerText(), 'Finance');

  // The colleague, signed in elsewhere, is signed out by the disable.
  const colleague = await env.newPage();
  await signIn(colleague.page, 'quality@acme.test');

  await page.getByRole('link', { name: 'Disable user' }).click();
  await waitForPath(page, `${userPath}/disable`);
  await page.getByRole('heading', { level: 1, name: 'Disable Quinn Quality?' }).waitFor();
  await page.getByText('quality@acme.test will be signed out and cannot sign in until enabled again.').waitFor();
  await page.getByRole('button', { name: 'Disable user' }).click();
  await waitForPath(page, userPath);
  await expectFlash(page, 'The user is disabled and has been signed out.');
  const status = page.locator('.page-head .status');
  await expectText(status, 'Disabled');

  await colleague.page.goto('/account');
  await waitForPath(colleague.page, /^\/login(\?|$)/);
  await submitSignIn(colleague.page, 'quality@acme.test');
  await colleague.page.getByRole('alert').filter({ hasText: 'The e-mail address or password is not right.' }).waitFor();

  await page.goto('/admin/users');
  await expectText(page.getByRole('row').filter({ hasText: 'quality@acme.test' }).getByRole('cell').nth(3), 'Disabled');
  await page.getByRole('link', { name: 'Quinn Quality' }).click();
  await waitForPath(page, userPath);
  await page.getByRole('button', { name: 'Enable user' }).click();
  await waitForPath(page, userPath);
  await expectFlash(page, 'The user can sign in again.');
  await expectText(status, 'Active');

  // Signing in again lands on the page the colleague asked for before (next=/account), which
  // shows the new role.
  await submitSignIn(colleague.page, 'quality@acme.test');
  await waitForPath(colleague.page, '/account');
  await colleague.page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  await expectText(colleague.page.locator('dl.facts dd').nth(3), 'Finance');

  colleague.watch.assertClean();
  admin.watch.assertClean();
  await colleague.context.close();
  await admin.context.close();
});

test('an admin cannot change their own role or disable themselves', async () => {
  const admin = await env.newPage();
  const { page } = admin;
  await signIn(page, 'admin@blueharbor.test');
  await page.goto('/admin/users');
  await page.getByRole('link', { name: 'Bea Admin', exact: true }).click();
  await page.getByText('This is you. Another administrator can change your role.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Save role' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Disable user' }).count(), 0);
  admin.watch.assertClean();
  await admin.context.close();
});
