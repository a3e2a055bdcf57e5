// Steps of receivable financing shared by the browser tests: the supplier's program membership
// on /financing, its request from the invoice page, the password asked again for sensitive steps,
// and the financing pages everyone follows.

import { DEMO_PASSWORD, describePage, expectFlash, expectText, waitForPath } from './harness.mjs';
import { submitForm } from './order-steps.mjs';

/** The date `days` after `isoDate` (YYYY-MM-DD), as a date input wants it. */
export function addDays(isoDate, days) {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A program's card on the supplier's /financing page, found by its name and financier. */
export function programCard(page, { name, financier }) {
  return page.locator('section.program').filter({
    has: page.getByRole('heading', { level: 2, name: new RegExp(`^${escapeRegExp(name)} ${escapeRegExp(financier)} · [A-Z]{3}$`) }),
  });
}

/** As the supplier: opens "Financing" from the main navigation. */
export async function openFinancingPrograms(page) {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Financing', exact: true }).click();
  await waitForPath(page, '/financing');
  await page.getByRole('heading', { level: 1, name: 'Financing' }).waitFor();
}

/**
 * As the supplier on /financing: makes sure it is a member of `program` ({ name, financier }) *without*
 * auto-financing (leaving and joining again with the box unticked if it had joined with it), so
 * that its invoices are only financed when it asks. Returns the program's card.
 */
export async function joinWithoutAutoFinancing(page, program) {
  await openFinancingPrograms(page);
  let card = programCard(page, program);
  const status = (await card.locator('.program-status').innerText()).trim();
  if (status !== 'Not joined yet') {
    await submitForm(page, card.getByRole('button', { name: 'Leave the program', exact: true }));
    await expectFlash(page, 'You left the program.');
    card = programCard(page, program);
    await expectText(card.locator('.program-status'), 'Not joined yet');
  }
  const auto = card.getByLabel('Request financing automatically when an invoice has all the evidence', { exact: true });
  if (await auto.isChecked()) await auto.uncheck();
  await submitForm(page, card.getByRole('button', { name: 'Join the program', exact: true }));
  await expectFlash(page, 'You joined the program.');
  card = programCard(page, program);
  await expectText(card.locator('.program-status'), /^Joined \S.*$/);
  const joined = (await card.locator('.program-status').innerText()).trim();
  if (joined.includes('auto-financing')) throw new Error(`${program.name}: still auto-financing after joining without it (${joined})`);
  return card;
}

/**
 * A sensitive step's form (asking for financing, accepting an offer) asks for the password again
 * when the user signed in more than five minutes ago; types it when asked.
 */
export async function typePasswordIfAsked(form, password = DEMO_PASSWORD) {
  const field = form.getByLabel('Your password (you signed in more than 5 minutes ago)', { exact: true });
  if (await field.count()) await field.fill(password);
}

/**
 * As the supplier on its accepted invoice's page: asks for financing under `program` ({ name, financier }).
 * Waits for the financing's page and returns its path.
 */
export async function requestFinancing(page, { name, financier }) {
  const form = page.locator('section#financing form.request-financing-form');
  const choice = form.getByRole('radio', { name: new RegExp(`^${escapeRegExp(name)} · ${escapeRegExp(financier)}\\b`) });
  await choice.check();
  await typePasswordIfAsked(form);
  await submitForm(page, form.getByRole('button', { name: 'Request financing', exact: true }));
  await waitForPath(page, /^\/financings\/[^/]+$/);
  await expectFlash(page, 'Financing requested. The financier has been told.');
  await expectText(page.locator('#financing-state'), 'Requested');
  return new URL(page.url()).pathname;
}

/** Opens "Financing requests" from the main navigation, then the request for `invoiceNumber`. */
export async function openFinancingRequest(page, invoiceNumber, financingPath) {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Financing requests', exact: true }).click();
  await waitForPath(page, '/financings');
  await page.getByRole('heading', { level: 1, name: 'Financing requests' }).waitFor();
  await page.locator('table.financings').getByRole('link', { name: invoiceNumber, exact: true }).click();
  await waitForPath(page, financingPath);
  await page.getByRole('heading', { level: 1, name: `Financing of invoice ${invoiceNumber}` }).waitFor();
}

/**
 * As a financier user on the financing page: approves the disbursement. Returns the state the
 * financing is in afterwards ("Awaiting second approval" or "Paid out").
 */
export async function approveDisbursement(page) {
  const form = page.locator('#disbursement form.approve-form');
  await submitForm(page, form.getByRole('button', { name: 'Approve the disbursement', exact: true }));
  try {
    await expectFlash(page, /Approved\. A second colleague must approve too\.|Disbursement recorded; the buyer has the assignment notice\./);
  } catch (err) {
    throw new Error(`approving the disbursement: ${await describePage(page)}`, { cause: err });
  }
  const state = page.locator('#financing-state');
  await expectText(state, /^(Awaiting second approval|Paid out)$/);
  return (await state.innerText()).trim();
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
