// The playground: parse errors as you type, the real checker in a worker (progress, Cancel), results that must
// equal `fdrace ci --json` for the same scenario, lockdep reports, and counterexamples opened by replay that must
// equal `fdrace replay --json`.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ciRows, readTrace, FIX, replayJson, verdictText, type CiRow } from './fixtures.ts';
import { ROOT, cli } from './harness.ts';
import { selectedStep, shot, test, text, waitForTrace } from './page.ts';

const FOUR = readFileSync(join(ROOT, 'test/web/fixtures/four-threads.fdr'), 'utf8');

async function waitForResults(p: Page, count: number): Promise<void> {
  await p.waitForFunction((n) => document.querySelectorAll('#pg-results li.result').length === n, count, { timeout: 60_000 });
}

/** The playground's line for each variant must say what `fdrace ci --json` says. */
async function assertSameAsCi(p: Page, rows: CiRow[]): Promise<void> {
  for (const row of rows) {
    const li = p.locator(`#pg-results li.result[data-variant="${row.variant}"]`);
    const got = (await li.textContent()) ?? '';
    const want = `${row.variant}: ${verdictText(row)} — expected ${row.expected}: ${row.matchesExpected ? 'as expected' : 'differs'}`;
    assert.ok(got.startsWith(want), `playground: ${got}\nfdrace ci: ${want}`);
    for (const v of row.violations) {
      if (v.splat !== undefined || v.kind === 'sometimes') continue;
      const b = li.locator(`button[aria-label="Open the counterexample of ${v.qualified ?? v.property} on ${row.variant} (${v.steps} steps)"]`);
      assert.equal(await b.count(), 1, `a button opens ${v.property} on ${row.variant}`);
    }
  }
}

function declaredVariants(file: string): string[] {
  const r = cli(['parse', file]);
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { variants: string[] }).variants;
}

test('playground: errors at line:column as you type, then a clean parse', async ({ page, view }) => {
  const p = await page();
  await p.goto(`${view.url}#view=playground`);
  await p.waitForSelector('#pg-source');
  const line = FOUR.split('\n').indexOf('process P') + 1;
  await p.fill('#pg-source', FOUR.replace('\nprocess P\n', '\nproces P\n'));
  await p.waitForFunction(() => document.getElementById('pg-diag')?.classList.contains('error'));
  const diag = await text(p, '#pg-diag');
  assert.match(diag, new RegExp(`^error at ${line}:1: `), diag);
  assert.match(diag, /\nproces P\n\^$|proces P\s*\^/, 'the line is quoted with a caret under the column');
  assert.equal(await p.getAttribute('#pg-source', 'aria-invalid'), 'true');
  // The location is a button that puts the cursor there.
  await p.click('#pg-diag button.loc');
  const caret = await p.evaluate(() => (document.getElementById('pg-source') as HTMLTextAreaElement).selectionStart);
  assert.equal(
    caret,
    FOUR.split('\n')
      .slice(0, line - 1)
      .join('\n').length + 1,
  );
  await p.fill('#pg-source', FOUR);
  await p.waitForFunction(() => document.getElementById('pg-diag')?.classList.contains('ok'));
  assert.match(await text(p, '#pg-diag'), /^ok: scenario four-threads, 4 thread\(s\)/);
  assert.equal(await p.getAttribute('#pg-source', 'aria-invalid'), null);
});

test('playground: a bundled scenario on its variants gives what fdrace ci gives, and opens like fdrace replay', async ({ page, view }) => {
  const scenario = 'F16-addfd-stale-registration';
  const rows = ciRows(scenario);
  const p = await page();
  await p.goto(`${view.url}#view=playground`);
  await p.waitForSelector('#pg-source');
  await p.selectOption('#pg-example', { label: scenario });
  await p.waitForFunction((s) => document.getElementById('pg-diag')?.textContent?.startsWith(`ok: scenario ${s}`), scenario);
  const checked = await p.locator('#pg-variants input:checked').evaluateAll((xs) => xs.map((x) => (x as HTMLInputElement).value));
  assert.deepEqual(checked.sort(), declaredVariants(`scenarios/${scenario}.fdr`).sort(), "the scenario's own variants are checked");
  await p.click('#pg-run');
  await waitForResults(p, rows.length);
  await assertSameAsCi(p, rows);
  assert.match(await text(p, '#pg-progress'), new RegExp(`^Done: ${rows.length} variant\\(s\\)`));
  await shot(p, 'playground-f16.png');
  const row = rows.find((r) => r.violations.some((v) => v.path !== ''));
  assert.ok(row, 'some variant has a counterexample');
  const v = row.violations.find((x) => x.path !== '')!;
  await p.click(
    `#pg-results li.result[data-variant="${row.variant}"] button[aria-label^="Open the counterexample of ${v.qualified ?? v.property} on ${row.variant} "]`,
  );
  const cli16 = replayJson(scenario, row.variant, v.path);
  await waitForTrace(p, cli16.steps.length);
  assert.equal(await text(p, '#fact-scenario'), scenario);
  assert.equal(await text(p, '#fact-path'), cli16.path);
  const cv = cli16.violation!;
  assert.equal(await text(p, '#fact-result'), `${cv.property === 'deadlock' ? 'DEADLOCK' : 'VIOLATION'} ${cv.property} at step ${cv.step}`);
  assert.equal(await selectedStep(p), cv.step);
  assert.equal(await text(p, 'table.lanes tbody'), await lanesOf(p, cli16));
  const hash = new URLSearchParams(new URL(p.url()).hash.slice(1));
  assert.deepEqual([hash.get('variant'), hash.get('path'), hash.get('step')], [row.variant, cli16.path, String(cv.step)]);
  // Back returns to the playground with its results.
  await p.goBack();
  await p.waitForSelector('#playground:not([hidden])');
  assert.equal(await p.locator('#pg-results li.result').count(), rows.length);
});

/** The lanes' text for a CLI trace, rendered by the same page from the JSON (file path), for comparison. */
async function lanesOf(p: Page, t: unknown): Promise<string> {
  const q = await p.context().newPage();
  await q.goto(new URL('/', p.url()).href);
  await q.setInputFiles('#file-input', { name: 'cli.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(t)) });
  await q.waitForSelector('table.lanes');
  const s = await text(q, 'table.lanes tbody');
  await q.close();
  return s;
}

test('playground: Cancel terminates a long search; the next run uses a fresh worker', async ({ page, view }) => {
  const p = await page();
  await p.goto(`${view.url}#view=playground`);
  await p.waitForSelector('#pg-source');
  await p.fill('#pg-source', FOUR);
  await p.waitForFunction(() => document.getElementById('pg-diag')?.classList.contains('ok'));
  await p.locator('#pg-variants input:checked').evaluateAll((xs) => xs.forEach((x) => (x as HTMLInputElement).click()));
  await p.check('#pg-variant-v6_2');
  await p.fill('#pg-max-states', '50000000');
  await p.click('#pg-run');
  await p.waitForFunction(() => /states, frontier/.test(document.getElementById('pg-progress')?.textContent ?? ''), null, { timeout: 20_000 });
  assert.ok(await p.isEnabled('#pg-cancel'));
  await p.click('#pg-cancel');
  await p.waitForFunction(() => /^Cancelled after/.test(document.getElementById('pg-progress')?.textContent ?? ''));
  assert.ok(await p.isEnabled('#pg-run'));
  assert.ok(await p.isDisabled('#pg-cancel'));
  assert.equal(await p.locator('#pg-results li.result').count(), 0);
  const scenario = 'F01-replace-5-of-10';
  const rows = ciRows(scenario);
  await p.selectOption('#pg-example', { label: scenario });
  await p.click('#pg-run');
  await waitForResults(p, rows.length);
  await assertSameAsCi(p, rows);
});

test("playground: the ABBA history scenario, its reached deadlock and lockdep's report of the inversion", async ({ page, view }) => {
  const scenario = 'history/ctl-del-abba-4ff36ee94d93';
  const rows = ciRows(scenario);
  const fixed = rows.find((r) => r.variant === 'v6.2~ctl-del-nested-fix');
  assert.ok(
    fixed?.violations.some((v) => v.splat),
    'fdrace ci reports the inversion with a splat',
  );
  const p = await page();
  await p.goto(`${view.url}#view=playground`);
  await p.waitForSelector('#pg-source');
  await p.selectOption('#pg-example', { label: scenario });
  await p.waitForFunction(() => document.getElementById('pg-diag')?.classList.contains('ok'));
  // The scenario's own variant spec is offered as a checkbox, and checked.
  assert.ok(await p.isChecked('#pg-variant-v6_2_ctl-del-nested-fix'));
  await p.click('#pg-run');
  await waitForResults(p, rows.length);
  await assertSameAsCi(p, rows);
  const li = p.locator('#pg-results li.result[data-variant="v6.2~ctl-del-nested-fix"]');
  const inv = li.locator('li.inversion');
  assert.equal(await inv.count(), 1);
  const cells = await inv.locator('.lockdep tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  const splat = fixed!.violations.find((v) => v.splat)!.splat!;
  // Each row of the table is one lock() in one column, in the splat's order.
  const inSplat = splat
    .split('\n')
    .filter((l) => /^\s+lock\(.*\);\s*$/.test(l))
    .map((l) => l.trim());
  assert.deepEqual(
    cells.map((r) => r.join('')),
    inSplat,
  );
  assert.ok(
    cells.every((r) => r.length === 2 && r.filter((x) => x !== '').length === 1),
    JSON.stringify(cells),
  );
  assert.equal(await inv.locator('pre.splat-text').textContent(), splat);
  await shot(p, 'playground-abba-lockdep.png');
  await li.locator('button.open-cex').first().click();
  await waitForTrace(p, readTrace(FIX.abba).steps.length);
  assert.equal(await text(p, '#explain .cycle-words'), 'T1 waits for B.mtx, held by T2; T2 waits for A.mtx, held by T1.');
});

test('playground: the same search defaults as fdrace check and fdrace ci (symmetry matters here)', async ({ page, view }) => {
  const file = 'test/fixtures/symmetric.fdr';
  const want = JSON.parse(cli(['check', file, '--json']).stdout.trim().split('\n')[0]!) as { stats: { states: number; transitions: number } };
  const ci = JSON.parse(cli(['ci', file, '--json']).stdout.trim().split('\n')[0]!) as { stats: { states: number; transitions: number } };
  assert.deepEqual([ci.stats.states, ci.stats.transitions], [want.stats.states, want.stats.transitions]);
  const p = await page();
  await p.goto(`${view.url}#view=playground`);
  await p.waitForSelector('#pg-source');
  await p.fill('#pg-source', readFileSync(join(ROOT, file), 'utf8'));
  await p.waitForFunction(() => document.getElementById('pg-diag')?.classList.contains('ok'));
  // Run v6.2 alone, whatever an earlier test or the page's defaults left checked.
  await p.locator('#pg-variants input:checked').evaluateAll((xs) => xs.forEach((x) => (x as HTMLInputElement).click()));
  await p.check('#pg-variant-v6_2');
  await p.click('#pg-run');
  await waitForResults(p, 1);
  const got = (await p.locator('#pg-results li.result[data-variant="v6.2"]').textContent()) ?? '';
  assert.ok(
    got.includes(`${want.stats.states} states, ${want.stats.transitions} transitions`),
    `playground: ${got}; fdrace check: ${want.stats.states} states`,
  );
});
