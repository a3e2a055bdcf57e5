// Webhooks: Delta's admin adds an endpoint on Settings › Webhooks (a local receiver, allowed
// because this file's server runs with PORTICO_WEBHOOKS_ALLOW_PRIVATE), copies the secret shown
// once, Acme issues an order to Delta, the signed CloudEvent arrives and shows as delivered in
// the log, and Redeliver sends it again under the same webhook-id.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { expectFlash, expectText, pollUntil, signIn, suite, waitForPath } from './harness.mjs';
import { createAndIssueForDelta, daysFromNow, uniquePo } from './order-steps.mjs';

const env = suite({ env: { PORTICO_WEBHOOKS_ALLOW_PRIVATE: 'true' } });
const received = [];
let receiver;

before(async () => {
  receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('thanks');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  await env.setup();
});
after(async () => {
  await env.teardown();
  await new Promise((resolve) => receiver.close(resolve));
});

/** Checks the Standard Webhooks signature with Node's own HMAC (not Portico's code). */
function assertSigned(request, secret) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
  const given = request.headers['webhook-signature'].split(' ').map((s) => s.replace(/^v1,/, ''));
  assert.ok(
    given.some((sig) => {
      const bytes = Buffer.from(sig, 'base64');
      return bytes.length === expected.length && timingSafeEqual(bytes, expected);
    }),
    'signature verifies',
  );
  assert.ok(Math.abs(Date.now() / 1000 - Number(timestamp)) < 300, 'timestamp is now');
}

test('an admin adds an endpoint, sees its secret once, and an issued order is delivered and redelivered', async () => {
  const { port } = receiver.address();
  const url = `http://127.0.0.1:${port}/portico/events`;
  const { page, watch } = await env.newPage();
  await signIn(page, 'planner@delta.test');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Webhooks', exact: true }).click();
  await waitForPath(page, '/settings/webhooks');
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
  await page.getByLabel('Endpoint URL (https)', { exact: true }).fill(url);
  await page.getByLabel('Description', { exact: true }).fill('Delta ERP');
  assert.ok(await page.getByLabel('All events').isChecked());
  await page.getByRole('button', { name: 'Create endpoint', exact: true }).click();
  await waitForPath(page, /^\/settings\/webhooks\/[^/]+$/);
  await expectFlash(page, 'Endpoint created.');
  const secret = (await page.locator('.webhook-secret').innerText()).trim();
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
  const endpointPath = new URL(page.url()).pathname;

  // Shown once: a reload no longer carries it.
  await page.reload();
  await expectText(page.locator('h1.endpoint-url'), url);
  assert.equal(await page.locator('.webhook-secret').count(), 0);
  assert.ok(!(await page.content()).includes(secret));

  // Acme issues an order to Delta: the event arrives, signed, as a CloudEvent.
  const acme = await env.newPage();
  await signIn(acme.page, 'ops@acme.test');
  const po = uniquePo('HOOK');
  const orderPath = await createAndIssueForDelta(acme.page, {
    po,
    requested: daysFromNow(60),
    lines: [{ sku: 'E2E-HOOK-1', description: 'Webhook tee', hs: '6109.10', quantity: '10', price: '2.00' }],
  });
  await pollUntil(() => received.length >= 1, { what: 'the webhook request' });
  const first = received[0];
  assert.equal(first.headers['content-type'], 'application/cloudevents+json');
  assertSigned(first, secret);
  const event = JSON.parse(first.body);
  assert.equal(event.specversion, '1.0');
  assert.equal(event.type, 'com.portico.order.issued');
  assert.equal(event.id, first.headers['webhook-id']);
  assert.equal(event.subject, orderPath.split('/').pop());
  assert.equal(event.data.po_number, po);

  // The log shows it delivered (the worker may still be writing its result: reload until so).
  await pollUntil(
    async () => {
      await page.goto(endpointPath);
      return (await page.locator('tr.delivery-delivered').count()) === 1;
    },
    { what: 'the delivered row', intervalMs: 200 },
  );
  const row = page.locator('tr.delivery-delivered');
  await expectText(row.locator('.delivery-status'), 'Delivered');
  await expectText(row.locator('.status-code'), '200');

  // Redeliver: the same event again, under the same webhook-id.
  await row.getByRole('button', { name: 'Redeliver', exact: true }).click();
  await expectFlash(page, 'The event is queued to be sent again.');
  await pollUntil(() => received.length >= 2, { what: 'the redelivery' });
  assert.equal(received[1].headers['webhook-id'], first.headers['webhook-id']);
  assertSigned(received[1], secret);

  watch.assertClean();
  acme.watch.assertClean();
});
