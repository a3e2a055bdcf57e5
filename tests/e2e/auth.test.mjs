// Signing in and out, the brand switcher, the language switch, password reset by mail, and a
// phone-sized screen.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_PASSWORD,
  expectFlash,
  expectText,
  pathOf,
  signIn,
  submitSignIn,
  suite,
  waitForMail,
  waitForPath,
} from './harness.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

test('a partner serving two brands switches between them, then signs out', async () => {
  const { context, page, watch } = await env.newPage();
  await signIn(page, 'sales@sunrise.test');

  // The session cookie is the hardened one (not --dev): __Host- prefixed, Secure, HttpOnly.
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === '__Host-portico');
  assert.ok(session, `the session cookie is set: ${cookies.map((c) => c.name).join(', ')}`);
  assert.equal(session.secure, true);
  assert.equal(session.httpOnly, true);

  await expectText(page.getByRole('heading', { level: 1 }), 'Hello, Sunny Sales');
  const switcher = page.getByLabel('Brand', { exact: true });
  assert.equal(await switcher.evaluate((el) => el.id), 'brand-select');
  const options = (await switcher.locator('option').allInnerTexts()).map((t) => t.trim());
  assert.deepEqual(options.toSorted(), ['Acme Apparel', 'Blue Harbor Home']);
  const intro = page.locator('main p.muted').first();
  await expectText(intro, 'Sunrise Textiles · working with Acme Apparel');

  // Choosing a brand submits the form by script (app.js under the strict CSP): no button press.
  await switcher.selectOption({ label: 'Blue Harbor Home' });
  await expectFlash(page, 'You are now working with Blue Harbor Home.');
  await expectText(intro, 'Sunrise Textiles · working with Blue Harbor Home');
  assert.equal(pathOf(page), '/');
  assert.equal(await switcher.locator('option:checked').innerText(), 'Blue Harbor Home');

  // The choice sticks across pages.
  await page.getByRole('link', { name: 'Sunny Sales' }).click();
  await waitForPath(page, '/account');
  await page.getByRole('link', { name: 'Home', exact: true }).click();
  await waitForPath(page, '/');
  await expectText(intro, 'Sunrise Textiles · working with Blue Harbor Home');

  // And back.
  await switcher.selectOption({ label: 'Acme Apparel' });
  await expectFlash(page, 'You are now working with Acme Apparel.');
  await expectText(intro, 'Sunrise Textiles · working with Acme Apparel');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await waitForPath(page, '/login');
  await expectFlash(page, 'You have signed out.');
  await page.getByRole('heading', { level: 1, name: 'Sign in to Portico' }).waitFor();
  await page.goto('/');
  await waitForPath(page, /^\/login(\?|$)/);
  await page.getByRole('heading', { level: 1, name: 'Sign in to Portico' }).waitFor();

  watch.assertClean();
  await context.close();
});

test('the brand switcher works without JavaScript through its Switch button', async () => {
  const { context, page, watch } = await env.newPage({ javaScriptEnabled: false });
  await signIn(page, 'dock@harborlog.test');
  const intro = page.locator('main p.muted').first();
  await expectText(intro, /^Harbor Logistics · working with /);
  const current = (await intro.innerText()).replace(/^.* working with /, '').trim();
  const other = current === 'Acme Apparel' ? 'Blue Harbor Home' : 'Acme Apparel';
  await page.getByLabel('Brand', { exact: true }).selectOption({ label: other });
  // Without script nothing happens on change; the button submits.
  assert.equal(pathOf(page), '/');
  await expectText(intro, `Harbor Logistics · working with ${current}`);
  await page.getByRole('button', { name: 'Switch', exact: true }).click();
  await expectFlash(page, `You are now working with ${other}.`);
  await expectText(intro, `Harbor Logistics · working with ${other}`);
  watch.assertClean();
  await context.close();
});

test('a wrong password shows an error and keeps the e-mail address', async () => {
  const { context, page, watch } = await env.newPage();
  await page.goto('/login');
  await submitSignIn(page, 'ops@acme.test', 'not-the-password-1');
  const error = page.getByRole('alert');
  await expectText(error, 'The e-mail address or password is not right. Check both and try again.');
  assert.equal(pathOf(page), '/login');
  assert.equal(await page.getByLabel('E-mail', { exact: true }).inputValue(), 'ops@acme.test');
  assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
  // The right password still works afterwards.
  await signIn(page, 'ops@acme.test');
  await expectText(page.getByRole('heading', { level: 1 }), 'Hello, Oscar Ops');
  watch.assertClean();
  await context.close();
});

test('the language switch turns the pages Chinese and back to English', async () => {
  const { context, page, watch } = await env.newPage();

  // Signed out: the session remembers the choice.
  await page.goto('/login');
  await page.getByRole('heading', { level: 1, name: 'Sign in to Portico' }).waitFor();
  await page.getByRole('button', { name: '简体中文' }).click();
  await page.getByRole('heading', { level: 1, name: '登录 Portico' }).waitFor();
  assert.equal(pathOf(page), '/login');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await page.getByRole('button', { name: '登录', exact: true }).waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in to Portico' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');

  // Signed in: navigation and page follow, on the page the user was on.
  await signIn(page, 'admin@blueharbor.test');
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Partners' }).click();
  await waitForPath(page, '/admin/partners');
  await page.getByRole('button', { name: '简体中文' }).click();
  const navZh = page.getByRole('navigation', { name: '主导航' });
  await navZh.getByRole('link', { name: '首页', exact: true }).waitFor();
  await page.getByRole('heading', { level: 1, name: '合作伙伴' }).waitFor();
  assert.equal(pathOf(page), '/admin/partners');
  await navZh.getByRole('link', { name: '首页', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: '您好，Bea Admin' }).waitFor();

  await page.getByRole('button', { name: 'English' }).click();
  await nav.getByRole('link', { name: 'Home', exact: true }).waitFor();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hello, Bea Admin');
  watch.assertClean();
  await context.close();
});

test('a forgotten password is reset through the link in the e-mail', async () => {
  const { context, page, watch } = await env.newPage();
  const email = 'quality@acme.test';
  const newPassword = 'fresh spring meadow 42';

  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await waitForPath(page, '/password/forgot');
  await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expectFlash(page, 'If an account uses that address, a reset link is on its way.');

  const mail = await waitForMail(env.server.mailDir, email, /Reset your Portico password/);
  const link = mail.body.match(/https?:\/\/\S+\/password\/reset\/\S+/)?.[0];
  assert.ok(link, `the mail carries a reset link:\n${mail.body}`);
  assert.ok(link.startsWith(env.server.baseURL), `${link} points at this server`);

  await page.goto(link);
  await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
  // A mismatch is refused with a field error, and nothing is used up.
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password', { exact: true }).fill(`${newPassword}!`);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByText('The two passwords do not match.').waitFor();

  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password', { exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await waitForPath(page, '/login');
  await expectFlash(page, 'Your password has been changed. Sign in with the new one.');

  // The old password no longer works, the new one does.
  await submitSignIn(page, email, DEMO_PASSWORD);
  await expectText(page.getByRole('alert'), /^The e-mail address or password is not right/);
  await signIn(page, email, newPassword);
  await expectText(page.getByRole('heading', { level: 1 }), 'Hello, Quinn Quality');

  // The link works once.
  await page.goto(link);
  await page.getByRole('alert').filter({ hasText: 'This reset link has expired or has already been used.' }).waitFor();

  watch.assertClean();
  await context.close();
});

test('on a phone-sized screen a user signs in and sees the navigation', async () => {
  const { context, page, watch } = await env.newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
  await page.goto('/login');
  await page.getByLabel('E-mail', { exact: true }).fill('admin@acme.test');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).tap();
  await waitForPath(page, '/');
  await expectText(page.getByRole('heading', { level: 1 }), 'Hello, Alice Admin');

  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  assert.ok(await nav.isVisible(), 'the main navigation is visible');
  for (const name of ['Home', 'Partners', 'Users', 'Invitations']) {
    const link = nav.getByRole('link', { name, exact: true });
    assert.ok(await link.isVisible(), `nav link ${name} is visible`);
  }
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ state: 'visible' });

  // Nothing is wider than the screen (no sideways scrolling on the home page).
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(widths.scroll <= widths.client, `page is ${widths.scroll}px wide on a ${widths.client}px screen`);

  await assertHeaderControlsApart(page);

  await nav.getByRole('link', { name: 'Partners', exact: true }).tap();
  await waitForPath(page, '/admin/partners');
  await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();
  watch.assertClean();
  await context.close();
});

test('on a phone-sized screen a partner can use the brand switcher', async () => {
  const { context, page, watch } = await env.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await signIn(page, 'sales@sunrise.test');
  const switcher = page.getByLabel('Brand', { exact: true });
  assert.ok(await switcher.isVisible(), 'the brand switcher is visible');
  await assertHeaderControlsApart(page);
  const box = await switcher.boundingBox();
  assert.ok(box.width >= 120, `the brand select is wide enough to read a brand name (${box.width}px)`);

  await switcher.selectOption({ label: 'Blue Harbor Home' });
  await expectText(page.locator('main p.muted').first(), 'Sunrise Textiles · working with Blue Harbor Home');
  watch.assertClean();
  await context.close();
});

/**
 * On a small screen the header's controls (logo, brand switcher or badge, language, account,
 * sign out) must each be fully on screen and must not lie on top of one another.
 */
async function assertHeaderControlsApart(page) {
  const boxes = await page.evaluate(() => {
    const selectors = [
      '.wordmark',
      '.brand-badge',
      '.brand-switcher label',
      '#brand-select',
      '.brand-switcher button',
      '.lang-switch button',
      '.user-link',
      'form[action="/logout"] button',
    ];
    const out = [];
    for (const sel of selectors) {
      for (const el of document.querySelectorAll(sel)) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) out.push({ sel, x: r.x, y: r.y, w: r.width, h: r.height });
      }
    }
    return { out, width: document.documentElement.clientWidth };
  });
  const problems = [];
  const { out, width } = boxes;
  for (const b of out) {
    if (b.x < 0 || b.x + b.w > width + 0.5) problems.push(`${b.sel} sticks out of the screen`);
  }
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i];
      const b = out[j];
      const overlapX = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const overlapY = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (overlapX > 1 && overlapY > 1) {
        problems.push(`${a.sel} overlaps ${b.sel} (${Math.round(overlapX)}x${Math.round(overlapY)} px)`);
      }
    }
  }
  assert.deepEqual(problems, [], `header controls on a ${width}px screen:\n${problems.join('\n')}`);
}
