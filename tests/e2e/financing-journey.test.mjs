// Receivable financing from a received order to the repayment: Acme ops orders from Sunrise,
// Sunrise ships to Harbor, Harbor receives in full, Sunrise invoices and Acme finance accepts;
// Sunrise asks Jade Capital to finance the invoice, Jade's analyst checks the verification panel,
// downloads the evidence and offers, Sunrise accepts, Jade approves the disbursement (two
// approvals above the program's threshold), Acme finance sees the assignment notice and records
// the repayment; the downloaded evidence verifies offline with `portico verify`.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PORTICO_BIN, expectFlash, expectText, signIn, suite, waitForPath } from './harness.mjs';
import {
  addDays,
  approveDisbursement,
  joinWithoutAutoFinancing,
  openFinancingRequest,
  requestFinancing,
  typePasswordIfAsked,
} from './financing-steps.mjs';
import { acceptInvoice, invoiceReceivedGoods } from './invoice-steps.mjs';
import {
  acceptAll,
  createAndIssue,
  daysFromNow,
  receiveInFull,
  shipEverything,
  signInWithAcme,
  submitForm,
  uniquePo,
} from './order-steps.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

/**
 * The demo program (src/service/demo_finance.rs): Acme with Jade Capital, 90 % advance, a
 * discount of 6.5 % a year on ACT/360, a second approval for disbursements above 5,000 USD (it
 * was 50,000 before; the order below is big enough for either).
 */
const PROGRAM = { name: 'Acme supplier early payment', financier: 'Jade Capital' };
const ADVANCE_BPS = 9_000n;
const RATE_BPS = 650n;
const YEAR_DAYS = 360n;
const SECOND_APPROVAL_ABOVE_MINOR = 500_000n;

// 1500 × 41.37 = 62,055.00 USD: the net paid out is above the program's threshold.
const LINE = { sku: 'E2E-FIN-TWILL', description: 'Cotton twill, 280 g/m², navy', hs: '5209.32', quantity: '1500', price: '41.37' };
const DUE_IN_DAYS = 60;

/** The offer as the program's convention prices it (see `financing.convention`), in cents. */
function expectedOffer(faceMinor, days) {
  const advance = (faceMinor * ADVANCE_BPS) / 10_000n;
  const divisor = 10_000n * YEAR_DAYS;
  const fee = (advance * RATE_BPS * days * 2n + divisor) / (2n * divisor);
  return { advance, fee, net: advance - fee };
}

/** The keys naming a price anywhere in a statement's payload. */
function priceKeys(value) {
  if (Array.isArray(value)) return value.flatMap(priceKeys);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [...(k.includes('price') ? [k] : []), ...priceKeys(v)]);
  }
  return [];
}

/** "1234.50 USD" for cents, as the pages show money. */
function usd(minor) {
  return `${minor / 100n}.${String(minor % 100n).padStart(2, '0')} USD`;
}

test('Sunrise finances an accepted invoice with Jade Capital, from the received order to the repayment', async () => {
  const po = uniquePo('FIN');
  const number = `SUN-${po}`;
  const iban = 'DE44 5001 0517 5407 3249 31';
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'portico-e2e-financing-'));
  const pages = [];
  const open = async () => {
    const p = await env.newPage();
    pages.push(p);
    return p;
  };
  try {
    // Sunrise joined the demo program with auto-financing, which would ask for financing as
    // soon as Acme accepts the invoice: it rejoins without, to ask by hand.
    const sunrise = await open();
    const sp = sunrise.page;
    await signInWithAcme(sp, 'sales@sunrise.test', 'Sunrise Textiles');
    const card = await joinWithoutAutoFinancing(sp, PROGRAM);
    await expectText(card.locator('.program-terms'), '90.00 % advance · 6.50 % p.a. (ACT360) · up to 120 days');

    // Acme ops orders from Sunrise, shipped to Harbor Logistics.
    const ops = await open();
    await signIn(ops.page, 'ops@acme.test');
    const orderPath = await createAndIssue(ops.page, {
      po,
      requested: daysFromNow(45),
      lines: [LINE],
      partner: 'Sunrise Textiles',
      partnerKind: 'Supplier',
    });

    // Sunrise accepts the order from its inbox and ships everything.
    await sp.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Orders', exact: true }).click();
    await waitForPath(sp, '/orders');
    await sp.getByRole('link', { name: po, exact: true }).click();
    await waitForPath(sp, orderPath);
    await sp.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
    await acceptAll(sp, 1);
    await shipEverything(sp, {
      carrier: 'Maersk',
      tracking: `MSKU${String(Date.now()).slice(-7)}`,
      shipDate: daysFromNow(1),
      eta: daysFromNow(15),
      cartons: 60,
    });

    // Harbor Logistics receives it in full.
    const harbor = await open();
    await signInWithAcme(harbor.page, 'dock@harborlog.test', 'Harbor Logistics');
    await receiveInFull(harbor.page, po);

    // Sunrise invoices what was received, due 60 days after the app's today; Acme finance accepts.
    let today;
    const invoicePath = await invoiceReceivedGoods(sp, orderPath, {
      po,
      number,
      due: (invoiceDate) => {
        today = invoiceDate;
        return addDays(invoiceDate, DUE_IN_DAYS);
      },
    });
    assert.match(today, /^\d{4}-\d{2}-\d{2}$/, `the invoice form's date: ${today}`);
    await expectText(sp.locator('#invoice-amount'), '62055.00 USD');
    const face = 6_205_500n;
    const finance = await open();
    await signIn(finance.page, 'finance@acme.test');
    await acceptInvoice(finance.page, invoicePath, number);

    // Sunrise asks Jade Capital to finance the invoice (auto-financing did not ask already).
    await sp.goto(invoicePath);
    await expectText(sp.locator('#invoice-state'), 'Accepted');
    const section = sp.locator('section#financing');
    assert.equal(await section.locator('ul.financing-list li').count(), 0, 'no financing was opened automatically');
    const choice = section.locator('label.program-choice').filter({ hasText: PROGRAM.name });
    await expectText(choice.locator('.estimate'), /^Estimate at today's value date: /);
    const financingPath = await requestFinancing(sp, PROGRAM);
    await expectText(sp.locator('#face'), usd(face));
    assert.equal(await sp.getByText("Automatically, by the supplier's standing auto-financing instruction").count(), 0, 'asked by hand');

    // Jade's analyst: the request in "Financing requests", the verification panel, the evidence
    // bundle, then the offer.
    const analyst = await open();
    const ap = analyst.page;
    await signIn(ap, 'analyst@jade.test');
    await openFinancingRequest(ap, number, financingPath);
    await expectText(ap.locator('#financing-state'), 'Requested');
    const verification = ap.locator('section#verification');
    const evidence = verification.locator('ul.evidence-required > li');
    await evidence.first().waitFor();
    assert.deepEqual(
      (await verification.locator('ul.evidence-required > li.ok').allInnerTexts()).map((t) => t.trim()),
      ['✓ Order confirmed', '✓ Goods received', '✓ Invoice accepted by the buyer'],
      'every piece of evidence the program requires is found',
    );
    assert.equal(await evidence.count(), 3);
    const rows = verification.locator('table.panel tbody tr');
    const verified = await verification.locator('table.panel tr.verified').count();
    assert.ok(verified >= 5, `the order's statements are verified (${verified})`);
    assert.equal(await rows.count(), verified, 'every statement verifies');
    assert.equal(await verification.locator('table.panel tr.failed').count(), 0, 'no statement fails');
    assert.ok(
      (await verification.locator('table.panel tr.verified').filter({ hasText: 'Content withheld from financiers' }).count()) >= 1,
      'statements naming prices are withheld from the financier',
    );
    const financierText = await ap.locator('main').innerText();
    assert.ok(!financierText.includes(LINE.price), `the financier sees no unit price (${LINE.price})`);
    await expectText(verification.locator('table.quantities tbody tr td[data-label="Ordered"]'), /^1500(\.0+)? \S+$/);

    const [download] = await Promise.all([ap.waitForEvent('download'), ap.locator('#download-evidence').click()]);
    const evidenceFile = path.join(tmp, download.suggestedFilename());
    await download.saveAs(evidenceFile);
    assert.match(path.basename(evidenceFile), /^financing-evidence-.+\.json$/);

    const offerForm = ap.locator('form.offer-form');
    const valueDate = offerForm.getByLabel('Value date', { exact: true });
    assert.equal(await valueDate.inputValue(), today, "the value date starts at today's date");
    await offerForm.getByLabel('Account the buyer pays at the due date', { exact: true }).fill(iban);
    await submitForm(ap, offerForm.getByRole('button', { name: 'Make the offer', exact: true }));
    await waitForPath(ap, financingPath);
    await expectFlash(ap, 'Offer sent to the supplier.');
    await expectText(ap.locator('#financing-state'), 'Offered');

    // Sunrise sees the offer, priced by the program's convention, the account masked, and accepts.
    const offer = expectedOffer(face, BigInt(DUE_IN_DAYS));
    await sp.goto(invoicePath);
    await section.getByRole('link', { name: `${PROGRAM.financier} · ${PROGRAM.name}`, exact: true }).click();
    await waitForPath(sp, financingPath);
    await expectText(sp.locator('#financing-state'), 'Offered');
    await expectText(sp.locator('#offer-advance'), usd(offer.advance));
    await expectText(sp.locator('#offer-fee'), usd(offer.fee));
    await expectText(sp.locator('#offer-net'), usd(offer.net));
    await expectText(sp.locator('#offer-value-date'), `${today} (${DUE_IN_DAYS} days)`);
    await expectText(sp.locator('#collection-account'), '•••• 4931');
    const accept = sp.locator('form.accept-offer-form');
    await typePasswordIfAsked(accept);
    await submitForm(sp, accept.getByRole('button', { name: 'Accept the offer', exact: true }));
    await expectFlash(sp, 'Offer accepted. The financier will pay out.');
    await expectText(sp.locator('#financing-state'), 'Offer accepted');

    // Jade approves the disbursement: above the threshold the analyst first, the credit officer
    // second; below it the credit officer alone. What the first approval did is read from the
    // state the page shows.
    const credit = await open();
    await signIn(credit.page, 'credit@jade.test');
    await openFinancingRequest(credit.page, number, financingPath);
    let state = 'Offer accepted';
    if (offer.net > SECOND_APPROVAL_ABOVE_MINOR) {
      await ap.reload();
      state = await approveDisbursement(ap);
    }
    if (state !== 'Paid out') {
      await credit.page.reload();
      if (state === 'Awaiting second approval') {
        await expectText(credit.page.locator('#awaiting-second'), 'A colleague approved; another financier user must give the second approval.');
      }
      state = await approveDisbursement(credit.page);
    }
    assert.equal(state, 'Paid out');

    // Acme finance: the assignment notice with the whole account, then the repayment.
    await openFinancingRequest(finance.page, number, financingPath);
    await expectText(finance.page.locator('#financing-state'), 'Paid out');
    const assignment = finance.page.locator('section#assignment');
    await expectText(assignment.getByRole('heading', { level: 2 }), 'Assignment notice');
    await expectText(finance.page.locator('#collection-account'), 'DE44500105175407324931');
    await assignment.locator('details summary').filter({ hasText: 'Record the repayment' }).click();
    const repay = assignment.locator('form.repay-form');
    await submitForm(finance.page, repay.getByRole('button', { name: 'Yes, we paid', exact: true }));
    await expectFlash(finance.page, 'Repayment recorded.');
    await expectText(finance.page.locator('#financing-state'), 'Repaid');

    // The evidence the analyst downloaded verifies offline; price-bearing statements are held.
    const bundle = JSON.parse(await readFile(evidenceFile, 'utf8'));
    assert.equal(bundle.format, 'portico-evidence/1');
    const held = bundle.statements.filter((st) => st.withheld);
    assert.ok(held.length >= 1 && held.every((st) => st.payload === ''), 'price-bearing statements are withheld in the bundle');
    for (const st of bundle.statements.filter((x) => !x.withheld)) {
      assert.deepEqual(priceKeys(JSON.parse(st.payload)), [], `a disclosed statement names no price: ${st.payload}`);
    }
    const verify = spawnSync(PORTICO_BIN, ['verify', evidenceFile], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(verify.status, 0, `portico verify exits 0:\n${verify.stdout}${verify.stderr}`);
    assert.match(verify.stdout, /^VERIFIED$/m, `portico verify says:\n${verify.stdout}`);
    assert.match(verify.stdout, /held/, `price-bearing statements are held:\n${verify.stdout}`);

    for (const p of pages) p.watch.assertClean();
  } finally {
    for (const p of pages) await p.context.close();
    await rm(tmp, { recursive: true, force: true });
  }
});
