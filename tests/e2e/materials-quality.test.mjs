// The brand's milestone template, material kitting (物料齐套) and QC holds: Acme's admin renames
// and adds milestones and Delta reports on them; Delta lists the bill of materials of a line,
// records what is on hand with material lots until the line is kitted, and plans the start; a
// failed QC inspection holds the shipment until Acme quality waives it with a reason.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectFlash, expectText, signIn, suite, waitForPath } from './harness.mjs';
import {
  acceptAll,
  createAndIssueForDelta,
  daysFromNow,
  openProgressForm,
  photo,
  signInWithAcme,
  submitForm,
  uniquePo,
} from './order-steps.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

const ONE_LINE = [
  { sku: 'E2E-JKT-OLV-M', description: 'Field jacket, olive, M', hs: '6201.40', quantity: '600', price: '24.10' },
];

/** Acme ops issues a one-line order to Delta, and Delta accepts it. Returns [orderPath, delta]. */
async function confirmedOrderAtDelta(po) {
  const acme = await env.newPage();
  await signIn(acme.page, 'ops@acme.test');
  const orderPath = await createAndIssueForDelta(acme.page, { po, requested: daysFromNow(60), lines: ONE_LINE });
  acme.watch.assertClean();
  await acme.context.close();

  const delta = await env.newPage();
  await signInWithAcme(delta.page, 'planner@delta.test', 'Delta Garment Works');
  await delta.page.goto(orderPath);
  await delta.page.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
  await acceptAll(delta.page, 1);
  return [orderPath, delta];
}

/** The texts of the milestone choices of the progress form, and which of them are disabled. */
async function milestoneChoices(form) {
  return form.getByLabel('Milestone', { exact: true }).locator('option').evaluateAll((options) =>
    options.map((o) => ({ name: o.textContent.trim(), disabled: o.disabled })),
  );
}

test('Acme admin renames, switches off and adds milestones; Delta reports on that template', async () => {
  const admin = await env.newPage();
  const { page } = admin;
  await signIn(page, 'admin@acme.test');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Settings', exact: true }).click();
  await waitForPath(page, '/admin/settings');
  await page.getByRole('link', { name: 'Milestone template', exact: true }).click();
  await waitForPath(page, '/admin/milestones');
  await page.getByRole('heading', { level: 1, name: 'Milestone template' }).waitFor();
  const rows = page.locator('table.milestone-steps tbody tr');
  assert.equal(await rows.count(), 8, 'the eight standard milestones');

  // A name of one's own for "Materials kitted", "50 % produced" switched off.
  const kitted = rows.filter({ hasText: 'Standard name: Materials kitted' });
  await kitted.locator('input[name="label"]').fill('Fabric and trims in house');
  const half = rows.filter({ hasText: 'Standard name: 50 % produced' });
  await half.locator('input[name="active"]').uncheck();
  await submitForm(page, page.getByRole('button', { name: 'Save', exact: true }));
  await expectFlash(page, 'The milestone template is saved.');
  assert.equal(await kitted.locator('input[name="label"]').inputValue(), 'Fabric and trims in house');
  assert.equal(await half.locator('input[name="active"]').isChecked(), false);

  // A milestone without a name is refused beside the field, and nothing is added.
  const add = page.locator('form[action="/admin/milestones/add"]');
  await submitForm(page, add.getByRole('button', { name: 'Add milestone', exact: true }));
  await expectText(page.locator('#new-label-error'), 'Give this milestone a name.');
  assert.equal(await rows.count(), 8);

  // A production step of Acme's own.
  await add.getByLabel('Name', { exact: true }).fill('Embroidery done');
  await add.getByLabel(/A production step/).check();
  await submitForm(page, add.getByRole('button', { name: 'Add milestone', exact: true }));
  await expectFlash(page, 'The milestone is added to the template.');
  assert.equal(await rows.count(), 9);
  assert.equal(await rows.last().locator('input[name="label"]').inputValue(), 'Embroidery done');

  // Delta's progress form follows the template: the new names, nothing switched off, and the
  // production step waits for the first sample like the standard ones.
  const po = uniquePo('TMPL');
  const [orderPath, delta] = await confirmedOrderAtDelta(po);
  const form = await openProgressForm(delta.page);
  const choices = await milestoneChoices(form);
  const names = choices.map((c) => c.name);
  assert.ok(names.includes('Fabric and trims in house'), `renamed milestone offered: ${names}`);
  assert.ok(!names.includes('Materials kitted'), `old name gone: ${names}`);
  assert.ok(!names.some((n) => n.startsWith('50 % produced')), `switched-off milestone gone: ${names}`);
  assert.deepEqual(
    choices.find((c) => c.name.startsWith('Embroidery done')),
    { name: 'Embroidery done (after first-sample approval)', disabled: true },
  );
  await form.getByLabel('Milestone', { exact: true }).selectOption({ label: 'Fabric and trims in house' });
  await submitForm(delta.page, form.getByRole('button', { name: 'Post progress', exact: true }));
  await expectFlash(delta.page, 'Progress posted and signed.');
  await expectText(delta.page.locator('section#progress ol.posts > li.post strong').first(), 'Fabric and trims in house');

  // Put the template back as it was for the other tests of this file.
  await page.reload();
  await kitted.locator('input[name="label"]').fill('');
  await half.locator('input[name="active"]').check();
  await rows.last().locator('input[name="active"]').uncheck();
  await submitForm(page, page.getByRole('button', { name: 'Save', exact: true }));
  await expectFlash(page, 'The milestone template is saved.');
  assert.equal(await delta.page.goto(orderPath).then((r) => r.status()), 200);

  for (const p of [admin, delta]) p.watch.assertClean();
  for (const p of [admin, delta]) await p.context.close();
});

test('Delta lists the materials of a line, records stock with lots until it is kitted, and plans the start', async () => {
  const po = uniquePo('KIT');
  const [orderPath, delta] = await confirmedOrderAtDelta(po);
  const { page } = delta;
  const kitting = page.locator('section#kitting');
  const line = kitting.locator('#kit-line-1');
  await expectText(kitting.locator('#kit-status'), 'No bill of materials');
  await expectText(line.locator('p.empty'), 'No bill of materials for this line yet.');

  const openAddForm = async () => {
    await kitting.locator('details.bom-form summary').click();
    const form = kitting.locator('details.bom-form form');
    await form.getByLabel('Component', { exact: true }).waitFor({ state: 'visible' });
    return form;
  };

  // A negative quantity per unit is refused beside the field, with what was typed kept.
  let form = await openAddForm();
  await form.getByLabel('Component', { exact: true }).fill('Shell fabric, olive twill 240 g');
  await form.getByLabel('Quantity per finished unit', { exact: true }).fill('-1.25');
  await submitForm(page, form.getByRole('button', { name: 'Add to the bill of materials', exact: true }));
  await expectText(page.locator('#b-qty_per_unit-error'), /./);
  form = kitting.locator('details.bom-form form');
  assert.equal(await form.getByLabel('Component', { exact: true }).inputValue(), 'Shell fabric, olive twill 240 g');

  // Fabric, 1.25 m for each of the 600 jackets, from the mill.
  await form.getByLabel('Quantity per finished unit', { exact: true }).fill('1.25');
  await form.getByLabel('Unit', { exact: true }).selectOption('m');
  await form.getByLabel('Supplier of the material', { exact: true }).fill('Jiangsu Twill Mills');
  await submitForm(page, form.getByRole('button', { name: 'Add to the bill of materials', exact: true }));
  await expectFlash(page, 'The material is added to the bill of materials.');
  await expectText(kitting.locator('#kit-status'), 'Short of materials');
  const fabric = line.locator('table.bom tbody tr').filter({ hasText: 'Shell fabric, olive twill 240 g' });
  await expectText(fabric.locator('td[data-label="Needed"]'), '750 m');
  await expectText(fabric.locator('td[data-label="Short"]'), '750 m');
  assert.match(await fabric.locator('td[data-label="Component"]').innerText(), /1\.25 m per unit · Jiangsu Twill Mills/);

  // Part of it on hand: still short by the rest.
  const recordStock = async (onHand, allocated, lots) => {
    await fabric.locator('details.stock-form summary').click();
    const stock = fabric.locator('details.stock-form form');
    await stock.getByLabel('On hand (m)', { exact: true }).fill(onHand);
    await stock.getByLabel('Allocated (m)', { exact: true }).fill(allocated);
    await stock.getByLabel('Material lot codes', { exact: true }).fill(lots);
    await submitForm(page, stock.getByRole('button', { name: 'Save and sign', exact: true }));
    await expectFlash(page, 'The stock is recorded and signed.');
  };
  await recordStock('500', '0', 'DYE-2611-07');
  await expectText(fabric.locator('td[data-label="Short"]'), '250 m');
  await expectText(kitting.locator('#kit-status'), 'Short of materials');

  // Delta's orders list shows the shortage too.
  await page.goto(`/orders?view=all&q=${po}`);
  const row = page.locator('table tbody tr').filter({ hasText: po });
  await expectText(row.locator('td[data-label="Materials"]'), 'Short of materials');
  await page.goto(orderPath);

  // The rest allocated from another lot: kitted.
  await recordStock('500', '250', 'DYE-2611-07, DYE-2611-08');
  await expectText(fabric.locator('td[data-label="Short"]'), '—');
  await expectText(fabric.locator('td[data-label="Material lot codes"]'), /^DYE-2611-07, DYE-2611-08/);
  await expectText(kitting.locator('#kit-status'), 'Kitted');

  // A component added by mistake is removed after a confirmation.
  form = await openAddForm();
  await form.getByLabel('Component', { exact: true }).fill('Horn buttons 20 mm');
  await form.getByLabel('Quantity per finished unit', { exact: true }).fill('6');
  await submitForm(page, form.getByRole('button', { name: 'Add to the bill of materials', exact: true }));
  await expectText(kitting.locator('#kit-status'), 'Short of materials');
  const buttons = line.locator('table.bom tbody tr').filter({ hasText: 'Horn buttons 20 mm' });
  await buttons.locator('details.remove-component summary').click();
  await expectText(buttons.locator('details.remove-component p'), 'Remove this component from the bill of materials?');
  await submitForm(page, buttons.getByRole('button', { name: 'Yes, remove it', exact: true }));
  await expectFlash(page, 'The material is removed from the bill of materials.');
  assert.equal(await buttons.count(), 0);
  await expectText(kitting.locator('#kit-status'), 'Kitted');

  // The planned start of production, which the shortage reminders count down to.
  const start = daysFromNow(10);
  await line.getByLabel('Planned production start', { exact: true }).fill(start);
  await submitForm(page, line.getByRole('button', { name: 'Save date', exact: true }));
  await expectFlash(page, 'The planned production start is saved.');
  assert.equal(await line.getByLabel('Planned production start', { exact: true }).inputValue(), start);

  // Acme ops sees the same materials and date, without the factory's stock forms; the stock
  // record is a signed statement on the order.
  const acme = await env.newPage();
  await signIn(acme.page, 'ops@acme.test');
  await acme.page.goto(orderPath);
  const acmeKitting = acme.page.locator('section#kitting');
  await expectText(acmeKitting.locator('#kit-status'), 'Kitted');
  assert.match(await acmeKitting.locator('#kit-line-1').innerText(), new RegExp(`Planned production start: ${start}`));
  assert.equal(await acmeKitting.locator('details.stock-form').count(), 0, 'no stock form for the brand');
  const kinds = (await acme.page.locator('section#verify ol.statements > li strong').allInnerTexts()).map((t) => t.trim());
  assert.ok(kinds.includes('po.materials_recorded'), `a signed po.materials_recorded statement: ${kinds.join(', ')}`);
  await expectText(acme.page.locator('section#verify .verdict'), '✓ Every statement verifies');

  for (const p of [acme, delta]) p.watch.assertClean();
  for (const p of [acme, delta]) await p.context.close();
});

test('a failed QC inspection holds the shipment until Acme quality waives it with a reason', async () => {
  const po = uniquePo('QC');
  const [orderPath, delta] = await confirmedOrderAtDelta(po);

  // Acme quality records the inspection: the result is required, then a failure with a photo.
  const quality = await env.newPage();
  const qp = quality.page;
  await signIn(qp, 'quality@acme.test');
  await qp.goto(orderPath);
  const qc = qp.locator('section#qc');
  await expectText(qc.locator('p.empty'), 'No QC inspection recorded yet.');
  await qc.locator('details.qc-form summary').click();
  let form = qc.locator('details.qc-form form');
  await form.getByLabel('Inspector', { exact: true }).fill('Lin Wei (Acme QA)');
  await form.getByLabel('Sample size (pieces inspected)', { exact: true }).fill('80');
  assert.equal(await form.getByLabel('AQL level', { exact: true }).inputValue(), '2.5', 'AQL 2.5 by default');
  // A refused upload form comes back in place (app.js writes the answer), without a new load.
  await form.getByRole('button', { name: 'Record inspection', exact: true }).click();
  await expectText(qp.locator('#q-result-error'), 'Choose pass or fail.');
  form = qc.locator('details.qc-form form');
  assert.equal(await form.getByLabel('Inspector', { exact: true }).inputValue(), 'Lin Wei (Acme QA)', 'what was typed is kept');
  await form.getByLabel('Major', { exact: true }).fill('6');
  await form.getByLabel('Defects by type', { exact: true }).fill('4 × open seam, 2 × shade variation');
  await form.getByLabel('Fail', { exact: true }).check();
  await form.getByLabel('Photos or report (PDF)', { exact: true }).setInputFiles([photo('open-seam.png', [120, 80, 40])]);
  await submitForm(qp, form.getByRole('button', { name: 'Record inspection', exact: true }));
  await expectFlash(qp, 'The inspection is recorded and signed.');
  const inspection = qc.locator('ol.inspections > li.inspection').first();
  await expectText(inspection.locator('.status'), 'Failed');
  assert.match(await inspection.innerText(), /80 pcs inspected · AQL 2\.5 · Critical 0 · Major 6 · Minor 0/);
  assert.equal(await inspection.locator('ul.thumbs img').count(), 1, 'the inspection photo');

  // Delta cannot announce a shipment while the failure stands.
  const { page } = delta;
  await page.reload();
  await expectText(page.locator('#qc-hold'), /^Shipment is on hold: the latest QC inspection failed\./);
  assert.equal(await page.locator('section#shipping details.asn-form').count(), 0, 'no ASN form while held');
  await expectText(page.locator('section#qc ol.inspections > li.inspection .status').first(), 'Failed');

  // Acme quality waives it, with a reason that is signed and shown to the factory.
  const reason = 'Shade variation within the buyer-approved band; open seams repaired and re-checked.';
  await qp.reload();
  const waiver = qc.locator('form.qc-waiver');
  await waiver.getByLabel('Reason for the waiver', { exact: true }).fill(reason);
  await submitForm(qp, waiver.getByRole('button', { name: 'Waive and let the goods ship', exact: true }));
  await expectFlash(qp, 'The failed inspection is waived; the goods may ship.');
  await expectText(inspection.locator('p.waiver'), `Waived by Quinn Quality: “${reason}”`);
  assert.equal(await qc.locator('form.qc-waiver').count(), 0, 'nothing left to waive');

  // Now Delta can ship.
  await page.reload();
  assert.equal(await page.locator('#qc-hold').count(), 0, 'the hold is lifted');
  await expectText(page.locator('section#qc p.waiver'), new RegExp(reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const shipping = page.locator('section#shipping');
  await shipping.locator('details.asn-form summary').filter({ hasText: 'Announce a shipment (ASN)' }).click();
  const asnForm = shipping.locator('details.asn-form form');
  await asnForm.getByLabel('Carrier', { exact: true }).fill('COSCO');
  await asnForm.getByLabel('Tracking number', { exact: true }).fill(`COSU${String(Date.now()).slice(-8)}`);
  await asnForm.getByLabel('Ship date', { exact: true }).fill(daysFromNow(5));
  await asnForm.getByLabel('ETA', { exact: true }).fill(daysFromNow(30));
  await asnForm.getByLabel('Cartons', { exact: true }).fill('25');
  await submitForm(page, asnForm.getByRole('button', { name: 'Send ASN', exact: true }));
  await expectFlash(page, 'The ASN is sent; the brand and the warehouse have been told.');
  await expectText(shipping.locator('ol.asns > li.asn .status'), 'In transit');

  for (const p of [quality, delta]) p.watch.assertClean();
  for (const p of [quality, delta]) await p.context.close();
});
