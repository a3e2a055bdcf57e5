// The signed-in user's own account: language, e-mail delivery (each, daily digest, none), password.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_PASSWORD,
  expectFlash,
  expectText,
  pollUntil,
  signIn,
  submitSignIn,
  suite,
  waitForPath,
} from './harness.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

test('the account page saves the language, which stays with the user on the next sign-in', async () => {
  const first = await env.newPage();
  const { page } = first;
  await signIn(page, 'ops@blueharbor.test');
  await page.getByRole('link', { name: /Ben Ops/ }).click();
  await waitForPath(page, '/account');
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  const facts = (await page.locator('dl.facts').innerText()).replace(/\s+/g, ' ');
  for (const fact of ['Ben Ops', 'ops@blueharbor.test', 'Blue Harbor Home', 'Operations']) {
    assert.ok(facts.includes(fact), `account facts name ${fact}: ${facts}`);
  }

  // The account page has one Save button per section (language, notifications): use the
  // language section's.
  await page.getByLabel('Language', { exact: true }).selectOption({ label: '简体中文' });
  await accountSection(page, 'Language').getByRole('button', { name: 'Save', exact: true }).click();
  await waitForPath(page, '/account');
  await page.getByRole('heading', { level: 1, name: '我的账户' }).waitFor();
  assert.equal(await page.getByLabel('语言', { exact: true }).locator('option:checked').innerText(), '简体中文');
  await page.getByRole('button', { name: '退出登录' }).click();
  await waitForPath(page, '/login');

  // A new browser (English Accept-Language) signs in: the saved setting wins.
  const second = await env.newPage();
  await submitSignIn(second.page, 'ops@blueharbor.test');
  await waitForPath(second.page, '/');
  await second.page.getByRole('heading', { level: 1, name: '您好，Ben Ops' }).waitFor();
  await second.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '首页' }).waitFor();

  await second.page.goto('/account');
  await second.page.getByLabel('语言', { exact: true }).selectOption({ label: 'English' });
  await accountSection(second.page, '语言').getByRole('button', { name: '保存', exact: true }).click();
  await second.page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  await second.page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Home' }).waitFor();

  first.watch.assertClean();
  second.watch.assertClean();
  await first.context.close();
  await second.context.close();
});

/** The card of the account page under the level-2 heading `heading`. */
function accountSection(page, heading) {
  return page.locator('section.card').filter({ has: page.getByRole('heading', { level: 2, name: heading, exact: true }) });
}

test('a user changes their password; a wrong current password is refused', async () => {
  const email = 'finance@acme.test';
  const newPassword = 'ledger lines balance 99';
  const other = await env.newPage();
  await signIn(other.page, email); // another session, signed out by the change

  const { context, page, watch } = await env.newPage();
  await signIn(page, email);
  await page.goto('/account');
  await page.getByRole('link', { name: 'Change password' }).click();
  await waitForPath(page, '/account/password');
  await page.getByRole('heading', { level: 1, name: 'Change password' }).waitFor();

  await page.getByLabel('Current password', { exact: true }).fill('this is not it 123');
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password', { exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  const current = page.getByLabel('Current password', { exact: true });
  await page.locator('#f-current-error').filter({ hasText: 'The current password is not right.' }).waitFor();
  assert.equal(await current.getAttribute('aria-invalid'), 'true');
  assert.equal(await current.getAttribute('aria-describedby'), 'f-current-error');

  await current.fill(DEMO_PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password', { exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await waitForPath(page, '/account');
  await expectFlash(page, 'Your password has been changed. Other sessions have been signed out.');

  // This session goes on; the other one is signed out.
  await page.goto('/');
  await expectText(page.getByRole('heading', { level: 1 }), 'Hello, Fiona Finance');
  await other.page.goto('/account');
  await waitForPath(other.page, /^\/login(\?|$)/);

  // Old password refused, new one accepted.
  await submitSignIn(other.page, email, DEMO_PASSWORD);
  await other.page.getByRole('alert').filter({ hasText: 'The e-mail address or password is not right.' }).waitFor();
  await submitSignIn(other.page, email, newPassword);
  await waitForPath(other.page, '/account'); // where it was going (next=/account)
  await other.page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();

  watch.assertClean();
  other.watch.assertClean();
  await context.close();
  await other.context.close();
});

test('a user chooses a daily e-mail digest in their own time zone; an unknown zone is refused', async () => {
  // The browser's zone is proposed while the stored one is the untouched default.
  const { context, page, watch } = await env.newPage({ timezoneId: 'Asia/Shanghai' });
  await signIn(page, 'planner@delta.test');
  await page.goto('/account');
  const section = accountSection(page, 'Notifications');
  const zone = section.getByLabel('Time zone of your daily digest');
  await pollUntil(async () => (await zone.inputValue()) === 'Asia/Shanghai', { what: 'the browser zone proposed' });
  assert.ok(await section.getByLabel('Send each notification as it happens').isChecked());

  await section.getByLabel('Send one daily digest').check();
  await zone.fill('Asia/Atlantis');
  await section.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('#f-time_zone-error')
    .filter({ hasText: 'Choose a time zone from the list, e.g. Asia/Shanghai or Europe/Amsterdam.' })
    .waitFor();
  assert.equal(await zone.inputValue(), 'Asia/Atlantis', 'the entry is kept');
  assert.equal(await zone.getAttribute('aria-invalid'), 'true');
  assert.ok(await section.getByLabel('Send one daily digest').isChecked(), 'the choice is kept');

  await zone.fill('Asia/Shanghai');
  await section.getByRole('button', { name: 'Save', exact: true }).click();
  await waitForPath(page, '/account');
  await expectFlash(page, 'Saved.');
  assert.ok(await section.getByLabel('Send one daily digest').isChecked());
  assert.equal(await zone.inputValue(), 'Asia/Shanghai');

  watch.assertClean();
  await context.close();
});
