// Batch traceability (issue 9): Acme quality traces a finished lot back to its batch (line,
// shift, operator) and material lots, opens a complaint with a photo, names the black jersey lot
// as the suspected root, reads the affected scope (its own PO, and only a notice that other
// customers are affected too) and places the hold after confirming; Sunrise Textiles is told and
// sees the held lot on its trace. Sunrise records a material lot and a batch from a phone (a
// batch taking more than is left refused beside the field); the demo complaint is listed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectFlash, expectText, signIn, suite, waitForPath } from './harness.mjs';
import { daysFromNow, photo, signInWithAcme, submitForm } from './order-steps.mjs';
import {
  FORWARD,
  KIND,
  OTHERS_AFFECTED,
  REVERSE,
  codesOf,
  downloadText,
  nodesOf,
  pageWidth,
  region,
  searchTrace,
  traceFacts,
  traceRows,
} from './trace-steps.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

const BLACK_JERSEY = 'SR-FAB-2409-117';
const RIB_TRIM = 'KT-RIB-5521';
const DEMO_OPERATORS = ['Li Wei', 'Nguyen Thi Hoa', 'Chen Jun'];

test('Acme quality traces a finished lot, holds what the suspect fabric lot reached, and Sunrise is told', async () => {
  const quality = await env.newPage();
  const qp = quality.page;
  await signIn(qp, 'quality@acme.test');
  const h1 = qp.getByRole('heading', { level: 1 });

  // Which of Acme's finished lots were sewn from the black jersey lot: the lot's forward trace.
  await searchTrace(qp, BLACK_JERSEY, 'material_lot');
  await expectText(h1, `Material lot ${BLACK_JERSEY}`);
  assert.equal((await traceFacts(qp)).Material, 'Cotton jersey 180gsm, black');
  const fromLot = await traceRows(region(qp, FORWARD));
  const made = fromLot.find((r) => r.from.kind === KIND.batch && r.to.kind === KIND.finished_lot);
  assert.ok(made, `the lot's forward trace reaches a finished lot: ${JSON.stringify(fromLot)}`);
  const lotCode = made.to.code;
  const batchCode = made.from.code;
  assert.match(lotCode, /^FG-\d+-\d+$/);
  assert.match(batchCode, /^B-\d+-\d+$/);
  await expectText(region(qp, FORWARD).getByRole('note'), OTHERS_AFFECTED);

  // The finished lot, searched by its code: the batch and the material lots it came from.
  await searchTrace(qp, lotCode, 'finished_lot');
  const lotPath = new URL(qp.url()).pathname;
  await expectText(h1, `Finished lot ${lotCode}`);
  assert.match((await traceFacts(qp)).Quantity, /^\d+ pcs$/);
  const reverse = await traceRows(region(qp, REVERSE));
  assert.deepEqual(
    reverse.filter((r) => r.depth === 1).map((r) => [r.from.kind, r.from.code, r.to.code]),
    [[KIND.batch, batchCode, lotCode]],
  );
  assert.deepEqual(
    reverse
      .filter((r) => r.depth === 2)
      .map((r) => [r.from.kind, r.from.code, r.to.code])
      .toSorted(),
    [
      [KIND.material_lot, RIB_TRIM, batchCode],
      [KIND.material_lot, BLACK_JERSEY, batchCode],
    ],
  );
  // Forward: the shipment that carried it, to Acme's own order.
  const onward = await traceRows(region(qp, FORWARD));
  const [shipment] = nodesOf(onward, KIND.shipment);
  const ownPos = codesOf(onward, KIND.order);
  assert.equal(ownPos.length, 1, `one PO of Acme's: ${JSON.stringify(onward)}`);
  const [ownPo] = ownPos;
  assert.equal(shipment?.code, `MSKU${ownPo}`);
  const graph = qp.getByRole('img', { name: 'Trace graph', exact: true });
  assert.ok(await graph.isVisible(), 'the trace graph is drawn');
  const graphText = await graph.textContent();
  for (const code of [lotCode, batchCode, BLACK_JERSEY, RIB_TRIM, ownPo]) {
    assert.ok(graphText.includes(code), `the graph shows ${code}`);
  }

  // Both exports carry the chain.
  const csv = await downloadText(qp, qp.getByRole('link', { name: 'Export CSV', exact: true }));
  assert.match(csv.name, /\.csv$/);
  for (const code of [lotCode, batchCode, BLACK_JERSEY, RIB_TRIM, ownPo]) {
    assert.ok(csv.text.includes(code), `the CSV names ${code}:\n${csv.text}`);
  }
  const epcis = await downloadText(qp, qp.getByRole('link', { name: 'Export EPCIS 2.0', exact: true }));
  const doc = JSON.parse(epcis.text);
  assert.equal(doc.type, 'EPCISDocument');
  assert.ok(doc.epcisBody?.eventList?.length > 0, 'the EPCIS document has events');
  assert.ok(epcis.text.includes(BLACK_JERSEY), 'the EPCIS document names the fabric lot');

  // The batch: its line, shift and operator.
  await region(qp, REVERSE).getByRole('link', { name: batchCode, exact: true }).first().click();
  await waitForPath(qp, /^\/trace\/node\/batch\/[^/]+$/);
  await expectText(h1, `Batch ${batchCode}`);
  const batchFacts = await traceFacts(qp);
  assert.match(batchFacts.Line, /^Sewing line [24]$/, JSON.stringify(batchFacts));
  assert.match(batchFacts.Shift, /^(Day|Night)$/, JSON.stringify(batchFacts));
  assert.ok(DEMO_OPERATORS.includes(batchFacts.Operator), `an operator is named: ${JSON.stringify(batchFacts)}`);
  assert.deepEqual(codesOf(await traceRows(region(qp, REVERSE)), KIND.material_lot).toSorted(), [RIB_TRIM, BLACK_JERSEY]);

  // Back to the finished lot, and a complaint against it with a photo.
  await region(qp, FORWARD).getByRole('link', { name: lotCode, exact: true }).first().click();
  await waitForPath(qp, lotPath);
  await qp.getByRole('link', { name: 'Open complaint', exact: true }).click();
  await waitForPath(qp, /^\/complaints\/new\?kind=finished_lot&id=[^&]+$/);
  await expectText(h1, 'Open complaint');
  await expectText(qp.locator('main > p').filter({ hasText: 'Against:' }), `Against: Finished lot ${lotCode}`);
  const description = `Side seams of ${lotCode} split after one wash; the fabric is thinner than the approved sample.`;
  await qp.getByLabel('What is wrong', { exact: true }).fill(description);
  await qp.getByLabel('Photos (optional)', { exact: true }).setInputFiles([photo('split-seam.png', [190, 30, 60])]);
  await submitForm(qp, qp.getByRole('button', { name: 'Open complaint', exact: true }));
  await waitForPath(qp, /^\/complaints\/(?!new$)[^/?]+$/);
  const complaintPath = new URL(qp.url()).pathname;
  await expectFlash(qp, 'Complaint opened; the reverse trace is attached.');
  await expectText(h1, /^Complaint CMP-\d{5} Open$/);
  const number = (await h1.innerText()).match(/CMP-\d{5}/)[0];
  assert.notEqual(number, 'CMP-00001', 'a new complaint beside the demo one');
  const facts = qp.locator('dl.facts');
  await expectText(facts.locator('div').filter({ hasText: 'Against' }).locator('dd'), `Finished lot ${lotCode}`);
  await expectText(facts.locator('div').filter({ hasText: 'PO number' }).locator('dd'), ownPo);
  await expectText(qp.locator('p.complaint-description'), description);
  assert.equal(await qp.locator('main ul.thumbs img').count(), 1, 'the photo is attached');
  const kept = await qp.locator('#kept-trace').innerText();
  for (const code of [batchCode, BLACK_JERSEY, RIB_TRIM]) assert.ok(kept.includes(code), `the kept trace names ${code}`);
  assert.equal(await qp.locator('section#scope').count(), 0, 'no scope before a root is chosen');

  // The black jersey lot as the suspected root: its forward trace is the affected scope.
  const root = region(qp, 'Suspected root');
  assert.equal(await root.getByRole('button', { name: `Suspect this ${batchCode}`, exact: true }).count(), 1);
  await submitForm(qp, root.getByRole('button', { name: `Suspect this ${BLACK_JERSEY}`, exact: true }));
  await expectFlash(qp, 'Suspected root set; the affected scope is below.');
  const chosen = root.getByRole('listitem').filter({ hasText: `Material lot ${BLACK_JERSEY}` });
  await expectText(chosen.locator('.status-root'), 'Suspected root');
  assert.equal(await chosen.getByRole('button').count(), 0, 'the chosen root has no Suspect button');
  const scope = region(qp, `Affected scope from: Material lot ${BLACK_JERSEY}`);
  await scope.waitFor();
  const scoped = await traceRows(scope);
  const scopePos = codesOf(scoped, KIND.order);
  assert.ok(scopePos.includes(ownPo), `the scope reaches Acme's PO ${ownPo}: ${scopePos}`);
  assert.ok(codesOf(scoped, KIND.finished_lot).includes(lotCode), 'the scope holds the complained lot');
  assert.ok(scoped.every((r) => !r.from.held && !r.to.held), 'nothing is on hold yet');
  await expectText(scope.getByRole('note'), OTHERS_AFFECTED);
  assert.ok(await scope.getByRole('img', { name: 'Trace graph', exact: true }).isVisible(), 'the scope is drawn');
  const acmeSees = await qp.locator('main').innerText();
  assert.ok(!/Blue Harbor/i.test(acmeSees), 'the other customer is not named');
  const explain = await scope.locator('#hold-form > p').innerText();
  const [, lotsToHold, shipmentsToHold] =
    explain.match(/^Holding puts (\d+) finished lot\(s\) and (\d+) of your shipment\(s\) still on their way/) ?? [];
  assert.equal(Number(lotsToHold), codesOf(scoped, KIND.finished_lot).length, explain);
  assert.equal(Number(shipmentsToHold), codesOf(scoped, KIND.shipment).length, explain);

  // Place hold without the confirmation: the browser stops it (the box is required) ...
  const holdForm = qp.locator('#hold-form');
  const confirm = holdForm.getByLabel('I confirm: put the affected goods on hold.', { exact: true });
  const placeHold = holdForm.getByRole('button', { name: 'Place hold', exact: true });
  await placeHold.click();
  assert.equal(await confirm.evaluate((el) => el.validity.valueMissing), true, 'the confirmation is required');
  assert.equal(await holdForm.evaluate((form) => form.checkValidity()), false, 'the form is not sent');
  assert.equal(new URL(qp.url()).pathname, complaintPath);
  // ... and so does the server for a client that skips that check.
  await holdForm.evaluate((form) => {
    form.noValidate = true;
  });
  await submitForm(qp, placeHold);
  await expectFlash(qp, 'Tick the confirmation to place the hold.');
  await expectText(h1, `Complaint ${number} Open`);
  assert.ok((await traceRows(scope)).every((r) => !r.from.held && !r.to.held), 'still nothing on hold');

  // Confirmed: the hold is placed.
  await confirm.check();
  await submitForm(qp, placeHold);
  const flash = await expectFlash(qp, /item\(s\) put on hold; the partners have been told\./);
  const [, heldCount] = flash.match(/(\d+) item\(s\) put on hold/);
  assert.equal(Number(heldCount), Number(lotsToHold) + Number(shipmentsToHold), `${flash} / ${explain}`);
  await expectText(h1, `Complaint ${number} On hold`);
  const heldRows = await traceRows(scope);
  const heldLots = nodesOf(heldRows, KIND.finished_lot);
  assert.ok(heldLots.length > 0 && heldLots.every((n) => n.held), `every finished lot of the scope is on hold: ${JSON.stringify(heldLots)}`);
  assert.ok(nodesOf(heldRows, KIND.shipment).every((n) => n.held), `Acme's shipment on its way is on hold: ${JSON.stringify(heldRows)}`);
  await expectText(region(qp, 'On hold').locator('p'), `${heldCount} item(s) on hold under this complaint.`);
  assert.equal(await qp.locator('#hold-form').count(), 0, 'no second hold');
  assert.equal(await qp.getByRole('button', { name: /^Suspect this / }).count(), 0, 'the root is settled');
  await qp.goto(lotPath);
  await expectText(h1, `Finished lot ${lotCode} On hold`);

  // Sunrise is told, and sees the held lot on its own trace of the fabric lot.
  const sunrise = await env.newPage();
  const sp = sunrise.page;
  await signInWithAcme(sp, 'sales@sunrise.test', 'Sunrise Textiles');
  await sp.locator('#unread-count').waitFor();
  await sp.locator('header a.bell').click();
  await waitForPath(sp, '/notifications');
  const note = `Acme Apparel put goods of PO ${ownPo} on hold after a complaint`;
  const item = sp.locator('.notification-list li').filter({ hasText: note });
  await item.waitFor();
  assert.equal(await item.getAttribute('class'), 'unread');
  await item.getByRole('link', { name: note, exact: true }).click();
  await waitForPath(sp, /^\/trace\/node\/material_lot\/[^/]+$/);
  await expectText(sp.getByRole('heading', { level: 1 }), `Material lot ${BLACK_JERSEY}`);
  const ownerView = await traceRows(region(sp, FORWARD));
  const heldThere = nodesOf(ownerView, KIND.finished_lot).find((n) => n.code === lotCode);
  assert.equal(heldThere?.held, true, `Sunrise sees ${lotCode} on hold: ${JSON.stringify(ownerView)}`);
  // In Acme's context the factory sees its own lots whoever they went to, and of the other
  // brands' orders only that there are some (seen when it switches to that brand).
  await region(sp, FORWARD).getByText('This also reached orders of other brands you serve; switch brand to see them.').waitFor();
  assert.ok(codesOf(ownerView, KIND.order).every((po) => scopePos.includes(po)), `only Acme's orders in Acme's context: ${codesOf(ownerView, KIND.order)}`);
  const otherLots = nodesOf(ownerView, KIND.finished_lot).filter((n) => !codesOf(scoped, KIND.finished_lot).includes(n.code));
  assert.ok(otherLots.length > 0, `the lot reached another customer's goods too: ${JSON.stringify(ownerView)}`);
  assert.ok(otherLots.every((n) => !n.held), 'the other customer\'s lots are not Acme\'s to hold');
  for (const lot of otherLots) {
    assert.ok(!acmeSees.includes(lot.code), `Acme's complaint page does not show the other customer's lot ${lot.code}`);
    assert.ok(!csv.text.includes(lot.code) && !epcis.text.includes(lot.code), `Acme's exports do not show ${lot.code}`);
  }
  await searchTrace(sp, lotCode, 'finished_lot');
  await expectText(sp.getByRole('heading', { level: 1 }), `Finished lot ${lotCode} On hold`);

  // Acme quality closes the complaint with its resolution: the hold is released, the lot is no
  // longer on hold, and Sunrise is told it can ship again.
  await qp.goto(complaintPath);
  const closing = region(qp, 'Close the complaint');
  await expectText(closing.locator('form > p').first(), `Closing releases the ${heldCount} item(s) on hold under this complaint: the finished lots can ship and the shipments leave quarantine (unless another complaint holds them too), the partners are told, and the release is signed on the orders the hold was signed on.`);
  const resolution = 'Thin fabric traced to one dye lot; Sunrise replaced it and the lots passed re-inspection.';
  await closing.getByLabel('Resolution', { exact: true }).fill(resolution);
  await closing.getByLabel('I confirm: close the complaint and release what it holds.', { exact: true }).check();
  await submitForm(qp, closing.getByRole('button', { name: 'Close and release the hold', exact: true }));
  await expectFlash(qp, `Complaint closed; ${heldCount} item(s) released.`);
  await expectText(h1, `Complaint ${number} Closed`);
  await expectText(region(qp, 'Resolution').locator('p'), resolution);
  assert.equal(await qp.locator('#close-form').count(), 0, 'closed once');
  await qp.goto(lotPath);
  await expectText(h1, `Finished lot ${lotCode}`);
  await sp.goto('/notifications');
  await sp.locator('.notification-list li').filter({ hasText: `Acme Apparel released the hold on goods of PO ${ownPo}: they can ship again` }).waitFor();

  for (const p of [quality, sunrise]) p.watch.assertClean();
  for (const p of [quality, sunrise]) await p.context.close();
});

test('on a phone Sunrise records a material lot and a batch from it; taking more than is left is refused', async () => {
  const { context, page, watch } = await env.newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
  await signIn(page, 'sales@sunrise.test');
  const stamp = Date.now();
  const lotCode = `E2E-FAB-${stamp}`;
  const batchCode = `E2E-B-${stamp}`;
  const started = `${daysFromNow(-2)}T06:00`;
  const ended = `${daysFromNow(-2)}T14:00`;

  await page.goto('/trace');
  await page.getByRole('link', { name: 'Record lots and batches', exact: true }).tap();
  await waitForPath(page, '/trace/record');
  await page.getByRole('heading', { level: 1, name: 'Record lots and batches' }).waitFor();
  const width = await pageWidth(page);
  assert.ok(width.scroll <= width.width, `the record page is ${width.scroll}px wide on a ${width.width}px screen`);

  // The material lot as it arrives.
  let lotForm = region(page, 'Material lot received');
  await lotForm.getByLabel('Supplier lot code (scan)', { exact: true }).fill(lotCode);
  await lotForm.getByLabel('Material', { exact: true }).fill('Cotton interlock 200gsm, navy');
  await lotForm.getByLabel('Supplier', { exact: true }).fill('Sunrise Mill No. 3');
  await lotForm.getByLabel('Received quantity', { exact: true }).fill('500');
  await lotForm.getByLabel('Unit', { exact: true }).fill('m');
  await submitForm(page, lotForm.getByRole('button', { name: 'Record material lot', exact: true }), { tap: true });
  await waitForPath(page, '/trace/record');
  await expectFlash(page, `Material lot ${lotCode} recorded.`);

  // A batch that took 300 m of it.
  const fillBatch = async (code, qty) => {
    const form = region(page, 'Production batch');
    await form.getByLabel('Batch code', { exact: true }).fill(code);
    await form.getByLabel('Production line', { exact: true }).fill('Sewing line 7');
    await form.getByLabel('Shift', { exact: true }).fill('Day');
    await form.getByLabel('Operator', { exact: true }).fill('Maria Santos');
    await form.getByLabel('Started (UTC)', { exact: true }).fill(started);
    await form.getByLabel('Ended (UTC, optional)', { exact: true }).fill(ended);
    await form.getByLabel('Lot code 1', { exact: true }).fill(lotCode);
    await form.getByLabel('Quantity 1', { exact: true }).fill(qty);
    await form.getByLabel('Finished lot code', { exact: true }).fill(`FG-${code}`);
    await form.getByLabel('Finished quantity', { exact: true }).fill('240');
    await form.getByLabel('Unit', { exact: true }).fill('pcs');
    await submitForm(page, form.getByRole('button', { name: 'Record batch', exact: true }), { tap: true });
    return form;
  };
  await fillBatch(batchCode, '300');
  await waitForPath(page, /^\/trace\/node\/batch\/[^/]+$/);
  await expectFlash(page, `Batch ${batchCode} recorded with its trace links.`);
  await expectText(page.getByRole('heading', { level: 1 }), `Batch ${batchCode}`);
  const facts = await traceFacts(page);
  assert.equal(facts.Line, 'Sewing line 7');
  assert.equal(facts.Shift, 'Day');
  assert.equal(facts.Operator, 'Maria Santos');
  const reverse = await traceRows(region(page, REVERSE));
  assert.deepEqual(
    reverse.map((r) => [r.from.kind, r.from.code, r.to.code, r.quantity]),
    [[KIND.material_lot, lotCode, batchCode, '300 m']],
  );
  const forward = await traceRows(region(page, FORWARD));
  assert.deepEqual(
    forward.map((r) => [r.to.kind, r.to.code, r.quantity]),
    [[KIND.finished_lot, `FG-${batchCode}`, '240 pcs']],
  );
  const nodeWidth = await pageWidth(page);
  assert.ok(nodeWidth.scroll <= nodeWidth.width, `the batch page is ${nodeWidth.scroll}px wide on a ${nodeWidth.width}px screen`);

  // A second batch wanting 250 m of the 200 m left: refused beside the lot, typed values kept.
  await page.goto('/trace/record');
  const second = `${batchCode}-2`;
  const form = await fillBatch(second, '250');
  await expectText(page.locator('#f-input-0-error'), 'More than is left of this lot.');
  const lotField = form.getByLabel('Lot code 1', { exact: true });
  assert.equal(await lotField.getAttribute('aria-invalid'), 'true');
  assert.equal(await lotField.getAttribute('aria-describedby'), 'f-input-0-error');
  assert.equal(await lotField.inputValue(), lotCode);
  assert.equal(await form.getByLabel('Quantity 1', { exact: true }).inputValue(), '250');
  assert.equal(await form.getByLabel('Batch code', { exact: true }).inputValue(), second);
  assert.equal(await form.getByLabel('Production line', { exact: true }).inputValue(), 'Sewing line 7');
  assert.equal(await form.getByLabel('Operator', { exact: true }).inputValue(), 'Maria Santos');
  assert.equal(await form.getByLabel('Started (UTC)', { exact: true }).inputValue(), started);
  assert.equal(await form.getByLabel('Finished lot code', { exact: true }).inputValue(), `FG-${second}`);
  // Nothing of it was recorded.
  await page.goto(`/trace?q=${encodeURIComponent(second)}`);
  await expectText(page.locator('#trace-no-hits'), `Nothing you can trace is known as “${second}”.`);

  watch.assertClean();
  await context.close();
});

test('the complaints list shows the demo complaint, which opens with its suspected root and scope', async () => {
  const { context, page, watch } = await env.newPage();
  await signIn(page, 'admin@acme.test');
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name: 'Complaints', exact: true })
    .click();
  await waitForPath(page, '/complaints');
  await page.getByRole('heading', { level: 1, name: 'Complaints' }).waitFor();
  const row = page.locator('main table tbody tr').filter({ has: page.getByRole('link', { name: 'CMP-00001', exact: true }) });
  await row.waitFor();
  await expectText(row.locator('td[data-label="State"]'), 'Open');
  await expectText(row.locator('td[data-label="What is wrong"]'), /^Side seams splitting after one wash/);
  const po = (await row.locator('td[data-label="PO number"]').innerText()).trim();
  assert.match(po, /^\d+$/);

  await row.getByRole('link', { name: 'CMP-00001', exact: true }).click();
  await waitForPath(page, /^\/complaints\/[^/?]+$/);
  await expectText(page.getByRole('heading', { level: 1 }), 'Complaint CMP-00001 Open');
  const facts = page.locator('dl.facts');
  await expectText(facts.locator('div').filter({ hasText: 'Against' }).locator('dd'), `PO ${po}`);
  await expectText(page.locator('p.complaint-description'), /^Side seams splitting after one wash on 14 of 40 tees/);
  const chosen = region(page, 'Suspected root').getByRole('listitem').filter({ hasText: `Material lot ${BLACK_JERSEY}` });
  await expectText(chosen.locator('.status-root'), 'Suspected root');
  const scope = region(page, `Affected scope from: Material lot ${BLACK_JERSEY}`);
  assert.ok(codesOf(await traceRows(scope), KIND.order).includes(po), `the scope reaches PO ${po}`);
  await expectText(scope.getByRole('note'), OTHERS_AFFECTED);

  // The complaint number also opens its subject's trace from the search box.
  await searchTrace(page, 'CMP-00001', 'order', { heading: po });
  await expectText(page.getByRole('heading', { level: 1 }), `PO ${po}`);

  watch.assertClean();
  await context.close();
});
