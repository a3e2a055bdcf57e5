// Steps shared by the order-related browser tests: unique PO numbers, dates, real PNG photos
// for the upload forms, and the usual moves of a brand and its factory on an order.

import { deflateSync } from 'node:zlib';
import { describePage, expectFlash, expectText, pathOf, signIn, waitForPath } from './harness.mjs';

/** A PO number no other test (or demo order) uses: `E2E-<tag>-<time>`. */
export function uniquePo(tag) {
  return `E2E-${tag}-${Date.now()}`;
}

/** The date `days` from today, as a date input wants it (YYYY-MM-DD). */
export function daysFromNow(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Photos: small but real PNG files (the server decodes images and makes thumbnails)
// ---------------------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A `width`×`height` RGB PNG: a gradient over the base colour `rgb`, so that every photo made
 * with another colour has other bytes (files are stored by content).
 */
function makePng(rgb, width = 64, height = 48) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const at = row + 1 + x * 3;
      raw[at] = (rgb[0] + x * 2) & 0xff;
      raw[at + 1] = (rgb[1] + y * 3) & 0xff;
      raw[at + 2] = (rgb[2] + x + y) & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A photo as setInputFiles takes it from memory. */
export function photo(name, rgb) {
  return { name, mimeType: 'image/png', buffer: makePng(rgb) };
}


/** Signs in and checks the home page says the user works for Acme Apparel. */
export async function signInWithAcme(page, email, orgName) {
  await signIn(page, email);
  await expectText(page.locator('main p.muted').first(), `${orgName} · working with Acme Apparel`);
}

/**
 * Presses a form's submit button and waits for the page that answers it to load. For the upload
 * forms (`data-upload`) app.js sends the form by XHR and then loads the page it was redirected
 * to, so this also waits for the end of an upload.
 */
export async function submitForm(page, button, { tap = false } = {}) {
  await Promise.all([page.waitForEvent('load'), tap ? button.tap() : button.click()]);
}

/** The count shown on a home page card, by its label. */
export async function homeCardCount(page, label) {
  const card = page.locator('ul.cards li.count-card').filter({
    has: page.locator('.count-label', { hasText: new RegExp(`^${label}$`) }),
  });
  return Number(await card.locator('.count').getAttribute('data-count'));
}

/**
 * As Acme ops on the new-order form: a draft for Delta Garment Works shipping to Harbor Logistics,
 * then issued. Returns the order page's path.
 */
export async function createAndIssueForDelta(page, { po, requested, lines }) {
  return createAndIssue(page, { po, requested, lines, partner: 'Delta Garment Works', partnerKind: 'Contract factory' });
}

/**
 * As Acme ops on the new-order form: a draft for `partner` (listed as "partner (partnerKind)")
 * shipping to Harbor Logistics, then issued. Returns the order page's path.
 */
export async function createAndIssue(page, { po, requested, lines, partner, partnerKind }) {
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Orders', exact: true }).click();
  await waitForPath(page, '/orders');
  await page.getByRole('link', { name: 'New purchase order' }).click();
  await waitForPath(page, '/orders/new');
  await page.getByRole('heading', { level: 1, name: 'New purchase order' }).waitFor();

  await page.getByLabel('PO number', { exact: true }).fill(po);
  await page.getByLabel('Supplier or factory', { exact: true }).selectOption({ label: `${partner} (${partnerKind})` });
  await page.getByLabel('Ship to (warehouse)', { exact: true }).selectOption({ label: 'Harbor Logistics' });
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
  const orderPath = pathOf(page);

  await submitForm(page, page.getByRole('button', { name: `Issue to ${partner}`, exact: true }));
  await expectFlash(page, 'The order is issued. The partner has been told.');
  await expectText(page.locator('#order-state'), 'Waiting for confirmation');
  return orderPath;
}

/** As the partner on the order page: accepts every open line at once. */
export async function acceptAll(page, lineCount, { tap = false } = {}) {
  await submitForm(page, page.getByRole('button', { name: 'Accept all open lines', exact: true }), { tap });
  await expectFlash(page, 'All open lines are accepted.');
  for (let n = 1; n <= lineCount; n++) await expectText(page.locator(`#line-${n} .line-state`), 'Accepted');
  await expectText(page.locator('#order-state'), 'Confirmed');
}

/** Opens the "Report progress" form of the order page and returns it. */
export async function openProgressForm(page, { tap = false } = {}) {
  const progress = page.locator('section#progress');
  const summary = progress.locator('details.progress-form summary').filter({ hasText: 'Report progress' });
  await (tap ? summary.tap() : summary.click());
  const form = progress.locator('details.progress-form form');
  await form.getByLabel('Milestone', { exact: true }).waitFor({ state: 'visible' });
  return form;
}

/**
 * As the order's supplier on its order page: announces everything still open as one shipment
 * (ASN) to the order's warehouse (preselected) and waits for it to be listed in transit.
 */
export async function shipEverything(page, { carrier, tracking, shipDate, eta, cartons }) {
  const shipping = page.locator('section#shipping');
  await shipping.locator('details.asn-form summary').filter({ hasText: 'Announce a shipment (ASN)' }).click();
  const form = shipping.locator('details.asn-form form');
  await form.getByLabel('Carrier', { exact: true }).fill(carrier);
  await form.getByLabel('Tracking number', { exact: true }).fill(tracking);
  await form.getByLabel('Ship date', { exact: true }).fill(shipDate);
  await form.getByLabel('ETA', { exact: true }).fill(eta);
  await form.getByLabel('Cartons', { exact: true }).fill(String(cartons));
  await submitForm(page, form.getByRole('button', { name: 'Send ASN', exact: true }));
  await expectFlash(page, 'The ASN is sent; the brand and the warehouse have been told.');
  const asn = shipping.locator('ol.asns > li.asn').filter({ hasText: `${carrier} ${tracking}` });
  await expectText(asn.locator('.status'), 'In transit');
  return asn;
}

/**
 * As the warehouse: opens the shipment of `po` from Inbound, records its arrival at the dock and
 * posts the receipt as announced (everything received, nothing damaged). Returns the shipment
 * page's path.
 */
export async function receiveInFull(page, po) {
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Inbound', exact: true }).click();
  await waitForPath(page, '/inbound');
  await page.getByRole('heading', { level: 1, name: 'Inbound' }).waitFor();
  await page.locator('table.inbound tbody tr').filter({ hasText: po }).getByRole('link', { name: po, exact: true }).click();
  await waitForPath(page, /^\/inbound\/[^/]+$/);
  const asnPath = pathOf(page);
  await page.getByRole('heading', { level: 1, name: `Inbound shipment · PO ${po}` }).waitFor();
  await submitForm(page, page.getByRole('button', { name: 'Goods arrived at the dock', exact: true }));
  await expectFlash(page, 'Arrival recorded. Count the goods and post the receipt below.');
  await expectText(page.locator('#asn-status'), 'At the dock');
  await submitForm(page, page.getByRole('button', { name: 'Post receipt', exact: true }));
  await waitForPath(page, asnPath);
  await expectFlash(page, 'The receipt is posted and signed.');
  await expectText(page.locator('#asn-status'), 'Received');
  return asnPath;
}
