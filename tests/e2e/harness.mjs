// Shared helpers for Portico's browser end-to-end tests: a real `portico serve` on a free port
// with a fresh data directory, Debian's Chromium driven by playwright-core, sign-in, the mail
// sink, and a watcher that fails a test on console errors or Content-Security-Policy violations.
//
// Nothing here sleeps for a fixed time: the server is ready when /readyz answers 200, mail is
// there when its file is, and pages are waited on through locators and URLs.

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

export const DEMO_PASSWORD = 'demo-password-1234';
export const PORTICO_BIN = path.resolve(
  here,
  process.env.PORTICO_BIN || path.join('..', '..', 'target', 'release', 'portico'),
);
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/** How long a condition may take before a test fails (ms). Generous for a 2-core CI box. */
export const TIMEOUT = 15_000;

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/** A port that was free a moment ago: bind port 0, read it, release it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a truthy value or `timeoutMs` passes. Used for conditions the
 * browser cannot wait on (a server's readiness, a mail file); the short pause between probes is
 * a polling interval, not a fixed wait for something to happen.
 */
export async function pollUntil(probe, { timeoutMs = TIMEOUT, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      if (err.fatal) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
    }
    await delay(intervalMs);
  }
}

/** The server's environment: the caller's, less Portico settings that would change the setup. */
function serverEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('PORTICO_') || name === 'DATABASE_URL') delete env[name];
  }
  // The SSO tests run a plain-http OIDC provider on loopback (tests/e2e/oidc-provider.mjs).
  return { ...env, PORTICO_DEMO_PASSWORD: DEMO_PASSWORD, PORTICO_OIDC_ALLOW_HTTP: 'true', RUST_LOG: 'warn', ...extra };
}

/**
 * Starts `portico serve` on a free port with a fresh temporary data directory (seeded with the
 * demo data on first start) and resolves once `GET /readyz` answers 200.
 * `env` adds settings for this server only (e.g. PORTICO_WEBHOOKS_ALLOW_PRIVATE).
 * Returns { baseURL, dataDir, mailDir, stop() }.
 */
export async function startServer({ env = {} } = {}) {
  if (!existsSync(PORTICO_BIN)) {
    throw new Error(
      `Portico binary not found at ${PORTICO_BIN}. Build it first (cargo build --release) or set PORTICO_BIN.`,
    );
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portico-e2e-'));
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const child = spawn(
    PORTICO_BIN,
    ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
    {
      env: serverEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > 64_000) output = output.slice(-32_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exitedEarly = null;
  exited.then((e) => {
    exitedEarly = e;
  });

  try {
    await pollUntil(
      async () => {
        if (exitedEarly) {
          throw Object.assign(new Error(`portico exited (${JSON.stringify(exitedEarly)})`), { fatal: true });
        }
        const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        return res.status === 200;
      },
      { timeoutMs: 30_000, what: `${baseURL}/readyz` },
    );
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`Portico did not become ready: ${err.message}\n--- server output ---\n${output}`);
  }

  return {
    baseURL,
    dataDir,
    mailDir: path.join(dataDir, 'mail'),
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * Starts a server and a browser for one test file. Use with `before`/`after`:
 *   const env = suite(); before(env.setup); after(env.teardown);
 * then `env.server`, `env.browser`, `env.newPage()` inside tests.
 */
export function suite(serverOptions = {}) {
  const env = {
    server: null,
    browser: null,
    contexts: [],
    async setup() {
      // Both start in parallel; whichever succeeded is kept so teardown can stop it even if
      // the other failed.
      const [server, browser] = await Promise.allSettled([startServer(serverOptions), launchBrowser()]);
      env.server = server.value ?? null;
      env.browser = browser.value ?? null;
      const failed = [server, browser].find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    async teardown() {
      await env.browser?.close();
      await env.server?.stop();
    },
    /** A fresh browser context (own cookies) and a watched page in it. */
    async newPage(options = {}) {
      const context = await env.browser.newContext({
        baseURL: env.server.baseURL,
        locale: 'en-US',
        ...options,
      });
      context.setDefaultTimeout(TIMEOUT);
      context.setDefaultNavigationTimeout(TIMEOUT);
      await context.addInitScript(reportCspViolations);
      const page = await context.newPage();
      const watch = watchPage(page);
      return { context, page, watch };
    },
  };
  return env;
}

/** Runs in every page before its own scripts: turns CSP violation events into console errors. */
function reportCspViolations() {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(
      `Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.documentURI}`,
    );
  });
}

/**
 * Records what a user would never want to see in the console: errors, uncaught exceptions and
 * Content-Security-Policy violations (from the console and from `securitypolicyviolation`
 * events, collected by a script injected before any page script runs).
 *
 * Chromium logs "Failed to load resource: … status of 4xx" for documents that are *meant* to be
 * error pages (a wrong password answers 401, a form error 422, an unknown path 404). Those are
 * ignored for top-level documents (and upload forms' 422 answers) only; a failing stylesheet,
 * script or image still counts.
 */
export function watchPage(page) {
  const problems = [];
  const documents = new Set();
  page.on('response', (res) => {
    const kind = res.request().resourceType();
    // An upload form sent by app.js that the server refuses with its errors (422) is a form
    // answer too, fetched by XHR.
    if (kind === 'document' || (kind === 'xhr' && res.status() === 422)) documents.add(res.url());
  });
  page.on('console', (msg) => {
    const text = msg.text();
    const csp = /Content Security Policy/i.test(text);
    if (msg.type() !== 'error' && !csp) return;
    const url = msg.location()?.url ?? '';
    if (!csp && /^Failed to load resource: the server responded with a status of [45]\d\d/.test(text) && documents.has(url)) {
      return;
    }
    problems.push(`console ${msg.type()}: ${text}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  return {
    problems,
    /** Fails the test if any page so far logged an error or a CSP violation. */
    assertClean() {
      assert.deepEqual(problems, [], `the browser reported problems:\n${problems.join('\n')}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Page steps
// ---------------------------------------------------------------------------------------------

/** Waits until the page's path (and query, if given) is `expected` (a string or RegExp). */
export async function waitForPath(page, expected) {
  await page.waitForURL((url) => {
    const p = url.pathname + url.search;
    return typeof expected === 'string' ? url.pathname === expected || p === expected : expected.test(p);
  });
}

export function pathOf(page) {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** Fills the sign-in form on /login and submits it. Does not wait for the outcome. */
export async function submitSignIn(page, email, password = DEMO_PASSWORD) {
  if (new URL(page.url()).pathname !== '/login') {
    await page.goto('/login');
  }
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in and waits for the home page's greeting. */
export async function signIn(page, email, password = DEMO_PASSWORD) {
  await submitSignIn(page, email, password);
  try {
    await waitForPath(page, '/');
    await page.getByRole('heading', { level: 1, name: /^Hello, / }).waitFor();
  } catch (err) {
    throw new Error(`signing in as ${email} did not reach the home page: ${await describePage(page)}`, { cause: err });
  }
}

/** Where a page is and what it says, for failure messages. */
export async function describePage(page) {
  let text = '';
  try {
    text = (await page.locator('main').innerText({ timeout: 1_000 })).replace(/\s+/g, ' ').slice(0, 500);
  } catch {
    text = '(no main element)';
  }
  return `at ${page.url()}: ${text}`;
}

/** The text of the flash messages area, once it shows `pattern`. */
export async function expectFlash(page, pattern) {
  const flash = page.getByRole('status').filter({ hasText: pattern });
  await flash.first().waitFor();
  return (await flash.first().innerText()).trim();
}

/** Waits until `locator` has exactly `expected` as text (trimmed), like expect().toHaveText. */
export async function expectText(locator, expected, { timeoutMs = TIMEOUT } = {}) {
  let last;
  try {
    await pollUntil(
      async () => {
        last = (await locator.innerText({ timeout: timeoutMs })).trim();
        return typeof expected === 'string' ? last === expected : expected.test(last);
      },
      { timeoutMs, what: `text ${expected}` },
    );
  } catch (err) {
    assert.fail(`expected text ${expected}, last saw ${JSON.stringify(last)} (${err.message})`);
  }
}

/** Reads the one-time invitation link from /invitations/created. */
export async function readInvitationLink(page) {
  await waitForPath(page, '/invitations/created');
  await page.getByRole('heading', { level: 1, name: 'Invitation created' }).waitFor();
  const link = await page.getByRole('textbox', { name: 'Invitation link' }).inputValue();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/invitations\/[^/\s]+$/);
  return link;
}

/**
 * Opens an invitation link in a brand-new browser context, creates the account, and signs in
 * with it. Returns { context, page, watch } of that context, signed in on the home page.
 */
export async function acceptInvitationAsNewUser(env, link, { name, email, password }) {
  const invitee = await env.newPage();
  const { page } = invitee;
  await page.goto(link);
  await page.getByRole('heading', { level: 1, name: 'Your invitation to Portico' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Create your account' }).waitFor();
  const facts = await page.locator('dl.facts').innerText();
  assert.ok(facts.includes(email), `the invitation page names ${email}: ${facts}`);
  await page.getByLabel('Your name', { exact: true }).fill(name);
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the new password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account and accept' }).click();
  await waitForPath(page, '/login');
  await expectFlash(page, 'Your account is ready');
  await signIn(page, email, password);
  await expectText(page.getByRole('heading', { level: 1 }), `Hello, ${name}`);
  return invitee;
}

// ---------------------------------------------------------------------------------------------
// Mail
// ---------------------------------------------------------------------------------------------

/** Decodes a quoted-printable body: soft line breaks, then =XX bytes as UTF-8. */
export function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes an RFC 2047 encoded-word header value (=?utf-8?b?…?= / =?utf-8?q?…?=). */
function decodeHeader(value) {
  return value.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=\s*/g, (_, _charset, enc, data) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  );
}

/** Parses one .eml file written by lettre's file transport into { to, subject, body }. */
export function parseMail(raw) {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split);
  const rawBody = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    }
  }
  const encoding = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  let body = rawBody;
  if (encoding === 'quoted-printable') body = decodeQuotedPrintable(rawBody);
  else if (encoding === 'base64') body = Buffer.from(rawBody.replace(/\s+/g, ''), 'base64').toString('utf8');
  return {
    to: decodeHeader(headers.to || ''),
    subject: decodeHeader(headers.subject || ''),
    body: body.replace(/\r\n/g, '\n'),
    headers,
  };
}

/** All mails in the sink so far. */
export async function readMails(mailDir) {
  let names;
  try {
    names = await readdir(mailDir);
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  const mails = [];
  for (const name of names.filter((n) => n.endsWith('.eml'))) {
    mails.push(parseMail(await readFile(path.join(mailDir, name), 'utf8')));
  }
  return mails;
}

/** Waits for a mail to `to` whose subject matches `subject`, and returns it. */
export async function waitForMail(mailDir, to, subject) {
  return pollUntil(
    async () => (await readMails(mailDir)).find((m) => m.to.includes(to) && subject.test(m.subject)),
    { what: `a mail to ${to} with subject ${subject}` },
  );
}
