// Counterexamples a kernel developer can paste into a mail: each finding of the viewer's first round has a case
// here that would have caught it — explanations of the wrong invariant, raw kind names, "RFC v4" on rfc-v7 steps,
// links to master, no lockdep table for CLI traces, links replayed on the main thread without a cap, links to
// 127.0.0.1, slow long traces, a 700 px page on a phone, keys stolen from the state panel, low contrast, no dark
// mode, a meta-only CSP — plus the CPU0/CPU1 text, watch expressions and explore-from-here.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { formatChangelog } from '../../checker/trace/changelog.ts';
import { FIX, readTrace, replayJson, stepWhere } from './fixtures.ts';
import { ROOT, cli, startView } from './harness.ts';
import { OUT, selectedStep, shot, test, text, waitForTrace, watch } from './page.ts';

function b64url(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function linkHash(source: string, variant: string, path: string, prop?: string): string {
  const p = new URLSearchParams();
  p.set('variant', variant);
  p.set('path', path);
  if (prop) p.set('prop', prop);
  p.set('src', b64url(deflateRawSync(Buffer.from(source))));
  return p.toString();
}

async function hrefs(p: Page, sel: string): Promise<string[]> {
  return p.locator(sel).evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
}

test('F08 rfc-v7 refcount from the CLI: ep->refcount of E explained, RFC v7 labels, pinned links, CPU0/CPU1 text', async ({ page, view }) => {
  const t = readTrace(FIX.f08refcount);
  const json = JSON.stringify(t);
  const p = await page();
  await p.goto(view.url);
  await p.setInputFiles('#file-input', { name: 'f08.json', mimeType: 'application/json', buffer: Buffer.from(json) });
  await waitForTrace(p, t.steps.length);
  const ex = await text(p, '#explain');
  assert.match(ex, /ep->refcount dropped to zero while still needed/);
  assert.match(ex, /struct eventpoll E: ep->refcount 0/);
  assert.match(ex, /An eventpoll's refcount counts its epoll file and every epitem/);
  assert.doesNotMatch(ex, /EpRefcount|f_ref must equal/, 'the file refcount rule is not this violation');
  const page1 = await text(p, 'body');
  assert.doesNotMatch(page1, /RFC v4/, 'rfc-v7 steps are labelled with their own revision');
  assert.match(await text(p, 'table.lanes'), /RFC v7/);
  for (const href of await hrefs(p, 'table.lanes a.src, #explain a.src')) {
    assert.doesNotMatch(href, /\/master\//);
    assert.match(
      href,
      /^https:\/\/(lore\.kernel\.org\/all\/\?q=|elixir\.bootlin\.com\/linux\/v6\.15\/C\/ident\/|github\.com\/torvalds\/linux\/blob\/v6\.15\/)/,
    );
  }
  // The text a developer pastes: exactly what `fdrace replay --format changelog` prints for this trace.
  await p.click('#copy-changelog');
  const pre = await text(p, '#changelog-text');
  assert.equal(pre, formatChangelog(t));
  const r = cli(['replay', t.file, '--variant', t.variant, '--path', t.path, '--property', t.violation!.property, '--format', 'changelog']);
  assert.equal(r.stdout.trimEnd(), pre.trimEnd());
  assert.match(pre, /^CPU0 \(\w+\) +CPU1 \(\w+\)$/m);
  await p.locator('#changelog-text').screenshot({ path: join(OUT, 'f08-rfc-v7-refcount-changelog.png') });
  await p.click('#changelog summary');
  await p.evaluate(() => getSelection()?.removeAllRanges());
  await shot(p, 'f08-rfc-v7-refcount.png');
});

test('F08 no-uaf: the freed epitem is named at the violation step with allocated / freed / accessed steps', async ({ page, view }) => {
  const t = readTrace(FIX.f08uaf);
  const p = await page();
  await p.goto(view.url);
  await p.setInputFiles('#file-input', { name: 'uaf.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(t)) });
  await waitForTrace(p, t.steps.length);
  const mem = await text(p, '#explain .memory');
  assert.match(mem, /^Memory: epitem #\d+ \(OLD, fd 3\) of E/);
  assert.match(mem, /allocated before the trace/);
  const freed = p.locator('#explain .memory li[data-life="freed"] button');
  const freedAt = Number(((await freed.textContent()) ?? '').replace('step ', ''));
  assert.ok(freedAt > 0 && freedAt < t.violation!.step, mem);
  assert.equal(t.steps[freedAt - 1]!.function, '__ep_remove');
  assert.match(mem, new RegExp(`accessed at step ${t.violation!.step} by ${t.steps[t.violation!.step - 1]!.thread}`));
  await freed.click();
  assert.equal(await selectedStep(p), freedAt);
  await shot(p, 'f08-rfc-v7-no-uaf.png');
});

test('F04 watchers on rfc-v4: explained as the epoll cycle it is, epoll by epoll', async ({ page, view }) => {
  const t = readTrace(FIX.f04cycle);
  const p = await page();
  await p.goto(view.url);
  await p.setInputFiles('#file-input', { name: 'f04.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(t)) });
  await waitForTrace(p, t.steps.length);
  const ex = await text(p, '#explain');
  assert.match(ex, /epolls watch each other in a cycle/);
  assert.match(ex, /(\w+) watches \w+( watches \w+)* watches \1: each epoll has an epitem/);
  assert.doesNotMatch(ex, /EpollCycle|is in ep->rbr exactly when/);
});

test("a deadlock the CLI wrote shows lockdep's CPU0/CPU1 table from the trace itself", async ({ page, view }) => {
  const t = readTrace(FIX.abba);
  assert.ok(t.violation?.scenario, 'fdrace check --trace-out writes the rows');
  const p = await page();
  await p.goto(view.url);
  await p.setInputFiles('#file-input', { name: 'abba.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(t)) });
  await waitForTrace(p, t.steps.length);
  const table = p.locator('#explain .lockdep table');
  assert.deepEqual(await table.locator('thead th').allTextContents(), ['CPU0 (T1)', 'CPU1 (T2)']);
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.deepEqual(rows, [
    ['lock(A.mtx);', ''],
    ['', 'lock(B.mtx);'],
    ['lock(B.mtx);', ''],
    ['', 'lock(A.mtx);'],
  ]);
  await shot(p, 'deadlock-abba-lockdep.png');
  await p.click('#copy-changelog');
  assert.match(await text(p, '#changelog-text'), /\*\*\* DEADLOCK \*\*\*/);
  await p.locator('#changelog-text').screenshot({ path: join(OUT, 'deadlock-abba-changelog.png') });
});

test('50,000 steps: opens in < 1 s, steps in < 16 ms, only the rows in view exist', async ({ page, view }) => {
  const small = replayJson('F18-cleanup-livelock', 'rfc-v7', '0*100');
  const p = await page();
  await p.goto(view.url);
  await p.waitForSelector('#landing:not([hidden])');
  await p.evaluate('window.__name = (f) => f');
  const m = await p.evaluate(async (t) => {
    // 50,000 steps cycling through the real trace's steps (states shared by reference, as in memory).
    const steps = Array.from({ length: 50_000 }, (_, i) => ({ ...t.steps[i % t.steps.length]!, step: i + 1 }));
    const big = { ...t, steps, path: '', violation: { ...t.violation!, step: 49_990 } };
    const api = (window as unknown as { fdrace: { open(x: unknown): Promise<void> } }).fdrace;
    const t0 = performance.now();
    await api.open(big);
    document.querySelector('tr[aria-current="step"]')!.getBoundingClientRect();
    const open = performance.now() - t0;
    const lanes = document.querySelector<HTMLElement>('.lanes-wrap')!;
    lanes.focus();
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const s0 = performance.now();
      lanes.dispatchEvent(new KeyboardEvent('keydown', { key: i < 30 ? 'k' : 'j', bubbles: true }));
      document.querySelector('tr[aria-current="step"]')!.getBoundingClientRect();
      document.getElementById('state-body')!.getBoundingClientRect();
      times.push(performance.now() - s0);
    }
    const jumpT0 = performance.now();
    lanes.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    document.querySelector('tr[aria-current="step"]')!.getBoundingClientRect();
    const jump = performance.now() - jumpT0;
    times.sort((a, b) => a - b);
    return {
      openMs: open,
      stepMeanMs: times.reduce((a, b) => a + b, 0) / times.length,
      stepMedianMs: times[times.length >> 1]!,
      stepMaxMs: times[times.length - 1]!,
      jumpHomeMs: jump,
      rows: document.querySelectorAll('table.lanes tr[data-step]').length,
      selected: document.querySelector('tr[aria-current="step"]')?.getAttribute('data-step'),
    };
  }, small);
  writeFileSync(join(OUT, 'perf-50k.json'), `${JSON.stringify(m, null, 1)}\n`);
  console.log(
    `      50k steps: open ${m.openMs.toFixed(0)} ms; step mean ${m.stepMeanMs.toFixed(1)} ms, median ${m.stepMedianMs.toFixed(1)} ms, max ${m.stepMaxMs.toFixed(1)} ms; Home ${m.jumpHomeMs.toFixed(1)} ms; ${m.rows} rows in the DOM`,
  );
  assert.equal(await text(p, '#fact-steps'), '50000');
  assert.equal(m.selected, '0');
  assert.ok(m.rows < 300, `${m.rows} rows in the DOM`);
  // The targets (1 s, 16 ms) are for an idle machine; with more runnable tasks than cores (other test runs) the
  // same code is slower by the overload, so the bounds are scaled by it and reported.
  const overload = Math.max(1, loadavg()[0]! / cpus().length);
  console.log(
    `      load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores: bounds ${(1000 * overload).toFixed(0)} ms open, ${(16 * overload).toFixed(1)} ms a step`,
  );
  assert.ok(m.openMs < 1000 * overload, `open took ${m.openMs} ms`);
  assert.ok(m.stepMedianMs < 16 * overload, `a step took ${m.stepMedianMs} ms (median)`);
  // Scrolling far renders the rows there.
  await p.evaluate(() => {
    const w = document.querySelector<HTMLElement>('.lanes-wrap')!;
    w.scrollTop = w.scrollHeight / 2;
  });
  await p.waitForFunction(() => [...document.querySelectorAll('table.lanes tr[data-step]')].some((r) => Number(r.getAttribute('data-step')) > 20_000));
});

test('links: a 1,000,000-step path is refused by the step cap at once; a long one replays in the worker with progress', async ({ page, view }) => {
  const src = readTrace(FIX.f01).source;
  const f18 = replayJson('F18-cleanup-livelock', 'rfc-v7', '0*30');
  const p = await page();
  await p.goto(`${view.url}#${linkHash(f18.source, 'rfc-v7', '0*500000.0*500000')}`);
  await p.waitForFunction(() => /at most 50,000/.test(document.getElementById('message')?.textContent ?? ''), null, { timeout: 30_000 });
  assert.match(await text(p, '#message'), /the link's path has 1,000,000 steps; the viewer replays at most 50,000/);
  // A 6,000-step path: the replay runs in the worker — the page answers while it runs, and shows progress.
  await p.goto(`${view.url}#${linkHash(f18.source, 'rfc-v7', '0*6000')}`);
  await p.waitForSelector('#busy-progress:not([hidden])', { timeout: 20_000 });
  const t0 = Date.now();
  await p.evaluate(() => 1 + 1);
  assert.ok(Date.now() - t0 < 500, 'the main thread stays responsive during the replay');
  await waitForTrace(p, 6000);
  assert.match(src, /scenario/);
});

test('links that travel: --base-url and FDRACE_VIEWER_URL, and a link that carries the whole trace', async ({ page, browser, view }) => {
  const other = await startView(FIX.f16, ['--base-url', 'https://example.org/fdrace/']);
  const env = await startView(FIX.f16, [], { FDRACE_VIEWER_URL: 'https://mirror.example.net/viewer/index.html' });
  try {
    const p = await page();
    await p.goto(`${other.url}?trace=/trace.json`);
    await waitForTrace(p, readTrace(FIX.f16).steps.length);
    // A ?trace= page has no share link of its own (its source is the server's file); the trace link travels.
    await p.click('#copy-trace-link');
    await p.waitForFunction(() => (document.getElementById('share-link') as HTMLInputElement).value.includes('#trace='));
    const link = await p.inputValue('#share-link');
    assert.ok(link.startsWith('https://example.org/fdrace/#trace='), link);
    const q = await page();
    await q.goto(`${env.url}?trace=/trace.json`);
    await waitForTrace(q, readTrace(FIX.f16).steps.length);
    await q.click('#copy-trace-link');
    await q.waitForFunction(() => (document.getElementById('share-link') as HTMLInputElement).value.includes('#trace='));
    assert.ok((await q.inputValue('#share-link')).startsWith('https://mirror.example.net/viewer/index.html#trace='));
    // The trace link opens anywhere the site is served, without a replay: same facts, same step.
    const ctx = await browser.newContext();
    try {
      const r = await ctx.newPage();
      const errors = watch(r);
      await r.goto(`${other.url}#${link.split('#')[1]}`);
      await waitForTrace(r, readTrace(FIX.f16).steps.length);
      assert.equal(await text(r, '.facts'), await text(p, '.facts'));
      assert.equal(await selectedStep(r), await selectedStep(p));
      assert.deepEqual(errors, []);
    } finally {
      await ctx.close();
    }
  } finally {
    await other.stop();
    await env.stop();
  }
  // A trace link is as hostile as any input: damaged, inflating past the trace limit, or not a trace.
  const h = await page();
  for (const [hash, msg] of [
    ['trace=%25%25%25', /the link is damaged/],
    [`trace=${b64url(deflateRawSync(Buffer.alloc(70 * 1024 * 1024, 32)))}`, /the link's trace expands to more than/],
    [
      `trace=${b64url(deflateRawSync(Buffer.from('{"format":2}')))}`,
      /the link's trace is not a valid trace at 1:11: format: unsupported trace format 2 \(this viewer reads format 1, written by fdrace check --trace-out\)/,
    ],
    [`trace=x&variant=v6.2&path=0&src=x`, /both a trace and a path/],
  ] as const) {
    await h.goto(`${view.url}#${hash}`);
    await h.waitForFunction(() => (document.getElementById('message')?.textContent ?? '') !== '', null, { timeout: 30_000 });
    assert.match(await text(h, '#message'), msg);
    await h.goto('about:blank');
  }
  const bad = cli(['view', FIX.f16, '--base-url', 'javascript:alert(1)', '--no-open', '--port', '0']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--base-url: must be an http\(s\) URL/);
});

test('the built site works from file:// (no server, not cross-origin isolated): a link replays in the inlined worker', async ({ browser }) => {
  const t = readTrace(FIX.f01);
  const ctx = await browser.newContext();
  try {
    const p = await ctx.newPage();
    const errors = watch(p);
    await p.goto(`file://${join(ROOT, 'web/dist/index.html')}#${linkHash(t.source, t.variant, t.path, t.violation!.property)}`);
    await waitForTrace(p, t.steps.length);
    assert.equal(await p.evaluate(() => crossOriginIsolated), false);
    assert.equal(await text(p, '#fact-path'), t.path);
    assert.match(await p.inputValue('#share-link'), /^file:\/\/.*index\.html#variant=/);
    // The playground's checker runs there too.
    await p.click('#tab-playground');
    await p.selectOption('#pg-example', { index: 1 });
    await p.click('#pg-run');
    await p.waitForFunction(() => /^Done:/.test(document.getElementById('pg-progress')?.textContent ?? ''), null, { timeout: 60_000 });
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('phone (390 px): no sideways page, state panel below the lanes, the selected row and its active lane in view', async ({ browser, view }) => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  try {
    const p = await ctx.newPage();
    const errors = watch(p);
    const t = readTrace(FIX.abba);
    await p.goto(view.url);
    await p.setInputFiles('#file-input', { name: 'abba.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(t)) });
    await waitForTrace(p, t.steps.length);
    await p.evaluate('window.__name = (f) => f');
    await p.waitForTimeout(200);
    const g = await p.evaluate(() => {
      const r = (s: string) => document.querySelector(s)!.getBoundingClientRect();
      const wrap = r('.lanes-wrap');
      const row = r('tr[aria-current="step"]');
      const cell = document.querySelector('tr[aria-current="step"] td.active')!.getBoundingClientRect();
      return {
        pageWidth: document.documentElement.scrollWidth,
        lanesBottom: wrap.bottom,
        stateTop: r('#state').top,
        rowInView: row.top >= wrap.top && row.bottom <= wrap.bottom + 1,
        cellInView: cell.left >= wrap.left - 1 && cell.right <= wrap.right + 1,
      };
    });
    assert.ok(g.pageWidth <= 390, `the page is ${g.pageWidth} px wide`);
    assert.ok(g.stateTop >= g.lanesBottom, 'the state panel comes below the lanes');
    assert.ok(g.rowInView, 'the selected row is in the lanes box');
    assert.ok(g.cellInView, 'the active lane is scrolled into view');
    // Select a step of the last thread: its lane comes into view.
    const lastThread = t.threads[t.threads.length - 1]!.name;
    const s = t.steps.find((x) => x.thread === lastThread)!.step;
    await p.evaluate((n) => (location.hash = `step=${n}`), s);
    await p.waitForFunction((n) => document.querySelector('tr[aria-current="step"]')?.getAttribute('data-step') === String(n), s);
    const inView = await p.evaluate(() => {
      const wrap = document.querySelector('.lanes-wrap')!.getBoundingClientRect();
      const cell = document.querySelector('tr[aria-current="step"] td.active')!.getBoundingClientRect();
      return cell.left >= wrap.left - 1 && cell.right <= wrap.right + 1;
    });
    assert.ok(inView, 'the moving lane is scrolled into view');
    await p.screenshot({ path: join(OUT, 'phone-390-deadlock.png') });
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

/** Every text on the page against its effective background: [ratio, text, colour, background] below 4.5. */
async function lowContrast(p: Page): Promise<string[]> {
  await p.evaluate('window.__name = (f) => f');
  return p.evaluate(() => {
    const parse = (c: string): number[] => {
      const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [m[0]!, m[1]!, m[2]!, m.length > 3 ? m[3]! : 1];
    };
    const over = (top: number[], under: number[]): number[] => {
      const a = top[3]!;
      return [0, 1, 2].map((i) => top[i]! * a + under[i]! * (1 - a)).concat(1);
    };
    const bgOf = (el: Element | null): number[] => {
      const chain: number[][] = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3]! > 0) chain.push(c);
        if (c[3] === 1) break;
      }
      let acc = matchMedia('(prefers-color-scheme: dark)').matches ? [18, 18, 18, 1] : [255, 255, 255, 1];
      for (const c of chain.reverse()) acc = over(c, acc);
      return acc;
    };
    const lum = (c: number[]): number => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(c[0]!) + 0.7152 * f(c[1]!) + 0.0722 * f(c[2]!);
    };
    const bad: string[] = [];
    const seen = new Set<string>();
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim() !== '');
      if (!own) continue;
      const box = (el as HTMLElement).getBoundingClientRect?.();
      if (!box || box.width === 0 || box.height === 0) continue;
      if (el.closest('[hidden], button:disabled, [aria-hidden="true"]')) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden') continue;
      const isSvg = el instanceof SVGElement;
      const fg = parse(isSvg ? cs.fill : cs.color);
      const bg = bgOf(isSvg ? el.closest('div, section, li, td') : el);
      const fgc = over(fg, bg);
      const [a, b] = [lum(fgc), lum(bg)].sort((x, y) => y - x);
      const ratio = (a! + 0.05) / (b! + 0.05);
      const key = `${fgc.slice(0, 3).map(Math.round).join(',')} on ${bg.slice(0, 3).map(Math.round).join(',')}`;
      if (ratio < 4.5 && !seen.has(key)) {
        seen.add(key);
        bad.push(`${ratio.toFixed(2)}: "${el.textContent!.trim().slice(0, 30)}" (${el.tagName.toLowerCase()}.${el.className}) ${key}`);
      }
    }
    return bad;
  });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`${scheme} mode: every text has contrast ≥ 4.5:1 (trace, deadlock, playground)`, async ({ browser, view }) => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
    try {
      const p = await ctx.newPage();
      const errors = watch(p);
      await p.goto(view.url);
      const bg = await p.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      if (scheme === 'dark') assert.equal(bg, 'rgb(22, 24, 27)', 'dark mode follows prefers-color-scheme');
      else assert.equal(bg, 'rgb(251, 251, 250)');
      const bad: string[] = [];
      for (const f of [FIX.f08refcount, FIX.abba, FIX.f01]) {
        const t = readTrace(f);
        await p.setInputFiles('#file-input', { name: 't.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(t)) });
        await waitForTrace(p, t.steps.length);
        await p.click('#changelog summary');
        // The selected row, a changed cell and a hovered row are all on screen at the violation step.
        await p.hover('table.lanes tbody tr[data-step]:not([aria-current])');
        bad.push(...(await lowContrast(p)));
      }
      await p.click('#tab-playground');
      await p.selectOption('#pg-example', { index: 1 });
      bad.push(...(await lowContrast(p)));
      await p.screenshot({ path: join(OUT, `contrast-${scheme}.png`) });
      assert.deepEqual([...new Set(bad)], [], 'colour pairs below 4.5:1');
      assert.deepEqual(errors, []);
    } finally {
      await ctx.close();
    }
  });
}

test('fdrace view: CSP with frame-ancestors and X-Frame-Options as headers; a foreign Host is refused', async ({ view }) => {
  const u = new URL(view.url);
  const get = (host: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> =>
    new Promise((resolve, reject) => {
      const req = request({ hostname: u.hostname, port: u.port, path: '/', headers: { Host: host } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
      req.on('error', reject);
      req.end();
    });
  const ok = await get(u.host);
  assert.equal(ok.status, 200);
  assert.match(String(ok.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.match(String(ok.headers['content-security-policy']), /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(ok.headers['x-frame-options'], 'DENY');
  assert.equal((await get(`localhost:${u.port}`)).status, 200);
  const evil = await get('attacker.example:80');
  assert.equal(evil.status, 421);
  assert.equal((await get(`127.0.0.1:${Number(u.port) + 1}`)).status, 421);
});

test('the page cannot be framed by another origin', async ({ page, view }) => {
  const p = await page();
  const frameErrors: string[] = [];
  p.on('console', (m) => frameErrors.push(m.text()));
  await p.goto('about:blank');
  await p.setContent(`<iframe id="f" src="${view.url}"></iframe>`);
  await p.waitForTimeout(1500);
  const framed = p.frames().find((f) => f.url().startsWith(view.url));
  const loaded = framed ? await framed.evaluate(() => document.getElementById('landing') !== null).catch(() => false) : false;
  assert.equal(loaded, false, 'the viewer must not render inside a frame');
});

test('watch expressions: a scenario-language predicate evaluated at every step', async ({ page, view }) => {
  const t = readTrace(FIX.f01);
  const flip = stepWhere(t, 'P.fd[4]: OLD -> NEW');
  const p = await page();
  await p.goto(`${view.url}?trace=/trace.json#step=0`);
  await waitForTrace(p, t.steps.length);
  await p.fill('#watch-input', 'P.fd[4] == OLD');
  await p.press('#watch-input', 'Enter');
  const row = p.locator('#watch-list li[data-watch="P.fd[4] == OLD"]');
  await row.waitFor();
  assert.equal(await row.locator('.watch-value').textContent(), 'true');
  assert.match((await row.textContent()) ?? '', new RegExp(`true from step 0; false from step ${flip}`));
  await row.locator(`button[aria-label^="Go to step ${flip}"]`).click();
  assert.equal(await selectedStep(p), flip);
  assert.equal(await row.locator('.watch-value').textContent(), 'false');
  // A malformed expression is a located message, not a watch.
  await p.fill('#watch-input', 'P.fd[4] ==');
  await p.press('#watch-input', 'Enter');
  await p.waitForFunction(() => /column \d+/.test(document.getElementById('watch-status')?.textContent ?? ''));
  assert.equal(await p.locator('#watch-list li').count(), 1);
});

test('explore from here: the trace prefix is fixed and every continuation is searched', async ({ page, view }) => {
  const t = readTrace(FIX.f01);
  const p = await page();
  await p.goto(`${view.url}?trace=/trace.json#step=2`);
  await waitForTrace(p, t.steps.length);
  await p.click('#explore-here');
  await p.waitForSelector('#pg-explore:not([hidden])');
  const prefix = await text(p, '#pg-explore-prefix');
  assert.match(prefix, /^0\.0$/);
  await p.click('#pg-explore-run');
  await p.waitForFunction(() => /every continuation explored|stopped/.test(document.getElementById('pg-explore-status')?.textContent ?? ''), null, {
    timeout: 60_000,
  });
  assert.match(await text(p, '#pg-explore-status'), /every continuation explored/);
  const props = await p.locator('#pg-explore-results li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-property')));
  assert.ok(props.includes(t.violation!.property), props.join());
  await p.click(`#pg-explore-results li[data-property="${t.violation!.property}"] button`);
  await p.waitForSelector('#viewer:not([hidden])');
  await p.waitForFunction(() => (document.getElementById('fact-path')?.textContent ?? '').startsWith('0.0'));
  assert.match(await text(p, '#fact-result'), new RegExp(t.violation!.property));
});
