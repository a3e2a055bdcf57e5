// Financing programs: Acme's admin sets one up with Jade Capital and makes Sunrise eligible;
// Sunrise joins it with auto-financing.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectFlash, expectText, signIn, suite, waitForPath } from './harness.mjs';
import { submitForm, uniquePo } from './order-steps.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

test('a brand admin sets up a financing program and an eligible supplier joins it', async () => {
  const name = `Early pay ${uniquePo('FP')}`;
  const acme = await env.newPage();
  await signIn(acme.page, 'admin@acme.test');
  await acme.page.goto('/admin/settings');
  await acme.page.getByRole('link', { name: 'Financing programs', exact: true }).click();
  await waitForPath(acme.page, '/admin/finance');
  await acme.page.getByRole('heading', { level: 1, name: 'Financing programs' }).waitFor();

  const create = acme.page.locator('details.program-new');
  await create.locator('summary').click();
  const form = create.locator('form');
  await form.getByLabel('Program name', { exact: true }).fill(name);
  await form.getByLabel('Financier', { exact: true }).selectOption({ label: 'Jade Capital' });
  await form.getByLabel('Advance rate (% of the invoice)', { exact: true }).fill('90');
  await form.getByLabel('Rate (% per year, or the flat fee in %)', { exact: true }).fill('6.25');
  await form.getByLabel('Limit per supplier (whole units)', { exact: true }).fill('250000');
  await form.getByLabel('Total limit (whole units)', { exact: true }).fill('100000');
  await submitForm(acme.page, form.getByRole('button', { name: 'Create the program', exact: true }));
  // A per-supplier limit above the total is explained, and the entries stay.
  await expectText(create.locator('.field-error').first(), "The limit per supplier cannot exceed the program's total limit.");
  assert.equal(await form.getByLabel('Program name', { exact: true }).inputValue(), name);
  await form.getByLabel('Total limit (whole units)', { exact: true }).fill('1000000');
  await submitForm(acme.page, form.getByRole('button', { name: 'Create the program', exact: true }));
  await expectFlash(acme.page, 'The program is saved.');

  const program = acme.page.locator('section.program').filter({ hasText: name });
  await program.getByLabel('Sunrise Textiles', { exact: true }).check();
  await submitForm(acme.page, program.getByRole('button', { name: 'Save the eligible suppliers', exact: true }));
  await expectFlash(acme.page, 'The eligible suppliers are saved.');

  const sunrise = await env.newPage();
  await signIn(sunrise.page, 'sales@sunrise.test');
  await sunrise.page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Financing', exact: true }).click();
  await waitForPath(sunrise.page, '/financing');
  const offer = sunrise.page.locator('section.program').filter({ hasText: name });
  await expectText(offer.locator('.program-terms'), '90.00 % advance · 6.25 % p.a. (ACT360) · up to 120 days');
  await offer.getByLabel('Request financing automatically when an invoice has all the evidence', { exact: true }).check();
  await submitForm(sunrise.page, offer.getByRole('button', { name: 'Join the program', exact: true }));
  await expectFlash(sunrise.page, 'You joined the program.');
  await expectText(sunrise.page.locator('section.program').filter({ hasText: name }).locator('.program-status'), /Joined .* · auto-financing/);

  acme.watch.assertClean();
  sunrise.watch.assertClean();
  await acme.context.close();
  await sunrise.context.close();
});
