// The brand-ops deadlines dashboard, live: Acme ops has the dashboard open; an order it issued
// to Delta runs out of time (the server's business clock is moved by the test-only control of
// a `--features test-clock` build); the breach appears without a reload; ops acknowledges it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

  watch.assertClean();
  await context.close();
});
