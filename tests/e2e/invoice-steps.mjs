// Steps on the invoice pages shared by the browser tests: the supplier invoices what was
// received, brand finance accepts.

import { expectFlash, expectText, pathOf, waitForPath } from './harness.mjs';
import { submitForm } from './order-steps.mjs';

/**
 * As the order's supplier: invoices everything received (the form's defaults). `due` is the due
 * date, or a function of the form's invoice date (the app's today) that gives it. Returns the
 * invoice's path.
 */
export async function invoiceReceivedGoods(page, orderPath, { po, number, due }) {
  await page.goto(orderPath);
  await page.getByRole('link', { name: 'Create an invoice', exact: true }).click();
  await waitForPath(page, `${orderPath}/invoices/new`);
  await page.getByRole('heading', { level: 1, name: `New invoice · PO ${po}` }).waitFor();
  await page.getByLabel('Invoice number', { exact: true }).fill(number);
  const dueDate = typeof due === 'function' ? due(await page.getByLabel('Invoice date', { exact: true }).inputValue()) : due;
  await page.getByLabel('Due date', { exact: true }).fill(dueDate);
  await submitForm(page, page.getByRole('button', { name: 'Send the invoice', exact: true }));
  await waitForPath(page, /^\/invoices\/[^/]+$/);
  await expectFlash(page, 'The invoice is sent to the buyer and registered.');
  await expectText(page.locator('#invoice-state'), 'Waiting for the buyer');
  return pathOf(page);
}

/** As brand finance: finds the invoice in the list and accepts it. */
export async function acceptInvoice(page, invoicePath, number) {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Invoices', exact: true }).click();
  await waitForPath(page, '/invoices');
  await page.locator('table.invoices').getByRole('link', { name: number, exact: true }).click();
  await waitForPath(page, invoicePath);
  await submitForm(page, page.getByRole('button', { name: 'Accept: we owe this amount on the due date', exact: true }));
  await expectFlash(page, 'Accepted. The supplier is told, and a signed statement records what you owe.');
  await expectText(page.locator('#invoice-state'), 'Accepted');
}
