// The brand-ops deadlines dashboard, live: Acme ops has the dashboard open; an order it issued
// to Delta runs out of time (the server's business clock is moved by the test-only control of
// a `--features test-clock` build); the breach appears without a reload; ops acknowledges it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { expectFlash, expectText, signIn, suite, waitForPath } from './harness.mjs';
import { createAndIssueForDelta, daysFromNow, submitForm, uniquePo } from './order-steps.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

/** Moves the server's business clock forward (only a test-clock build has the control). */
async function advanceClock(hours) {
  const res = await fetch(`${env.server.baseURL}/_test/clock?advance_hours=${hours}`);
  const body = await res.text();
  assert.equal(res.status, 200, `the server was built with --features test-clock (GET /_test/clock answered ${res.status}: ${body})`);
}

test('a clock crosses its deadline while the dashboard is open; the breach appears live and ops acknowledges it', async () => {
  const po = uniquePo('SLA');
  const { context, page, watch } = await env.newPage();
  await signIn(page, 'ops@acme.test');
  await createAndIssueForDelta(page, {
    po,
    requested: daysFromNow(60),
    lines: [{ sku: 'E2E-CAP-NVY', description: 'Cap, navy', hs: '6505.00', quantity: '300', price: '2.10' }],
  });

  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Deadlines', exact: true }).click();
  await waitForPath(page, '/sla');
  await page.getByRole('heading', { level: 1, name: 'Deadlines' }).waitFor();
  const row = page.locator('.sla-board tbody tr').filter({ hasText: po });
  assert.equal(await row.count(), 0, 'a fresh order is not at risk');
  // A mark on this document: if the page reloaded, it would be gone.
  await page.evaluate(() => { window.__stillTheSamePage = true; });

  // Ten days pass (PO confirmation allows 24 working hours).
  await advanceClock(240);
  await expectText(row.locator('.status').first(), 'Breached');
  assert.equal(await page.evaluate(() => window.__stillTheSamePage), true, 'updated in place, not reloaded');
  await expectText(row.locator('td[data-label="Clock"]'), 'PO confirmation');
  await expectText(row.locator('td[data-label="Supplier or factory"]'), 'Delta Garment Works');
  await expectText(row.locator('.time-left'), /^late by /);

  // Ops takes it.
  await submitForm(page, row.getByRole('button', { name: 'Acknowledge', exact: true }));
  await expectFlash(page, 'The alert is acknowledged.');
  await expectText(row.locator('.acknowledged'), /^Acknowledged by Oscar Ops · /);
  assert.equal(await row.getByRole('button', { name: 'Acknowledge', exact: true }).count(), 0);

  // The other forms load into the row when it opens.
  await row.locator('summary', { hasText: 'Assign, comment, snooze' }).click();
  await row.getByLabel('Comment').fill('Called Delta; confirming today');
  await submitForm(page, row.getByRole('button', { name: 'Add comment', exact: true }));
  await expectFlash(page, 'Your comment is added.');
  await expectText(row.locator('.comment'), 'Oscar Ops: “Called Delta; confirming today”');

  // A colleague changes the alert while ops has the row open with a half-typed comment: the list
  // waits and says so, and the text stays; closing the row brings the new list in.
  await row.locator('summary', { hasText: 'Assign, comment, snooze' }).click();
  await row.getByLabel('Comment').fill('Half-typed note');
  await page.getByRole('heading', { level: 1, name: 'Deadlines' }).click();
  await page.evaluate(() => { window.__sameBoard = true; });
  const handling = await row.locator('details.sla-more').getAttribute('hx-get');
  const admin = await env.newPage();
  await signIn(admin.page, 'admin@acme.test');
  await admin.page.goto(handling);
  await admin.page.getByRole('heading', { level: 1, name: 'Handle the alert' }).waitFor();
  // A snooze whose reason is only spaces is refused beside the field, the chosen length kept.
  await admin.page.getByLabel('Snooze for').selectOption('4');
  await admin.page.getByLabel('Reason for snoozing').fill('   ');
  await submitForm(admin.page, admin.page.getByRole('button', { name: 'Snooze', exact: true }));
  await expectText(admin.page.locator('form.snooze .field-error'), 'Say why the alert is snoozed.');
  assert.equal(await admin.page.getByLabel('Snooze for').inputValue(), '4');
  await admin.page.getByLabel('Comment').fill('Delta rang back');
  await submitForm(admin.page, admin.page.getByRole('button', { name: 'Add comment', exact: true }));
  await expectFlash(admin.page, 'Your comment is added.');

  await page.locator('#live-pending').waitFor({ state: 'visible' });
  await expectText(page.locator('#live-pending'), /^The list has changed since you opened a row/);
  assert.equal(await row.getByLabel('Comment').inputValue(), 'Half-typed note', 'the typed text is kept');
  assert.equal(await row.locator('details.sla-more').getAttribute('open'), '', 'the row stays open');
  await row.locator('summary', { hasText: 'Assign, comment, snooze' }).click();
  await expectText(row.locator('.comment'), /^Alice Admin: “Delta rang back”/);
  await page.locator('#live-pending').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => window.__sameBoard), true, 'updated in place, not reloaded');

  for (const p of [admin, { watch, context }]) p.watch.assertClean();
  for (const p of [admin, { watch, context }]) await p.context.close();
});

test('Acme admin sets up a factory calendar with imported holidays and points the confirmation policy at it', async () => {
  const { context, page, watch } = await env.newPage();
  await signIn(page, 'admin@acme.test');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Settings', exact: true }).click();
  await waitForPath(page, '/admin/settings');
  await page.getByRole('link', { name: 'Deadlines setup', exact: true }).click();
  await waitForPath(page, '/admin/sla');
  await page.getByRole('heading', { level: 1, name: 'Deadlines setup' }).waitFor();

  // A new calendar; a mistyped time zone is refused beside the field and the rest is kept.
  await page.locator('details.calendar-new summary').click();
  let form = page.locator('details.calendar-new form');
  await form.getByLabel('Name', { exact: true }).fill('Shanghai factory');
  await form.getByLabel('Time zone (IANA, e.g. Asia/Shanghai)', { exact: true }).fill('Shanghai');
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
    await form.getByLabel(day, { exact: true }).fill('08:30-12:00, 13:00-17:30');
  }
  await form.getByLabel('Saturday', { exact: true }).fill('');
  await form.getByLabel('Sunday', { exact: true }).fill('');
  await submitForm(page, form.getByRole('button', { name: 'Create calendar', exact: true }));
  await expectText(page.locator('#ctz-new-error'), /IANA database/);
  form = page.locator('details.calendar-new form');
  assert.equal(await form.getByLabel('Tuesday', { exact: true }).inputValue(), '08:30-12:00, 13:00-17:30', 'the hours typed are kept');
  await form.getByLabel('Time zone (IANA, e.g. Asia/Shanghai)', { exact: true }).fill('Asia/Shanghai');
  await submitForm(page, form.getByRole('button', { name: 'Create calendar', exact: true }));
  await expectFlash(page, 'The calendar is saved.');
  const calendar = page.locator('section.calendar').filter({ has: page.getByRole('heading', { name: /^Shanghai factory/ }) });
  await expectText(calendar.locator('h3 small'), 'Asia/Shanghai');
  await expectText(calendar.locator('p.empty'), 'No holidays yet.');

  // Holidays from a CSV file.
  const csv = 'date,name\n2027-10-01,National Day\n2027-10-02,Golden Week\n2027-10-03,Golden Week\n';
  await calendar.getByLabel('Import holidays', { exact: true }).setInputFiles({ name: 'cn-2027.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await submitForm(page, calendar.getByRole('button', { name: 'Import', exact: true }));
  await expectFlash(page, '3 holiday(s) imported.');
  assert.equal(await calendar.locator('ul.holidays li').count(), 3);
  await expectText(calendar.locator('ul.holidays li').first(), /^2027-10-01 National Day/);

  // The PO confirmation policy now runs on that calendar: a new version.
  const policy = page.locator('#policy-default-po_confirmation');
  await expectText(policy.locator('h3 small'), /version 1/);
  await policy.getByLabel('Calendar', { exact: true }).selectOption({ label: 'Shanghai factory' });
  await policy.getByLabel('Target', { exact: true }).fill('16');
  await submitForm(page, policy.getByRole('button', { name: 'Save as a new version', exact: true }));
  await expectFlash(page, /saved as a new version/);
  await expectText(policy.locator('h3 small'), /version 2/);
  assert.equal((await policy.getByLabel('Calendar', { exact: true }).locator('option:checked').innerText()).trim(), 'Shanghai factory');

  await policy.getByRole('link', { name: 'History', exact: true }).click();
  await waitForPath(page, '/admin/sla/policies/default-po_confirmation');
  const versions = page.locator('ol.policy-versions > li');
  assert.equal(await versions.count(), 2);
  await expectText(versions.first().locator('small'), /^Alice Admin · /);
  await expectText(versions.first().locator('p'), /^16 working hours/);
  await expectText(versions.last().locator('small'), /^Portico's default · /);

  watch.assertClean();
  await context.close();
});

test('the factory sees the time it has left on its orders in its inbox', async () => {
  const po = uniquePo('LEFT');
  const acme = await env.newPage();
  await signIn(acme.page, 'ops@acme.test');
  await createAndIssueForDelta(acme.page, {
    po,
    requested: daysFromNow(60),
    lines: [{ sku: 'E2E-SCARF', description: 'Scarf', hs: '6117.10', quantity: '100', price: '3.00' }],
  });
  const { context, page, watch } = await env.newPage();
  await signIn(page, 'planner@delta.test');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Orders', exact: true }).click();
  await waitForPath(page, '/orders');
  const row = page.locator('table.orders tbody tr').filter({ hasText: po });
  await expectText(row.locator('td[data-label="Deadline"] .badge-time'), /^\d+ h( \d+ min)? left$|^\d+ min left$/);
  await expectText(row.locator('td[data-label="Deadline"] small'), 'PO confirmation');
  for (const p of [acme, { watch, context }]) p.watch.assertClean();
  for (const p of [acme, { watch, context }]) await p.context.close();
});

test('scorecards: Acme ops compares its partners and exports them; Delta sees only its own record', async () => {
  const { context, page, watch } = await env.newPage();
  await signIn(page, 'ops@acme.test');
  await page.goto('/sla');
  await page.getByRole('link', { name: 'Scorecards', exact: true }).click();
  await waitForPath(page, '/sla/scorecards');
  await page.getByRole('heading', { level: 1, name: 'Scorecards' }).waitFor();
  const rows = page.locator('table.scorecard tbody tr');
  const partners = new Set((await rows.locator('td[data-label="Supplier or factory"]').allInnerTexts()).map((t) => t.trim()));
  assert.ok(partners.has('Delta Garment Works') && partners.has('Sunrise Textiles'), `both demo partners: ${[...partners]}`);
  await expectText(rows.first().locator('td[data-label="On time"]'), /^\d+ %$/);
  assert.ok(await rows.first().locator('svg.week-chart rect').count() > 0, 'a weekly chart');

  await page.getByLabel('Clock', { exact: true }).selectOption({ label: 'PO confirmation' });
  await submitForm(page, page.getByRole('button', { name: 'Filter', exact: true }));
  const clocks = new Set((await rows.locator('td[data-label="Clock"]').allInnerTexts()).map((t) => t.trim()));
  assert.deepEqual([...clocks], ['PO confirmation']);
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV', exact: true }).click()]);
  const csv = await readFile(await file.path(), 'utf8');
  assert.match(csv.split('\n')[0], /^partner,clock,finished,late,on_time_percent,median_hours,p90_hours/);
  assert.ok(csv.includes(',po_confirmation,'), csv);

  const delta = await env.newPage();
  await signIn(delta.page, 'planner@delta.test');
  await delta.page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Our record', exact: true }).click();
  await waitForPath(delta.page, '/sla/scorecards');
  const own = new Set((await delta.page.locator('table.scorecard tbody td[data-label="Supplier or factory"]').allInnerTexts()).map((t) => t.trim()));
  assert.deepEqual([...own], ['Delta Garment Works']);
  for (const p of [delta, { watch, context }]) p.watch.assertClean();
  for (const p of [delta, { watch, context }]) await p.context.close();
});
