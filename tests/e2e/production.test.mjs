// Production, first sample, shipping and receiving: a factory reports progress with photos and
// submits its first sample, brand quality approves it, the factory announces a shipment (ASN),
// the 3PL warehouse posts a receipt with a discrepancy, and the brand is alerted and sees the
// whole story on the order. Photos are real PNGs made here in memory and given to the file
// inputs with setInputFiles; the upload forms are sent by app.js (XHR with a progress bar).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { expectFlash, expectText, pathOf, signIn, suite, waitForMail, waitForPath } from './harness.mjs';
import { acceptInvoice, invoiceReceivedGoods } from './invoice-steps.mjs';
import {
  acceptAll,
  createAndIssueForDelta,
  daysFromNow,
  homeCardCount,
  openProgressForm,
  photo,
  signInWithAcme,
  submitForm,
  uniquePo,
} from './order-steps.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

const TWO_LINES = [
  { sku: 'E2E-POLO-NVY-M', description: 'Piqué polo, navy, M', hs: '6105.10', quantity: '600', price: '6.47' },
  { sku: 'E2E-POLO-RED-L', description: 'Piqué polo, red, L', hs: '6105.10', quantity: '250', price: '6.93' },
];

/** The texts of an order page's timeline entries' labels, oldest first. */
async function timelineLabels(page) {
  return (await page.locator('ol.timeline li strong').allInnerTexts()).map((t) => t.trim());
}

/** Asserts `wanted` occurs in `labels` in this order (other entries may come between). */
function assertInOrder(labels, wanted) {
  let from = 0;
  for (const label of wanted) {
    const at = labels.indexOf(label, from);
    assert.ok(at >= 0, `the timeline has "${label}" after position ${from}: ${JSON.stringify(labels)}`);
    from = at + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

test('Delta reports progress with photos and a first sample, Acme quality approves, Delta ships, Harbor receives short, Acme is alerted, Delta invoices and Acme finance accepts', async () => {
  const po = uniquePo('PROD');
  const requested = daysFromNow(50);
  const shipDate = daysFromNow(30);
  const eta = daysFromNow(44);
  const tracking = `MSKU${String(Date.now()).slice(-7)}`;
  const shortReason = 'Carton 7 missing on arrival; 10 polos short.';

  // Acme ops: where the discrepancy card stands before, then a fresh order for Delta → Harbor.
  const acme = await env.newPage();
  await signIn(acme.page, 'ops@acme.test');
  const discrepanciesBefore = await homeCardCount(acme.page, 'Receipt discrepancies');
  const orderPath = await createAndIssueForDelta(acme.page, { po, requested, lines: TWO_LINES });
  // What the warehouse must never see: the unit prices and the total as Acme sees them.
  const prices = [
    ...(await acme.page.locator('table.lines td[data-label="Unit price"]').allInnerTexts()),
    await acme.page.locator('dl.facts dt:text-is("Total") + dd').innerText(),
  ].map((t) => t.trim());
  assert.equal(prices.length, 3, `unit prices and total: ${prices}`);
  for (const p of prices) assert.match(p, /\d/, `a price is shown to the brand: ${p}`);

  // Delta finds the order, accepts all lines.
  const delta = await env.newPage();
  const { page } = delta;
  await signInWithAcme(page, 'planner@delta.test', 'Delta Garment Works');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Orders', exact: true }).click();
  await waitForPath(page, '/orders');
  await page.getByRole('link', { name: po, exact: true }).click();
  await waitForPath(page, orderPath);
  await page.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
  await expectText(page.locator('section#progress p.empty'), 'No progress reported yet.');
  await acceptAll(page, TWO_LINES.length);

  // Materials kitted, with two photos from the "camera".
  let form = await openProgressForm(page);
  const files = form.getByLabel('Photos or documents', { exact: true });
  assert.equal(await files.getAttribute('capture'), 'environment', 'the photo input offers the camera');
  assert.equal(await files.getAttribute('multiple'), '', 'several photos at once');
  await form.getByLabel('Milestone', { exact: true }).selectOption({ label: 'Materials kitted' });
  await form.getByLabel('Expected completion', { exact: true }).fill(daysFromNow(40));
  await form.getByLabel('Note', { exact: true }).fill('Fabric and trims in; cutting starts Monday.');
  await files.setInputFiles([photo('fabric-rolls.png', [40, 60, 120]), photo('trims.png', [200, 30, 30])]);
  await submitForm(page, form.getByRole('button', { name: 'Post progress', exact: true }));
  await waitForPath(page, orderPath);
  await expectFlash(page, 'Progress posted and signed.');
  const posts = page.locator('section#progress ol.posts > li.post');
  await expectText(posts.first().locator('strong'), 'Materials kitted');
  assert.equal(await posts.count(), 1);
  const post = posts.first();
  assert.match(await post.innerText(), /Fabric and trims in; cutting starts Monday\./);
  assert.match(await post.innerText(), /Delta Garment Works/);
  const thumbs = post.locator('ul.thumbs img');
  assert.equal(await thumbs.count(), 2, 'two thumbnails');
  assert.deepEqual((await thumbs.evaluateAll((imgs) => imgs.map((i) => i.alt))).toSorted(), ['fabric-rolls.png', 'trims.png']);
  for (const img of await thumbs.all()) {
    await img.scrollIntoViewIfNeeded();
    // The thumbnail really loaded (a broken image has no natural width).
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  }

  // Production may not start before the first sample is approved: the choice says so and
  // cannot be picked (the server refuses it too, see tests/it/samples.rs).
  form = await openProgressForm(page);
  const started = form.getByLabel('Milestone', { exact: true }).locator('option', { hasText: 'Production started' });
  assert.equal(await started.innerText(), 'Production started (after first-sample approval)');
  assert.ok(await started.isDisabled(), 'production milestones wait for the sample');
  assert.equal(await posts.count(), 1);

  // The first sample, with measurements and a photo.
  const samples = page.locator('section#samples');
  await expectText(samples.locator('p.empty'), 'No sample submitted yet.');
  await samples.locator('details.sample-form summary').filter({ hasText: 'Submit the first sample' }).click();
  const sampleForm = samples.locator('details.sample-form form');
  await sampleForm.getByLabel('Measurements', { exact: true }).fill('chest 52 cm, length 71 cm, sleeve 20 cm');
  await sampleForm.getByLabel('Note', { exact: true }).fill('Size M, navy; shipped by courier today.');
  await sampleForm.getByLabel('Photos of the sample', { exact: true }).setInputFiles([photo('sample-front.png', [10, 20, 90])]);
  await submitForm(page, sampleForm.getByRole('button', { name: 'Send for approval', exact: true }));
  const sample = samples.locator('ol.samples > li.sample');
  await expectText(sample.locator('.status'), 'Waiting for approval');
  await expectText(sample.locator('p.measurements'), 'chest 52 cm, length 71 cm, sleeve 20 cm');
  assert.equal(await sample.locator('ul.thumbs img').count(), 1, 'one sample photo');
  assert.equal(await samples.locator('details.sample-form').count(), 0, 'no second sample while one waits');

  // Acme quality: told by a notification, approves with a comment.
  const quality = await env.newPage();
  await signIn(quality.page, 'quality@acme.test');
  await quality.page.locator('header a.bell').click();
  await waitForPath(quality.page, '/notifications');
  await quality.page.getByRole('link', { name: `Delta Garment Works submitted the first sample of PO ${po}`, exact: true }).click();
  await waitForPath(quality.page, orderPath);
  const qSamples = quality.page.locator('section#samples');
  await expectText(qSamples.locator('ol.samples > li.sample .status'), 'Waiting for approval');
  const decision = qSamples.locator('form.sample-decision');
  await decision.getByLabel('Comment', { exact: true }).fill('Fit and measurements within tolerance. Go ahead.');
  await submitForm(quality.page, decision.getByRole('button', { name: 'Approve sample', exact: true }));
  await expectFlash(quality.page, 'The sample is approved. Production may start.');
  await expectText(qSamples.locator('ol.samples > li.sample .status'), 'Approved');
  await expectText(qSamples.locator('ol.samples > li.sample p.note').last(), /Fit and measurements within tolerance\. Go ahead\./);
  assert.equal(await qSamples.locator('form.sample-decision').count(), 0, 'no second decision');

  // Delta sees the approval; now production may start.
  await page.reload();
  await expectText(sample.locator('.status'), 'Approved');
  form = await openProgressForm(page);
  await form.getByLabel('Milestone', { exact: true }).selectOption({ label: 'Production started' });
  await submitForm(page, form.getByRole('button', { name: 'Post progress', exact: true }));
  await expectText(posts.first().locator('strong'), 'Production started');
  assert.equal(await posts.count(), 2);

  // Delta announces the shipment to the order's warehouse, everything still open.
  const shipping = page.locator('section#shipping');
  await expectText(shipping.locator('p.empty'), 'Nothing shipped yet.');
  await shipping.locator('details.asn-form summary').filter({ hasText: 'Announce a shipment (ASN)' }).click();
  const asnForm = shipping.locator('details.asn-form form');
  const warehouse = asnForm.getByLabel('To warehouse', { exact: true });
  assert.equal((await warehouse.locator('option:checked').innerText()).trim(), 'Harbor Logistics', 'the ship-to is preselected');
  assert.equal(await asnForm.getByLabel('Quantity shipped 1', { exact: true }).inputValue(), '600');
  assert.equal(await asnForm.getByLabel('Quantity shipped 2', { exact: true }).inputValue(), '250');
  await asnForm.getByLabel('Carrier', { exact: true }).fill('Maersk');
  await asnForm.getByLabel('Tracking number', { exact: true }).fill(tracking);
  await asnForm.getByLabel('Ship date', { exact: true }).fill(shipDate);
  await asnForm.getByLabel('ETA', { exact: true }).fill(eta);
  await asnForm.getByLabel('Cartons', { exact: true }).fill('34');
  await submitForm(page, asnForm.getByRole('button', { name: 'Send ASN', exact: true }));
  await expectFlash(page, 'The ASN is sent; the brand and the warehouse have been told.');
  const asn = shipping.locator('ol.asns > li.asn');
  assert.equal(await asn.count(), 1);
  await expectText(asn.locator('.status'), 'In transit');
  await expectText(asn.locator('strong'), `Maersk ${tracking}`);
  assert.match(await asn.locator('small').innerText(), new RegExp(`Harbor Logistics · Ship date ${shipDate} · ETA ${eta} · 34 carton\\(s\\)`));

  // Harbor Logistics: Inbound → the shipment → a receipt with 10 short on line 1 and a photo.
  const harbor = await env.newPage();
  const hp = harbor.page;
  await signInWithAcme(hp, 'dock@harborlog.test', 'Harbor Logistics');
  await hp.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Inbound', exact: true }).click();
  await waitForPath(hp, '/inbound');
  await hp.getByRole('heading', { level: 1, name: 'Inbound' }).waitFor();
  const row = hp.locator('table.inbound tbody tr').filter({ hasText: po });
  assert.equal(await row.count(), 1, `one inbound row for ${po}`);
  await expectText(row.locator('td[data-label="Supplier or factory"]'), 'Delta Garment Works');
  await expectText(row.locator('td[data-label="State"]'), 'In transit');
  await expectText(row.locator('td[data-label="ETA"]'), eta);
  await row.getByRole('link', { name: po, exact: true }).click();
  await waitForPath(hp, /^\/inbound\/[^/]+$/);
  const asnPath = pathOf(hp);
  await hp.getByRole('heading', { level: 1, name: `Inbound shipment · PO ${po}` }).waitFor();
  await expectText(hp.locator('#asn-status'), 'In transit');
  // The truck is at the dock: the arrival starts Harbor's receipt clock, shown as time left.
  await submitForm(hp, hp.getByRole('button', { name: 'Goods arrived at the dock', exact: true }));
  await waitForPath(hp, asnPath);
  await expectFlash(hp, 'Arrival recorded. Count the goods and post the receipt below.');
  await expectText(hp.locator('#asn-status'), 'At the dock');
  await expectText(hp.locator('#arrived-at .badge-time'), /left$/);
  assert.equal(await hp.getByRole('button', { name: 'Goods arrived at the dock' }).count(), 0, 'arrival is reported once');
  const received1 = hp.getByLabel('Received 1', { exact: true });
  assert.equal(await received1.inputValue(), '600', 'received starts at what was announced');
  assert.equal(await hp.getByLabel('Received 2', { exact: true }).inputValue(), '250');
  await received1.fill('590');
  await hp.getByLabel('Damaged 1', { exact: true }).fill('0');
  await hp.getByLabel('Reason for a difference 1', { exact: true }).fill(shortReason);
  await hp.getByLabel('Photos (damage, labels, pallets)', { exact: true }).setInputFiles([photo('pallet-label.png', [90, 150, 40])]);
  await submitForm(hp, hp.getByRole('button', { name: 'Post receipt', exact: true }));
  await waitForPath(hp, asnPath);
  await expectText(hp.locator('#asn-status'), 'Received');
  await expectText(hp.locator('#receipt-line-1 td[data-label="Received"]'), '590');
  await expectText(hp.locator('#receipt-line-1 td[data-label="Reason for a difference"]'), shortReason);
  await expectText(hp.locator('#receipt-line-2 td[data-label="Received"]'), '250');
  assert.equal(await hp.getByRole('button', { name: 'Post receipt' }).count(), 0, 'no second receipt');

  // The warehouse never sees a price: not on its inbound pages or export, not on the order page.
  const amounts = prices.map((p) => p.replace(/[^\d.]/g, ''));
  const assertNoPrices = (where, text) => {
    for (const p of [...prices, ...amounts]) assert.ok(!text.includes(p), `${where} shows no price (${p}) to the warehouse`);
  };
  for (const where of [asnPath, '/inbound', orderPath]) {
    await hp.goto(where);
    await hp.locator('main h1').waitFor();
    const text = await hp.locator('body').innerText();
    assertNoPrices(where, text);
    assert.ok(!/Unit price|Total/.test(text), `${where} has no price column or total for the warehouse`);
  }
  await hp.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
  assert.equal(await hp.locator('section#verify').count(), 0, 'no signed record (which names prices) for the warehouse');
  await hp.goto('/inbound');
  const [exported] = await Promise.all([
    hp.waitForEvent('download'),
    hp.getByRole('link', { name: 'Export CSV', exact: true }).click(),
  ]);
  const csv = await readFile(await exported.path(), 'utf8');
  assert.ok(csv.includes(po), `the export lists ${po}`);
  assert.ok(!/price|amount|total/i.test(csv.split('\n')[0]), `no price column in the export: ${csv.split('\n')[0]}`);
  assertNoPrices('the inbound CSV export', csv);

  // Acme ops: the alert, the home card and the whole story on the order.
  await acme.page.goto('/');
  await acme.page.getByRole('heading', { level: 1, name: /^Hello, / }).waitFor();
  assert.equal(await homeCardCount(acme.page, 'Receipt discrepancies'), discrepanciesBefore + 1, 'one more discrepancy on the home page');
  await acme.page.locator('header a.bell').click();
  await waitForPath(acme.page, '/notifications');
  const alert = acme.page.locator('.notification-list li').filter({ hasText: `Harbor Logistics found a discrepancy receiving PO ${po}` });
  assert.equal(await alert.count(), 1, 'one discrepancy notification');
  assert.equal(await alert.getAttribute('class'), 'unread');
  await alert.getByRole('link', { name: `Harbor Logistics found a discrepancy receiving PO ${po}`, exact: true }).click();
  await waitForPath(acme.page, orderPath);
  await acme.page.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();

  assertInOrder(await timelineLabels(acme.page), [
    'Draft created',
    'Issued',
    'Line accepted',
    'Progress reported',
    'First sample submitted',
    'First sample approved',
    'Progress reported',
    'Shipped (ASN)',
    'Received with a discrepancy',
  ]);
  const last = acme.page.locator('ol.timeline > li').last();
  assert.match(await last.innerText(), /Received with a discrepancy[\s\S]*Harbor Logistics/);
  const acmeAsn = acme.page.locator('section#shipping ol.asns > li.asn');
  await expectText(acmeAsn.locator('.status'), 'Received');
  await expectText(acmeAsn.locator('.discrepancy'), `“${shortReason}”`);
  assert.equal(await acmeAsn.locator('ul.thumbs img').count(), 1, 'Acme sees the receipt photo');
  assert.match(await acmeAsn.locator('ul.asn-lines li').first().innerText(), /#1 E2E-POLO-NVY-M: 600 .*→ Received 590/);
  // Every statement on the order still verifies, the receipt's included.
  await expectText(acme.page.locator('section#verify .verdict'), '✓ Every statement verifies');
  const kinds = (await acme.page.locator('section#verify ol.statements > li strong').allInnerTexts()).map((t) => t.trim());
  for (const kind of ['po.sample_submitted', 'po.sample_decided', 'po.received']) {
    assert.ok(kinds.includes(kind), `a signed ${kind} statement: ${kinds.join(', ')}`);
  }

  // Ops is also told by e-mail, with the link to the order.
  const mail = await waitForMail(env.server.mailDir, 'ops@acme.test', new RegExp(`^Harbor Logistics found a discrepancy receiving PO ${po}$`));
  assert.ok(mail.body.includes(`${env.server.baseURL}${orderPath}`), `the mail links the order:\n${mail.body}`);

  // Delta invoices what Harbor counted (590 and 250), and Acme finance accepts.
  const number = `DGW-${po}`;
  const invoicePath = await invoiceReceivedGoods(page, orderPath, { po, number, due: daysFromNow(60) });
  await expectText(page.locator('#invoice-amount'), /^5549\.80 /);
  const finance = await env.newPage();
  await signIn(finance.page, 'finance@acme.test');
  await acceptInvoice(finance.page, invoicePath, number);

  for (const p of [acme, delta, quality, harbor, finance]) p.watch.assertClean();
  for (const p of [acme, delta, quality, harbor, finance]) await p.context.close();
});

test('on a phone-sized screen the factory posts progress with two photos', async () => {
  const po = uniquePo('PHONE');
  const acme = await env.newPage();
  await signIn(acme.page, 'ops@acme.test');
  const orderPath = await createAndIssueForDelta(acme.page, { po, requested: daysFromNow(40), lines: TWO_LINES.slice(0, 1) });

  const { context, page, watch } = await env.newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
  await signInWithAcme(page, 'planner@delta.test', 'Delta Garment Works');
  await page.goto(orderPath);
  await page.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
  await acceptAll(page, 1, { tap: true });

  const form = await openProgressForm(page, { tap: true });
  const submit = form.getByRole('button', { name: 'Post progress', exact: true });
  await form.getByLabel('Milestone', { exact: true }).selectOption({ label: 'Materials kitted' });
  await form.getByLabel('Photos or documents', { exact: true }).setInputFiles([
    photo('phone-1.png', [0, 100, 200]),
    photo('phone-2.png', [250, 200, 0]),
  ]);
  await submit.scrollIntoViewIfNeeded();
  const box = await submit.boundingBox();
  const screen = await page.evaluate(() => ({
    width: document.documentElement.clientWidth,
    scroll: document.documentElement.scrollWidth,
  }));
  assert.ok(box.x >= 0 && box.x + box.width <= screen.width, `Post progress lies within the ${screen.width}px screen: ${JSON.stringify(box)}`);
  assert.ok(box.height >= 24, `Post progress is big enough to tap (${box.height}px high)`);
  assert.ok(screen.scroll <= screen.width, `page is ${screen.scroll}px wide on a ${screen.width}px screen`);

  await submitForm(page, submit, { tap: true });
  const post = page.locator('section#progress ol.posts > li.post').first();
  await expectText(post.locator('strong'), 'Materials kitted');
  assert.equal(await post.locator('ul.thumbs img').count(), 2, 'two thumbnails');

  acme.watch.assertClean();
  watch.assertClean();
  await acme.context.close();
  await context.close();
});

/** The flash messages a page shows now (they are part of the page as the server sent it). */
async function flashesNow(page) {
  return (await page.locator('main .flashes[role="status"] p').allInnerTexts())
    .map((t) => t.trim())
    .filter(Boolean);
}

// Upload forms are sent by assets/app.js (progress bar, retry); the server answers them with the
// next page's address as data so the page that loads still carries the form's message, and a
// refused form comes back with its errors without sending the files again.
test('the answer to an upload form shows its message, and a refused one its errors', async () => {
  const po = uniquePo('FLASH');
  const acme = await env.newPage();
  await signIn(acme.page, 'ops@acme.test');
  const orderPath = await createAndIssueForDelta(acme.page, { po, requested: daysFromNow(40), lines: TWO_LINES.slice(1) });

  const { context, page, watch } = await env.newPage();
  await signInWithAcme(page, 'planner@delta.test', 'Delta Garment Works');
  await page.goto(orderPath);
  await page.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
  await acceptAll(page, 1);
  const posts = page.locator('section#progress ol.posts > li.post');
  const missing = [];
  /** After an upload form's answer has loaded: is `expected` among the page's messages? */
  const check = async (what, expected, on = page) => {
    const shown = await flashesNow(on);
    if (!shown.some((t) => t.includes(expected))) missing.push(`${what}: expected "${expected}", the page shows ${JSON.stringify(shown)}`);
  };

  let form = await openProgressForm(page);
  await form.getByLabel('Milestone', { exact: true }).selectOption({ label: 'Materials kitted' });
  await form.getByLabel('Photos or documents', { exact: true }).setInputFiles([photo('kit.png', [5, 5, 5])]);
  await submitForm(page, form.getByRole('button', { name: 'Post progress', exact: true }));
  await expectText(posts.first().locator('strong'), 'Materials kitted');
  await check('progress posted', 'Progress posted and signed.');

  // A sample without measurements is refused beside the field, the page otherwise intact.
  const samples = page.locator('section#samples');
  await samples.locator('details.sample-form summary').filter({ hasText: 'Submit the first sample' }).click();
  let sampleForm = samples.locator('details.sample-form form');
  await sampleForm.getByLabel('Photos of the sample', { exact: true }).setInputFiles([photo('red-s.png', [200, 20, 20])]);
  await sampleForm.getByRole('button', { name: 'Send for approval', exact: true }).click();
  await expectText(page.locator('#s-measurements-error'), 'This field is required.');
  assert.equal(await samples.locator('details.sample-form').getAttribute('open'), '', 'the refused form stays open');
  assert.equal(await posts.count(), 1, 'the rest of the page is there');

  sampleForm = samples.locator('details.sample-form form');
  await sampleForm.getByLabel('Measurements', { exact: true }).fill('chest 56 cm, length 74 cm');
  await sampleForm.getByLabel('Photos of the sample', { exact: true }).setInputFiles([photo('red-l.png', [220, 10, 10])]);
  await submitForm(page, sampleForm.getByRole('button', { name: 'Send for approval', exact: true }));
  await expectText(samples.locator('ol.samples > li.sample .status'), 'Waiting for approval');
  await check('sample submitted', 'The sample is submitted; brand quality has been told.');

  // The goods receipt at the warehouse is an upload form too.
  const shipping = page.locator('section#shipping');
  await shipping.locator('details.asn-form summary').filter({ hasText: 'Announce a shipment (ASN)' }).click();
  const asnForm = shipping.locator('details.asn-form form');
  await asnForm.getByLabel('Carrier', { exact: true }).fill('DHL');
  await asnForm.getByLabel('Tracking number', { exact: true }).fill(`JD${Date.now()}`);
  await asnForm.getByLabel('Ship date', { exact: true }).fill(daysFromNow(20));
  await asnForm.getByLabel('ETA', { exact: true }).fill(daysFromNow(27));
  await asnForm.getByLabel('Cartons', { exact: true }).fill('12');
  await submitForm(page, asnForm.getByRole('button', { name: 'Send ASN', exact: true }));
  await expectFlash(page, 'The ASN is sent; the brand and the warehouse have been told.');
  const harbor = await env.newPage();
  await signInWithAcme(harbor.page, 'dock@harborlog.test', 'Harbor Logistics');
  await harbor.page.goto('/inbound');
  await harbor.page.locator('table.inbound tbody tr').filter({ hasText: po }).getByRole('link').click();
  await harbor.page.getByRole('heading', { level: 1, name: `Inbound shipment · PO ${po}` }).waitFor();
  await submitForm(harbor.page, harbor.page.getByRole('button', { name: 'Post receipt', exact: true }));
  await expectText(harbor.page.locator('#asn-status'), 'Received');
  await check('receipt posted', 'The receipt is posted and signed.', harbor.page);

  assert.deepEqual(missing, [], `upload forms answered without their message:\n${missing.join('\n')}`);
  for (const p of [acme, harbor, { watch, context }]) p.watch.assertClean();
  for (const p of [acme, harbor, { watch, context }]) await p.context.close();
});
