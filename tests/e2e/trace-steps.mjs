// Steps shared by the traceability tests: the trace search box, reading a trace page's facts and
// its reverse/forward tables, and the downloads of a trace.

import { readFile } from 'node:fs/promises';
import { describePage, waitForPath } from './harness.mjs';

export const SEARCH_LABEL = 'PO, tracking, finished lot, batch, material lot or complaint number';
export const REVERSE = 'Reverse trace: where it came from';
export const FORWARD = 'Forward trace: where it went';
export const OTHERS_AFFECTED =
  'Other customers are affected too. Who they are is not shown; the factory that owns the lot sees them.';

/** The kinds of node as the trace tables name them. */
export const KIND = {
  material_lot: 'Material lot',
  batch: 'Batch',
  finished_lot: 'Finished lot',
  shipment: 'Shipment',
  order: 'PO',
};

/** Opens /trace through the main navigation (or directly, with `direct`). */
export async function openTrace(page, { direct = false } = {}) {
  if (direct) {
    await page.goto('/trace');
  } else {
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Traceability', exact: true })
      .click();
  }
  await waitForPath(page, '/trace');
  await page.getByRole('heading', { level: 1, name: 'Traceability' }).waitFor();
}

/**
 * On /trace: types `code` into the search box and presses Trace. With exactly one match the
 * server opens its trace page, which this waits for (`kind` is its path segment, e.g.
 * "finished_lot"), until its heading names `heading` (the code searched, unless told otherwise:
 * a complaint number opens its subject's trace). Returns the node's path.
 */
export async function searchTrace(page, code, kind, { direct = false, tap = false, heading = code } = {}) {
  await openTrace(page, { direct });
  await page.getByLabel(SEARCH_LABEL, { exact: true }).fill(code);
  const button = page.getByRole('button', { name: 'Trace', exact: true });
  await (tap ? button.tap() : button.click());
  try {
    await waitForPath(page, new RegExp(`^/trace/node/${kind}/[^/?]+$`));
  } catch (err) {
    throw new Error(`searching ${code} did not open a ${kind} trace: ${await describePage(page)}`, { cause: err });
  }
  await page.getByRole('heading', { level: 1 }).filter({ hasText: heading }).waitFor();
  return new URL(page.url()).pathname;
}

/** The facts of the node a trace page is about: { Line: 'Sewing line 2', … }. */
export async function traceFacts(page) {
  return page.locator('dl.trace-facts > div').evaluateAll((divs) =>
    Object.fromEntries(
      divs.map((d) => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]),
    ),
  );
}

/** The section of a page headed `name` (a region by its heading). */
export function region(page, name) {
  return page.getByRole('region', { name, exact: true });
}

/**
 * The rows of the trace table in `scope` (a locator): { depth, from, to, quantity }, each end as
 * { kind, code, href, held }.
 */
export async function traceRows(scope) {
  return scope.locator('table.trace-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const cell = (label) => tr.querySelector(`td[data-label="${label}"]`);
      const end = (td) => ({
        kind: td.querySelector('small')?.textContent.trim() ?? '',
        code: td.querySelector('a')?.textContent.trim() ?? '',
        href: td.querySelector('a')?.getAttribute('href') ?? '',
        held: td.querySelector('.status-held')?.textContent.trim() === 'On hold',
      });
      return {
        depth: Number(cell('Step').textContent.trim()),
        from: end(cell('From')),
        to: end(cell('Into')),
        quantity: cell('Quantity').textContent.trim().replace(/\s+/g, ' '),
      };
    }),
  );
}

/** Every node of the rows of one kind (by the table's kind name): [{ code, href, held }], once each. */
export function nodesOf(rows, kindName) {
  const seen = new Map();
  for (const r of rows) {
    for (const end of [r.from, r.to]) {
      if (end.kind === kindName && !seen.has(end.code)) seen.set(end.code, end);
    }
  }
  return [...seen.values()];
}

/** The codes of the rows' nodes of one kind. */
export function codesOf(rows, kindName) {
  return nodesOf(rows, kindName).map((n) => n.code);
}

/** Clicks a download link and returns the downloaded file's text. */
export async function downloadText(page, link) {
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const failure = await file.failure();
  if (failure) throw new Error(`download of ${file.suggestedFilename()} failed: ${failure}`);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

/** Whether the page scrolls sideways (wider than the screen). */
export async function pageWidth(page) {
  return page.evaluate(() => ({
    width: document.documentElement.clientWidth,
    scroll: document.documentElement.scrollWidth,
  }));
}
