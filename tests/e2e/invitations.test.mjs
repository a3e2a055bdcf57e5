// Invitations: a brand admin invites a colleague and a partner, the invitees create their
// accounts from the link in a fresh browser, and an open invitation is revoked.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptInvitationAsNewUser,
  expectFlash,
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

test('an Acme admin invites a colleague, who creates an account from the link and signs in', async () => {
  const admin = await env.newPage();
  const { page } = admin;
  await signIn(page, 'admin@acme.test');
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Users', exact: true }).click();
  await waitForPath(page, '/admin/users');
  await page.getByRole('heading', { level: 1, name: 'Users of Acme Apparel' }).waitFor();
  await page.getByRole('link', { name: 'Invite a colleague' }).click();
  await waitForPath(page, '/admin/users/invite');

  const email = 'mia.merch@acme.test';
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Operations' });
  await page.getByRole('button', { name: 'Send invitation' }).click();
  const link = await readInvitationLink(page);
  await page.getByText(`We e-mailed this link to ${email}.`).waitFor();
  // "Copy link" puts the link on the clipboard (app.js) and says so.
  await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.server.baseURL });
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

  // The same link went out by mail.
  const mail = await waitForMail(env.server.mailDir, email, /Join Acme Apparel on Portico/);
  assert.ok(mail.body.includes(link), `the mail carries ${link}:\n${mail.body}`);

  // The link is shown once only.
  await page.reload();
  await page.getByText('The link was shown once').waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Invitation link' }).count(), 0);

  const invitee = await acceptInvitationAsNewUser(env, link, {
    name: 'Mia Merch',
    email,
    password: 'canvas tote bags 2024',
  });
  // A brand colleague: the header shows the brand, and ops users do not manage users.
  await invitee.page.locator('.brand-badge', { hasText: 'Acme Apparel' }).waitFor();
  const inviteeNav = invitee.page.getByRole('navigation', { name: 'Main navigation' });
  await inviteeNav.getByRole('link', { name: 'Partners', exact: true }).waitFor();
  assert.equal(await inviteeNav.getByRole('link', { name: 'Users', exact: true }).count(), 0);

  // The admin sees the new colleague and the invitation as accepted.
  await page.goto('/admin/users');
  const row = page.getByRole('row').filter({ hasText: email });
  await expectText(row.getByRole('cell').nth(0), 'Mia Merch');
  await expectText(row.getByRole('cell').nth(2), 'Operations');
  await page.goto('/admin/invitations');
  await expectText(page.getByRole('row').filter({ hasText: email }).getByRole('cell').nth(2), 'Accepted');

  // A used link says so.
  await invitee.page.goto(link);
  await invitee.page.getByRole('alert').filter({ hasText: 'This invitation has already been used.' }).waitFor();

  admin.watch.assertClean();
  invitee.watch.assertClean();
  await admin.context.close();
  await invitee.context.close();
});

test('an Acme admin invites a new partner organisation, whose admin signs up and signs in', async () => {
  const admin = await env.newPage();
  const { page } = admin;
  await signIn(page, 'admin@acme.test');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Partners' }).click();
  await waitForPath(page, '/admin/partners');
  await page.getByRole('link', { name: 'Invite a partner' }).click();
  await waitForPath(page, '/admin/partners/invite');

  const email = 'owner@northwind-mills.test';
  await page.getByLabel('Organisation name', { exact: true }).fill('Northwind Mills');
  await page.getByLabel('Kind', { exact: true }).selectOption({ label: 'Contract factory' });
  await page.getByLabel("Administrator's e-mail", { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  const link = await readInvitationLink(page);
  await page.getByRole('link', { name: 'Done' }).click();
  await waitForPath(page, '/admin/partners');

  const invitee = await env.newPage();
  await invitee.page.goto(link);
  await invitee.page.getByText('Acme Apparel invites Northwind Mills to work together on Portico.').waitFor();
  await invitee.page.getByText('Contract factory').waitFor();
  await invitee.context.close();

  const partner = await acceptInvitationAsNewUser(env, link, {
    name: 'Nora North',
    email,
    password: 'looms and spindles 7',
  });
  await expectText(partner.page.locator('main p.muted').first(), 'Northwind Mills · working with Acme Apparel');
  const partnerNav = partner.page.getByRole('navigation', { name: 'Main navigation' });
  // A partner's admin manages their own users but not the brand's partners.
  await partnerNav.getByRole('link', { name: 'Users', exact: true }).waitFor();
  assert.equal(await partnerNav.getByRole('link', { name: 'Partners', exact: true }).count(), 0);

  // The brand sees the new partner.
  await page.reload();
  const row = page.getByRole('row').filter({ hasText: 'Northwind Mills' });
  await expectText(row.getByRole('cell').nth(1), 'Contract factory');
  await expectText(row.getByRole('cell').nth(2), 'Active');
  await expectText(row.getByRole('cell').nth(3), '1');

  admin.watch.assertClean();
  partner.watch.assertClean();
  await admin.context.close();
  await partner.context.close();
});

test('an existing partner user is asked to sign in to accept another brand', async () => {
  // Blue Harbor invites Delta Garment Works' planner, who already has an account (Acme's factory).
  const admin = await env.newPage();
  await signIn(admin.page, 'admin@blueharbor.test');
  await admin.page.goto('/admin/partners/invite');
  await admin.page.getByLabel('Organisation name', { exact: true }).fill('Delta Garment Works');
  await admin.page.getByLabel('Kind', { exact: true }).selectOption({ label: 'Contract factory' });
  await admin.page.getByLabel("Administrator's e-mail", { exact: true }).fill('planner@delta.test');
  await admin.page.getByRole('button', { name: 'Send invitation' }).click();
  const link = await readInvitationLink(admin.page);

  const planner = await env.newPage();
  const { page } = planner;
  await page.goto(link);
  await page.getByText('You already have a Portico account with this address.').waitFor();
  await page.getByRole('link', { name: 'Sign in to accept' }).click();
  await waitForPath(page, /^\/login\?next=/);
  await page.getByLabel('E-mail', { exact: true }).fill('planner@delta.test');
  await page.getByLabel('Password', { exact: true }).fill('demo-password-1234');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await waitForPath(page, new URL(link).pathname);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await waitForPath(page, '/');
  await expectFlash(page, 'Invitation accepted. The new brand is in your brand switcher.');
  const options = await page.getByLabel('Brand', { exact: true }).locator('option').allInnerTexts();
  assert.deepEqual(options.map((o) => o.trim()).toSorted(), ['Acme Apparel', 'Blue Harbor Home']);

  admin.watch.assertClean();
  planner.watch.assertClean();
  await admin.context.close();
  await planner.context.close();
});

test('an open invitation is revoked after confirmation and its link stops working', async () => {
  const admin = await env.newPage();
  const { page } = admin;
  await signIn(page, 'admin@acme.test');
  await page.goto('/admin/users/invite');
  const email = 'temp.helper@acme.test';
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Quality' });
  await page.getByRole('button', { name: 'Send invitation' }).click();
  const link = await readInvitationLink(page);

  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Invitations' }).click();
  await waitForPath(page, '/admin/invitations');
  const row = page.getByRole('row').filter({ hasText: email });
  await expectText(row.getByRole('cell').nth(1), 'Quality');
  await expectText(row.getByRole('cell').nth(2), 'Pending');
  await row.getByRole('link', { name: 'Revoke' }).click();
  await waitForPath(page, /^\/admin\/invitations\/[^/]+\/revoke$/);
  await page.getByRole('heading', { level: 1, name: 'Revoke this invitation?' }).waitFor();
  await page.getByText(`The link sent to ${email} will stop working.`).waitFor();

  // Cancel first: nothing changes.
  await page.getByRole('link', { name: 'Cancel' }).click();
  await waitForPath(page, '/admin/invitations');
  await expectText(row.getByRole('cell').nth(2), 'Pending');

  await row.getByRole('link', { name: 'Revoke' }).click();
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  await waitForPath(page, '/admin/invitations');
  await expectFlash(page, 'The invitation is revoked.');
  await expectText(row.getByRole('cell').nth(2), 'Revoked');
  assert.equal(await row.getByRole('link', { name: 'Revoke' }).count(), 0);

  const invitee = await env.newPage();
  await invitee.page.goto(link);
  await invitee.page.getByRole('alert').filter({ hasText: 'This invitation was revoked by its sender.' }).waitFor();
  assert.equal(await invitee.page.getByRole('button', { name: 'Create account and accept' }).count(), 0);

  admin.watch.assertClean();
  invitee.watch.assertClean();
  await admin.context.close();
  await invitee.context.close();
});
