// Purchase orders: a brand creates and issues an order, its supplier decides line by line, the
// brand answers a proposal, and the signed evidence verifies offline with the real binary; a
// stale page, the inbox filters, CSV import, notifications, the audit log and a phone screen.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  PORTICO_BIN,
  describePage,
  expectFlash,
  expectText,
  pathOf,
  signIn,
  suite,
  waitForPath,
  watchPage,
} from './harness.mjs';
import { daysFromNow, signInWithAcme, submitForm, uniquePo } from './order-steps.mjs';

const env = suite();
before(env.setup);
after(env.teardown);

const THREE_LINES = [
  { sku: 'E2E-TEE-BLK-M', description: 'Crew tee, black, M', hs: '6109.10', quantity: '1200', price: '3.85' },
  { sku: 'E2E-TEE-WHT-M', description: 'Crew tee, white, M', hs: '6109.10', quantity: '800', price: '3.85' },
  { sku: 'E2E-HOOD-NVY-L', description: 'Hooded sweatshirt, navy, L', hs: '6110.20', quantity: '300', price: '11.40' },
];

/** A downloaded file's text, through Playwright's download event. */
async function download(page, trigger, dir) {
  const [file] = await Promise.all([page.waitForEvent('download'), trigger()]);
  const target = path.join(dir, file.suggestedFilename());
  await file.saveAs(target);
  return target;
}

/**
 * On the new-order form: fills the header and the given lines (the form's first rows) and saves
 * the draft. Leaves the page on the draft's order page.
 */
async function createDraft(page, { po, requested, lines }) {
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Orders', exact: true }).click();
  await waitForPath(page, '/orders');
  await page.getByRole('heading', { level: 1, name: 'Purchase orders' }).waitFor();
  await page.getByRole('link', { name: 'New purchase order' }).click();
  await waitForPath(page, '/orders/new');
  await page.getByRole('heading', { level: 1, name: 'New purchase order' }).waitFor();

  await page.getByLabel('PO number', { exact: true }).fill(po);
  await page.getByLabel('Supplier or factory', { exact: true }).selectOption({ label: 'Sunrise Textiles (Supplier)' });
  await page.getByLabel('Requested delivery', { exact: true }).fill(requested);
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    await page.getByLabel(`SKU ${n}`, { exact: true }).fill(line.sku);
    await page.getByLabel(`Description ${n}`, { exact: true }).fill(line.description);
    await page.getByLabel(`HS code ${n}`, { exact: true }).fill(line.hs);
    await page.getByLabel(`Quantity ${n}`, { exact: true }).fill(line.quantity);
    await page.getByLabel(`Unit price ${n}`, { exact: true }).fill(line.price);
  }
  await page.getByRole('button', { name: 'Save draft', exact: true }).click();
  try {
    await waitForPath(page, /^\/orders\/(?!new$)[^/?]+$/);
    await page.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
  } catch (err) {
    throw new Error(`saving draft ${po} did not reach its order page: ${await describePage(page)}`, { cause: err });
  }
  await expectFlash(page, 'Draft saved. Check it, then issue it to the partner.');
  await expectText(page.locator('#order-state'), 'Draft');
  return pathOf(page);
}

/** On a draft's order page: issues it to Sunrise Textiles. */
async function issueToSunrise(page) {
  await submitForm(page, page.getByRole('button', { name: 'Issue to Sunrise Textiles', exact: true }));
  await expectFlash(page, 'The order is issued. The partner has been told.');
  await expectText(page.locator('#order-state'), 'Waiting for confirmation');
}

/**
 * Waits until the page is at `pathname` with the query parameters `params` (a GET form also
 * sends its empty fields; a missing parameter counts as empty).
 */
async function waitForQuery(page, pathname, params) {
  await page.waitForURL(
    (url) =>
      url.pathname === pathname &&
      Object.entries(params).every(([name, value]) => (url.searchParams.get(name) ?? '') === value),
  );
}

/** The state badge of line `n` on an order page. */
function lineState(page, n) {
  return page.locator(`#line-${n} .line-state`);
}

/** Accepts line `n` on an order page as the partner and waits for the recorded decision. */
async function acceptLine(page, n, { tap = false } = {}) {
  const button = page.locator(`#line-${n} form.decide-accept`).getByRole('button', { name: 'Accept', exact: true });
  await submitForm(page, button, { tap });
  await expectFlash(page, 'Your decision is recorded and signed.');
  await expectText(lineState(page, n), 'Accepted');
}

/**
 * The link of an order among the issued demo orders of Acme for Sunrise (PO numbers 45001…),
 * read from the inbox: `which` is 'first' or 'last'. Different tests take different ends so
 * they change different orders.
 */
async function issuedDemoOrder(page, which) {
  await page.goto('/orders?view=issued&q=45001');
  await page.getByRole('heading', { level: 1, name: 'Orders for you' }).waitFor();
  const links = page.locator('table.orders tbody tr td:first-child a');
  await links.first().waitFor();
  const link = which === 'first' ? links.first() : links.last();
  return { po: (await link.innerText()).trim(), href: await link.getAttribute('href') };
}

test('Acme issues an order, Sunrise decides line by line, Acme accepts a proposal, the evidence verifies offline', async () => {
  const po = uniquePo('FLOW');
  const requested = daysFromNow(60);
  const later = daysFromNow(74);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'portico-e2e-evidence-'));
  try {
    // Acme ops drafts and issues the order.
    const acme = await env.newPage();
    await signIn(acme.page, 'ops@acme.test');
    const orderPath = await createDraft(acme.page, { po, requested, lines: THREE_LINES });
    const facts = (await acme.page.locator('dl.facts').innerText()).replace(/\s+/g, ' ');
    assert.ok(facts.includes('Sunrise Textiles'), `the order names its supplier: ${facts}`);
    assert.ok(facts.includes(requested), `the order names the requested delivery ${requested}: ${facts}`);
    assert.equal(await acme.page.locator('table.lines tbody tr').count(), 3);
    await expectText(acme.page.locator('section#verify'), /No signed statements yet/);
    await issueToSunrise(acme.page);

    // Sunrise finds it in its inbox and decides: accept, accept, propose a later date.
    const sunrise = await env.newPage();
    const { page } = sunrise;
    await signInWithAcme(page, 'sales@sunrise.test', 'Sunrise Textiles');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Orders', exact: true }).click();
    await waitForPath(page, '/orders');
    await page.getByRole('heading', { level: 1, name: 'Orders for you' }).waitFor();
    await page.getByRole('link', { name: po, exact: true }).click();
    await waitForPath(page, orderPath);
    await page.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
    await expectText(page.locator('#order-state'), 'Waiting for confirmation');
    for (const n of [1, 2, 3]) await expectText(lineState(page, n), 'Open');

    await acceptLine(page, 1);
    await expectText(page.locator('#order-state'), 'Partially confirmed');
    await acceptLine(page, 2);

    const line3 = page.locator('#line-3');
    await line3.locator('details summary').filter({ hasText: 'Propose a change' }).click();
    const proposal = line3.locator('form.decide-propose');
    await proposal.getByLabel('Delivery date', { exact: true }).fill(later);
    await proposal.getByLabel('Comment', { exact: true }).fill('Dye house is booked; two weeks later please.');
    await submitForm(page, proposal.getByRole('button', { name: 'Send proposal', exact: true }));
    await expectFlash(page, 'Your decision is recorded and signed.');
    await expectText(lineState(page, 3), 'Change proposed');
    await expectText(line3.locator('.proposal'), new RegExp(`^Proposed:.*${later}`));
    await expectText(page.locator('#order-state'), 'Changes proposed');

    // Acme sees the proposal and accepts it: the line takes the new date, the order is confirmed.
    await acme.page.reload();
    await expectText(lineState(acme.page, 3), 'Change proposed');
    await expectText(acme.page.locator('#order-state'), 'Changes proposed');
    await submitForm(
      acme.page,
      acme.page.locator('#line-3 form.decide-brand-accept').getByRole('button', { name: 'Accept', exact: true }),
    );
    await expectFlash(acme.page, 'Your decision is recorded and signed.');
    await expectText(lineState(acme.page, 3), 'Accepted');
    await expectText(acme.page.locator('#line-3 td[data-label="Delivery date"]'), later);
    await expectText(acme.page.locator('#order-state'), 'Confirmed');

    // The Verify panel: every statement verifies, one item each, each with a check mark. The
    // partner's three decisions were three submissions, so three statements.
    const verify = acme.page.locator('section#verify');
    await expectText(verify.locator('.verdict'), '✓ Every statement verifies');
    const items = verify.locator('ol.statements > li');
    const kinds = (await items.locator('strong').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(kinds, [
      'po.issued',
      'po.partner_decisions',
      'po.partner_decisions',
      'po.partner_decisions',
      'po.brand_decisions',
    ]);
    for (const text of await items.allInnerTexts()) {
      assert.ok(text.trim().startsWith('✓'), `statement verifies: ${text}`);
    }
    assert.equal(await verify.locator('li.statement-ok').count(), kinds.length);

    // The evidence file verifies offline with the real binary…
    const file = await download(
      acme.page,
      () => verify.getByRole('link', { name: 'Download evidence (JSON)' }).click(),
      tmp,
    );
    const raw = await readFile(file, 'utf8');
    const bundle = JSON.parse(raw);
    assert.equal(bundle.format, 'portico-evidence/1');
    assert.equal(bundle.statements.length, kinds.length);
    const out = execFileSync(PORTICO_BIN, ['verify', file], { encoding: 'utf8', timeout: 10_000 });
    const lines = out.trim().split('\n');
    assert.equal(lines.at(-1), 'VERIFIED', `portico verify says:\n${out}`);
    assert.match(lines[0], new RegExp(`${kinds.length} statement\\(s\\)`));

    // …and one changed character in the first statement's payload is caught.
    const at = raw.indexOf(po);
    assert.ok(at > 0 && raw.indexOf('"statements"') < at, 'the PO number is inside the first statement');
    const last = po.at(-1);
    const tamperedPo = po.slice(0, -1) + (last === '9' ? '8' : String(Number(last) + 1));
    const tampered = raw.slice(0, at) + tamperedPo + raw.slice(at + po.length);
    const tamperedBundle = JSON.parse(tampered);
    assert.notEqual(tamperedBundle.statements[0].payload, bundle.statements[0].payload);
    assert.deepEqual(tamperedBundle.statements.slice(1), bundle.statements.slice(1));
    const tamperedFile = path.join(tmp, 'tampered.json');
    await writeFile(tamperedFile, tampered);
    let failure;
    try {
      execFileSync(PORTICO_BIN, ['verify', tamperedFile], { encoding: 'utf8', timeout: 10_000 });
    } catch (err) {
      failure = err;
    }
    assert.ok(failure, 'portico verify refuses the altered file');
    assert.notEqual(failure.status, 0);
    assert.match(failure.stdout, /FAIL +#1 po\.issued/, `portico verify says:\n${failure.stdout}`);
    assert.equal(failure.stdout.trim().split('\n').at(-1), 'NOT VERIFIED');

    acme.watch.assertClean();
    sunrise.watch.assertClean();
    await acme.context.close();
    await sunrise.context.close();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('a decision from a page opened before another change is refused and nothing changes', async () => {
  const { context, page, watch } = await env.newPage();
  await signInWithAcme(page, 'sales@sunrise.test', 'Sunrise Textiles');
  const { po, href } = await issuedDemoOrder(page, 'first');

  // Two tabs on the same order.
  const tabA = page;
  const tabB = await context.newPage();
  const watchB = watchPage(tabB);
  for (const tab of [tabA, tabB]) {
    await tab.goto(href);
    await tab.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
    await expectText(lineState(tab, 1), 'Open');
    await expectText(lineState(tab, 2), 'Open');
  }

  await acceptLine(tabA, 1);

  // Tab B still shows the old version; its rejection of line 2 is refused.
  await tabB.locator('#line-2 details summary').filter({ hasText: 'Reject' }).click();
  const reject = tabB.locator('#line-2 form.decide-reject');
  await reject.getByLabel('Reason', { exact: true }).fill('Fabric no longer available.');
  await submitForm(tabB, reject.getByRole('button', { name: 'Reject', exact: true }));
  const flash = await expectFlash(tabB, 'This order changed since you opened it');
  assert.ok(flash.startsWith('This order changed since you opened it'), `the flash: ${flash}`);
  await tabB.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
  await expectText(lineState(tabB, 2), 'Open');
  // The page now shows the current version, so the other tab's decision is visible.
  await expectText(lineState(tabB, 1), 'Accepted');

  // Deciding again on the fresh page works.
  await tabB.locator('#line-2 details summary').filter({ hasText: 'Reject' }).click();
  await reject.getByLabel('Reason', { exact: true }).fill('Fabric no longer available.');
  await submitForm(tabB, reject.getByRole('button', { name: 'Reject', exact: true }));
  await expectFlash(tabB, 'Your decision is recorded and signed.');
  await expectText(lineState(tabB, 2), 'Rejected');

  watch.assertClean();
  watchB.assertClean();
  await context.close();
});

test('the inbox shows what waits for the partner and narrows to a PO number prefix', async () => {
  const { context, page, watch } = await env.newPage();
  await signInWithAcme(page, 'sales@sunrise.test', 'Sunrise Textiles');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Orders', exact: true }).click();
  await waitForPath(page, '/orders');
  await page.getByRole('heading', { level: 1, name: 'Orders for you' }).waitFor();
  const rows = page.locator('table.orders tbody tr');
  await rows.first().waitFor();
  assert.equal(await page.getByLabel('Show', { exact: true }).locator('option:checked').innerText(), 'Waiting for you');

  const show = page.getByLabel('Show', { exact: true });
  const text = page.getByLabel('PO number or SKU', { exact: true });
  const filter = page.getByRole('button', { name: 'Filter', exact: true });

  await show.selectOption({ label: 'All' });
  await filter.click();
  await waitForQuery(page, '/orders', { view: 'all', q: '' });
  await rows.first().waitFor();
  const allCount = await rows.count();
  const pos = (await page.locator('table.orders tbody tr td:first-child a').allInnerTexts()).map((t) => t.trim());
  const demo = pos.find((p) => /^45001\d\d$/.test(p));
  assert.ok(demo, `a demo Acme PO is listed: ${pos.join(', ')}`);
  const prefix = demo.slice(0, -1);

  await text.fill(prefix);
  await filter.click();
  await waitForQuery(page, '/orders', { view: 'all', q: prefix });
  await page.getByRole('link', { name: demo, exact: true }).waitFor();
  const narrowed = (await page.locator('table.orders tbody tr td:first-child a').allInnerTexts()).map((t) => t.trim());
  assert.ok(narrowed.length >= 1 && narrowed.length < allCount, `${narrowed.length} of ${allCount} rows match ${prefix}`);
  for (const p of narrowed) assert.ok(p.startsWith(prefix), `${p} starts with ${prefix}`);
  assert.deepEqual(
    narrowed.toSorted(),
    pos.filter((p) => p.startsWith(prefix)).toSorted(),
    'exactly the listed orders with that prefix remain',
  );
  // The form keeps what was chosen.
  assert.equal(await show.locator('option:checked').innerText(), 'All');
  assert.equal(await text.inputValue(), prefix);

  // A prefix nothing starts with leaves nothing.
  await text.fill(`${prefix}ZZZ`);
  await filter.click();
  await page.getByText('No orders match.', { exact: true }).waitFor();
  assert.equal(await rows.count(), 0);

  watch.assertClean();
  await context.close();
});

test('CSV import: the template imports as a draft, a file with a bad row imports nothing', async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'portico-e2e-csv-'));
  try {
    const { context, page, watch } = await env.newPage();
    await signIn(page, 'ops@acme.test');
    await page.goto('/orders');
    await page.getByRole('link', { name: 'Import from CSV' }).click();
    await waitForPath(page, '/orders/import');
    await page.getByRole('heading', { level: 1, name: 'Import from CSV' }).waitFor();

    const template = await download(page, () => page.getByRole('link', { name: 'Download the template' }).click(), tmp);
    const csv = await readFile(template, 'utf8');
    const [header, ...rows] = csv.trim().split('\n');
    assert.equal(
      header,
      'po_number,partner,ship_to,currency,incoterms,payment_terms,requested_delivery,sku,description,hs_code,quantity,unit,unit_price,delivery_date',
    );
    assert.ok(rows.length >= 1, `the template has example rows:\n${csv}`);
    const templatePo = rows[0].split(',')[0];

    // The template as it is imports as one draft.
    const fileInput = page.getByLabel('CSV file (UTF-8, at most 10 MB)', { exact: true });
    await fileInput.setInputFiles(template);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await waitForPath(page, /^\/orders(\?|$)/);
    await expectFlash(page, '1 order(s) imported as drafts.');
    await page.getByRole('link', { name: templatePo, exact: true }).waitFor();

    // A file with a negative quantity is refused with the row and column, and nothing is kept.
    const badPo = uniquePo('CSV');
    const badRows = rows.map((r) => r.replace(/^[^,]+,/, `${badPo},`));
    const cells = badRows[badRows.length - 1].split(',');
    cells[header.split(',').indexOf('quantity')] = '-5';
    badRows[badRows.length - 1] = cells.join(',');
    const badRowNumber = String(badRows.length + 1); // the header is row 1
    await page.goto('/orders/import');
    await fileInput.setInputFiles({
      name: 'bad-orders.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from([header, ...badRows].join('\n') + '\n'),
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'Nothing was imported' }).waitFor();
    assert.equal(pathOf(page), '/orders/import');
    await expectText(page.getByRole('alert').filter({ hasText: 'bad-orders.csv' }), /^bad-orders\.csv has problems/);
    const problems = page.locator('table.problems tbody tr');
    assert.equal(await problems.count(), 1, `one problem: ${await page.locator('table.problems').innerText()}`);
    const problem = (await problems.locator('td').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(problem, [badRowNumber, 'quantity', 'The quantity must be more than zero.']);

    await page.goto(`/orders?view=all&q=${badPo}`);
    await page.getByText('No orders match.', { exact: true }).waitFor();

    watch.assertClean();
    await context.close();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('an issued order reaches the partner as a notification, which can be marked read', async () => {
  const po = uniquePo('NOTE');
  const acme = await env.newPage();
  await signIn(acme.page, 'ops@acme.test');
  await createDraft(acme.page, { po, requested: daysFromNow(45), lines: THREE_LINES.slice(0, 1) });
  await issueToSunrise(acme.page);

  const { context, page, watch } = await env.newPage();
  await signInWithAcme(page, 'sales@sunrise.test', 'Sunrise Textiles');
  const bell = page.locator('header a.bell');
  const badge = page.locator('#unread-count');
  await badge.waitFor();
  // A count from 1 to 99, or "99+" once the suite's earlier orders have piled up past it.
  const unread = (await badge.innerText()).trim();
  assert.match(unread, /^([1-9][0-9]?|99\+)$/, `the badge counts unread notifications: ${unread}`);
  assert.equal(await bell.getAttribute('aria-label'), `Notifications: ${unread} unread`);

  await bell.click();
  await waitForPath(page, '/notifications');
  await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
  const item = page.locator('.notification-list li').filter({ hasText: `Acme Apparel issued PO ${po}` });
  await item.waitFor();
  assert.equal(await item.getAttribute('class'), 'unread');

  await submitForm(page, page.getByRole('button', { name: 'Mark all as read', exact: true }));
  assert.equal(pathOf(page), '/notifications');
  await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
  assert.equal(await badge.count(), 0, 'the badge is gone');
  assert.equal(await bell.getAttribute('aria-label'), 'Notifications: 0 unread');
  assert.equal(await page.getByRole('button', { name: 'Mark all as read' }).count(), 0);
  assert.equal(await page.locator('.notification-list li.unread').count(), 0);

  // The notification leads to the order.
  await page.getByRole('link', { name: `Acme Apparel issued PO ${po}`, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();
  assert.equal(await badge.count(), 0, 'the badge stays away');

  acme.watch.assertClean();
  watch.assertClean();
  await acme.context.close();
  await context.close();
});

test('a brand admin filters the audit log by action and exports it as CSV', async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'portico-e2e-audit-'));
  try {
    const { context, page, watch } = await env.newPage();
    await signIn(page, 'admin@acme.test');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Audit log', exact: true }).click();
    await waitForPath(page, '/admin/audit');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();

    await page.getByLabel('Action', { exact: true }).selectOption('order.issued');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await waitForQuery(page, '/admin/audit', { action: 'order.issued' });
    const rows = page.locator('table.audit tbody tr');
    await rows.first().waitFor();
    const actions = (await rows.locator('td[data-label="Action"]').allInnerTexts()).map((t) => t.trim());
    assert.ok(actions.length > 0);
    assert.deepEqual([...new Set(actions)], ['order.issued']);

    const file = await download(page, () => page.getByRole('link', { name: 'Export CSV' }).click(), tmp);
    const csv = await readFile(file, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.equal(lines[0], 'seq,time_utc,actor,actor_org,action,object_type,object_id,client_addr,detail');
    // The export follows the filter: one line per entry shown (all fit on the first page here).
    assert.equal(lines.length - 1, actions.length, `the export has the filtered rows:\n${csv}`);
    for (const line of lines.slice(1)) assert.match(line, /,order\.issued,order,/);

    watch.assertClean();
    await context.close();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('on a phone-sized screen a partner opens an order and accepts a line', async () => {
  const { context, page, watch } = await env.newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
  await signInWithAcme(page, 'sales@sunrise.test', 'Sunrise Textiles');
  const { po, href } = await issuedDemoOrder(page, 'last');
  await page.getByRole('link', { name: po, exact: true }).tap();
  await waitForPath(page, href);
  await page.getByRole('heading', { level: 1, name: `PO ${po}` }).waitFor();

  // The lines are stacked cards: the Accept button is on screen, not beside a wide table.
  const accept = page.locator('#line-1 form.decide-accept').getByRole('button', { name: 'Accept', exact: true });
  await accept.scrollIntoViewIfNeeded();
  assert.ok(await accept.isVisible(), 'the Accept button is visible');
  const box = await accept.boundingBox();
  const screen = await page.evaluate(() => ({
    width: document.documentElement.clientWidth,
    scroll: document.documentElement.scrollWidth,
  }));
  assert.ok(box.x >= 0 && box.x + box.width <= screen.width, `Accept lies within the ${screen.width}px screen: ${JSON.stringify(box)}`);
  assert.ok(box.height >= 24, `Accept is big enough to tap (${box.height}px high)`);
  assert.ok(screen.scroll <= screen.width, `page is ${screen.scroll}px wide on a ${screen.width}px screen`);
  assert.equal(
    await page.locator('#line-1').evaluate((tr) => getComputedStyle(tr).display),
    'block',
    'line rows are stacked cards',
  );

  await acceptLine(page, 1, { tap: true });
  watch.assertClean();
  await context.close();
});
