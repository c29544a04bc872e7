// The viewer on real counterexamples: swim lanes, state diff, explanation, navigation, share links, labels,
// the wait-for cycle of a real deadlock and the lockdep table.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ViewTrace } from '../../web/src/validate.ts';
import { sourceRef } from '../../checker/trace/sources.ts';
import { resolveVariant } from '../../checker/variants.ts';
import { FIX, readTrace, stepWhere } from './fixtures.ts';
import { hashStep, selectedStep, shot, test, text, uploadTrace, waitForTrace, watch } from './page.ts';

test('F01 rfc-v4 from ?trace=: the step where P.fd[4] goes OLD -> NEW, and the explanation', async ({ page, view }) => {
  const t = readTrace(FIX.f01);
  const n = t.steps.length;
  const v = t.violation!;
  const at4 = stepWhere(t, 'P.fd[4]: OLD -> NEW');
  const s4 = t.steps[at4 - 1]!;
  const p = await page();
  await p.goto(`${view.url}?trace=/trace.json`);
  await waitForTrace(p, n);
  assert.equal(await text(p, '#fact-scenario'), 'F01-replace-5-of-10');
  assert.equal(await text(p, '#fact-variant'), 'rfc-v4');
  assert.equal(await text(p, '#fact-path'), t.path);
  // Without a step in the URL the viewer opens at the violation, and explains it.
  assert.equal(await selectedStep(p), v.step);
  const ex = await text(p, '#explain');
  assert.ok(ex.includes(v.property === 'deadlock' ? 'Deadlock' : `Violation: ${v.property}`), ex);
  assert.ok(ex.includes(`checker: ${v.message}`), ex);
  const at = v.step > 0 ? t.steps[v.step - 1]! : null;
  const toggles = resolveVariant('rfc-v4').toggles;
  if (at) assert.ok(ex.includes(`Step ${v.step}: thread ${at.thread} in ${at.function} (${sourceRef(at, toggles)!.text}) — ${at.text}`), ex);

  await p.keyboard.press('Home');
  assert.equal(await selectedStep(p), 0);
  for (let i = 0; i < at4; i++) await p.keyboard.press('j');
  assert.equal(await selectedStep(p), at4);
  assert.equal(await hashStep(p), at4);
  const fd4 = p.locator('#state-body td[data-key="proc/P/fd/4"]');
  assert.equal(await fd4.textContent(), 'NEW');
  assert.match((await fd4.getAttribute('class')) ?? '', /\bchanged\b/);
  assert.equal(await fd4.getAttribute('title'), 'was OLD');
  const fd5 = p.locator('#state-body td[data-key="proc/P/fd/5"]');
  assert.equal(await fd5.textContent(), 'OLD');
  assert.doesNotMatch((await fd5.getAttribute('class')) ?? '', /changed/);
  const row = p.locator(`table.lanes tr[data-step="${at4}"]`);
  assert.match((await row.textContent()) ?? '', /P\.fd\[4\]: OLD -> NEW/);
  // The link is pinned to the release rfc-v4 models (v6.2), never master; an RFC step links to the posting.
  const ref = sourceRef(s4, toggles)!;
  assert.equal(await row.locator('a.src').getAttribute('href'), ref.url);
  assert.match(ref.url, s4.source.includes('RFC') ? /^https:\/\/lore\.kernel\.org\// : /\/v6\.2\//);
  assert.equal(await row.locator('a.src').textContent(), ref.text);
  const active = (await row.locator('td.active').textContent()) ?? '';
  assert.ok(active.startsWith(`${s4.op}${s4.function} ${ref.text}${s4.text}`), active);
  assert.equal(await row.locator('td.active').count(), 1, 'one lane moves per step');
  await shot(p, 'f01-rfc-v4-fd4-old-to-new.png');

  // Only what changed: fd 4 stays; the untouched fd 5 and a lock nobody took or released go.
  const before = t.steps[at4 - 2]?.state ?? t.initial;
  const still = s4.state.locks.find((l, i) => l.owner === before.locks[i]?.owner && l.waiters.join() === before.locks[i]?.waiters.join())!;
  await p.check('#changed-only');
  assert.equal(await p.locator('#state-body td[data-key="proc/P/fd/4"]').count(), 1);
  assert.equal(await p.locator('#state-body td[data-key="proc/P/fd/5"]').count(), 0);
  assert.equal(await p.locator(`#state-body [data-object="lock/${still.name}"]`).count(), 0);
  assert.ok((await p.locator('#state-body td.changed').count()) >= 1);
  await p.uncheck('#changed-only');
  assert.equal(await p.locator(`#state-body [data-object="lock/${still.name}"]`).count(), 1);
  // Hiding an object, then showing it again.
  await p.click('button[aria-label="Hide file OLD"]');
  assert.equal(await p.locator('#state-body [data-object="file/OLD"]').count(), 0);
  await p.click('button[aria-label="Show file OLD again"]');
  assert.equal(await p.locator('#state-body [data-object="file/OLD"]').count(), 1);

  // Reading the state panel: the arrows and j/k scroll or do nothing there, they never move the step.
  const here = await selectedStep(p);
  await p.focus('#state-body button.hide');
  for (const key of ['ArrowDown', 'j', 'End', 'ArrowUp', 'k', 'Home']) await p.keyboard.press(key);
  assert.equal(await selectedStep(p), here, 'keys outside the lanes must not move the step');
  await p.focus('.lanes-wrap');
  await p.keyboard.press('End');
  assert.equal(await selectedStep(p), n);
  await p.keyboard.press('k');
  await p.keyboard.press('ArrowUp');
  assert.equal(await selectedStep(p), n - 2);
  await p.keyboard.press('ArrowDown');
  assert.equal(await selectedStep(p), n - 1);
  await p.keyboard.press('Home');
  await p.keyboard.press('v');
  assert.equal(await selectedStep(p), v.step);
  await p.keyboard.press('Home');
  await p.click('#jump-violation');
  assert.equal(await selectedStep(p), v.step);
});

test('an expectation on fd slots is explained slot by slot, each with the step that changed it', async ({ page, view }) => {
  // F01 states `expect fds_untouched: at end P.fd[4..12] == OLD`; whichever property the search reports first on
  // this path, the explanation of that expectation at the end of the path must name each slot.
  const t: ViewTrace = readTrace(FIX.f01);
  const n = t.steps.length;
  t.violation = { property: 'fds_untouched', kind: 'at-end', message: 'at end P.fd[4..12] == OLD', step: n };
  const p = await page();
  await p.goto(view.url);
  await p.waitForSelector('#landing:not([hidden])');
  await uploadTrace(p, 'f01-fds.json', JSON.stringify(t));
  await waitForTrace(p, n);
  const ex = await text(p, '#explain');
  assert.ok(ex.includes(`When every thread had finished (after step ${n}), the expectation “fds_untouched” does not hold.`), ex);
  const last = t.steps[n - 1]!.state.processes.find((x) => x.name === 'P')!;
  for (let fd = 4; fd <= 12; fd++) {
    const now = last.fds.find((d) => d.fd === fd)?.file ?? 'closed';
    const line = now === 'OLD' ? `P.fd[${fd}]: still OLD` : `P.fd[${fd}]: OLD → ${now} at step ${stepWhere(t, `P.fd[${fd}]: OLD -> ${now}`)}`;
    assert.ok(ex.includes(line), `${line} in ${ex}`);
  }
  assert.ok(!ex.includes('P.fd[3]:'), 'only the slots the expectation names are listed');
  await p.click(`#explain li[data-slot="P.fd[4]"] button`);
  assert.equal(await selectedStep(p), stepWhere(t, 'P.fd[4]: OLD -> NEW'));
});

test('shareable link: the hash alone re-derives the same trace by replay in a fresh page', async ({ page, view, browser }) => {
  const t = readTrace(FIX.f01);
  const n = t.steps.length;
  const p = await page();
  await p.goto(`${view.url}?trace=/trace.json#step=26`);
  await waitForTrace(p, n);
  assert.equal(await selectedStep(p), 26);
  const link = await p.inputValue('#share-link');
  const u = new URL(link);
  assert.equal(`${u.origin}/`, view.url);
  const params = new URLSearchParams(u.hash.slice(1));
  assert.deepEqual([...params.keys()], ['variant', 'path', 'prop', 'src', 'step']);
  // prop: the property the trace is a counterexample for; the path passes other findings on the way.
  assert.deepEqual([params.get('variant'), params.get('path'), params.get('prop'), params.get('step')], ['rfc-v4', t.path, t.violation!.property, '26']);
  assert.match(params.get('src')!, /^[A-Za-z0-9_-]+$/);
  assert.ok(!link.includes('?trace='), 'the link must not depend on the served trace file');
  const before = {
    facts: await text(p, '.facts'),
    lanes: await text(p, 'table.lanes tbody'),
    state: await text(p, '#state-body'),
    explain: await text(p, '#explain'),
  };
  const ctx = await browser.newContext();
  try {
    const q = await ctx.newPage();
    const errors = watch(q);
    await q.goto(link);
    await waitForTrace(q, n);
    assert.equal(await selectedStep(q), 26);
    assert.deepEqual(
      {
        facts: await text(q, '.facts'),
        lanes: await text(q, 'table.lanes tbody'),
        state: await text(q, '#state-body'),
        explain: await text(q, '#explain'),
      },
      before,
    );
    assert.equal(await q.inputValue('#share-link'), link);
    // Moving on updates the link's step, without another replay.
    await q.keyboard.press('j');
    assert.equal(await hashStep(q), 27);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('keyboard only: Tab to the lanes, j/k, arrows, Home/End, v, Enter on a button', async ({ page, view }) => {
  const n = readTrace(FIX.f01).steps.length;
  const p = await page();
  await p.goto(`${view.url}?trace=/trace.json#step=3`);
  await waitForTrace(p, n);
  let found = false;
  for (let i = 0; i < 200 && !found; i++) {
    await p.keyboard.press('Tab');
    found = await p.evaluate(() => document.activeElement?.classList.contains('lanes-wrap') ?? false);
  }
  assert.ok(found, 'the swim lanes can be reached with Tab');
  assert.equal(await selectedStep(p), 3);
  await p.keyboard.press('j');
  await p.keyboard.press('ArrowRight');
  assert.equal(await selectedStep(p), 5);
  await p.keyboard.press('ArrowLeft');
  assert.equal(await selectedStep(p), 4);
  await p.keyboard.press('End');
  assert.equal(await selectedStep(p), n);
  await p.keyboard.press('j');
  assert.equal(await selectedStep(p), n, 'j at the last step stays there');
  await p.keyboard.press('Home');
  assert.equal(await selectedStep(p), 0);
  await p.keyboard.press('k');
  assert.equal(await selectedStep(p), 0, 'k at the initial state stays there');
  const v = readTrace(FIX.f01).violation!.step;
  await p.keyboard.press('v');
  assert.equal(await selectedStep(p), v);
  assert.equal(await hashStep(p), v);
  await p.keyboard.press('Home');
  // Reach "Jump to violation" by Tab alone and press Enter.
  let onButton = false;
  for (let i = 0; i < 200 && !onButton; i++) {
    await p.keyboard.press('Shift+Tab');
    onButton = await p.evaluate(() => document.activeElement?.id === 'jump-violation');
  }
  assert.ok(onButton, '"Jump to violation" can be reached with Tab');
  await p.keyboard.press('Enter');
  assert.equal(await selectedStep(p), v);
});

test('every control has a label (aria-label or <label>)', async ({ page, view }) => {
  const p = await page();
  await p.goto(`${view.url}?trace=/trace.json`);
  await waitForTrace(p, readTrace(FIX.f01).steps.length);
  await p.click('#tab-playground');
  await p.waitForSelector('#pg-source');
  await p.click('#tab-trace');
  const unlabeled = await p.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('input, select, textarea, button')]
      .filter((el) => {
        const aria = el.getAttribute('aria-label') ?? '';
        const by = el.getAttribute('aria-labelledby');
        const labels = (el as HTMLInputElement).labels;
        const own = el.tagName === 'BUTTON' ? (el.textContent ?? '').trim() : '';
        return aria.trim() === '' && !by && !(labels && labels.length > 0) && own === '';
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabeled, []);
  const count = await p.evaluate(() => document.querySelectorAll('input, select, textarea, button').length);
  assert.ok(count > 20, `expected the page's controls to be checked, found ${count}`);
});

test('drag and drop a trace file', async ({ page, view }) => {
  const p = await page();
  await p.goto(view.url);
  await p.waitForSelector('#landing:not([hidden])');
  const json = readFileSync(FIX.f07, 'utf8');
  await p.evaluate((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], 'dropped.trace.json', { type: 'application/json' }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, json);
  const t = readTrace(FIX.f07);
  await waitForTrace(p, t.steps.length);
  assert.equal(await text(p, '#fact-scenario'), t.scenario);
  assert.equal(await text(p, '#fact-variant'), 'rfc-v4');
  assert.equal(await text(p, '#fact-path'), t.path);
  assert.ok((await text(p, '#explain')).includes(t.violation!.message));
  assert.equal(await selectedStep(p), t.violation!.step);
});

test('deadlock: the wait-for cycle of the 4ff36ee94d93 ABBA in words and as SVG', async ({ page, view }) => {
  const p = await page();
  await p.goto(view.url);
  await p.waitForSelector('#landing:not([hidden])');
  const t = readTrace(FIX.abba);
  assert.equal(t.violation?.property, 'deadlock');
  await uploadTrace(p, 'abba.json', JSON.stringify(t));
  await waitForTrace(p, t.steps.length);
  assert.equal(await selectedStep(p), t.steps.length);
  assert.equal(await text(p, '#explain h2'), `Deadlock go to step ${t.steps.length} (v)`);
  assert.match(await text(p, '#explain .words'), /no thread can move, and not every thread has finished: a deadlock/);
  const words = await text(p, '#explain .cycle-words');
  assert.equal(words, 'T1 waits for B.mtx, held by T2; T2 waits for A.mtx, held by T1.');
  const svg = p.locator('#explain svg.waitfor');
  assert.equal(await svg.count(), 1);
  assert.deepEqual(await svg.locator('g.wf-node text').allTextContents(), ['T1', 'B.mtx', 'T2', 'A.mtx']);
  assert.deepEqual(await svg.locator('g.wf-edge text').allTextContents(), ['waits for', 'held by', 'waits for', 'held by']);
  assert.match((await svg.getAttribute('aria-label')) ?? '', /^Deadlock: T1 waits for B\.mtx, held by T2; T2 waits for A\.mtx, held by T1$/);
  // The lanes show who is blocked; the state panel's wait-for graph names the same cycle.
  assert.match(await text(p, `table.lanes tr[data-step="${t.steps.length}"]`), /waits for B\.mtx/);
  assert.match(await text(p, '#state-body .waitfor-block'), /Cycle: T1 → T2 → T1/);
  assert.equal(await p.locator('#state-body td[data-key="lock/B.mtx/owner"]').textContent(), 'T2');
  await shot(p, 'deadlock-abba-cycle.png');
});

test("lock-order violation in a trace: lockdep's CPU0/CPU1 table with the tasks", async ({ page, view }) => {
  const p = await page();
  await p.goto(view.url);
  await p.waitForSelector('#landing:not([hidden])');
  const t: ViewTrace = readTrace(FIX.f16);
  t.violation = {
    property: 'locks',
    kind: 'lock-order',
    message: 'E.mtx taken while holding epmutex, after epmutex was taken while holding E.mtx',
    step: 3,
    scenario: {
      tasks: ['T', 'T2'],
      rows: [
        { cpu: 0, text: 'lock(E.mtx);' },
        { cpu: 1, text: 'lock(epmutex);' },
        { cpu: 1, text: 'lock(E.mtx);' },
        { cpu: 0, text: 'lock(epmutex);' },
      ],
    },
  };
  await uploadTrace(p, 'lock-order.json', JSON.stringify(t));
  await waitForTrace(p, t.steps.length);
  assert.equal(await selectedStep(p), 3);
  const table = p.locator('#explain .lockdep table');
  assert.deepEqual(await table.locator('thead th').allTextContents(), ['CPU0 (T)', 'CPU1 (T2)']);
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.deepEqual(rows, [
    ['lock(E.mtx);', ''],
    ['', 'lock(epmutex);'],
    ['', 'lock(E.mtx);'],
    ['lock(epmutex);', ''],
  ]);
  assert.equal(await text(p, '#explain .lockdep tfoot'), '*** DEADLOCK ***');
  assert.match(await text(p, '#explain .words'), /Locks were taken in opposite orders/);
});
