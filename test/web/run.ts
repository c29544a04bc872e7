// Browser tests of the viewer: build web/ with Vite, serve it with the real `fdrace view`, drive Debian's chromium
// through playwright-core, and check what a user sees — on counterexamples the real CLI writes, links that
// re-derive them by replay, the playground running the real checker in a worker, and hostile input.
// Run: npm run build && npm run test:web. Screenshots go to test-output/web/.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { FIX, TMP, makeFixtures } from './fixtures.ts';
import { CHROMIUM, ROOT, startView } from './harness.ts';
import { OUT, cases, watch } from './page.ts';
import './viewer.cases.ts';
import './playground.cases.ts';
import './hostile.cases.ts';
import './mail.cases.ts';

async function main(): Promise<number> {
  // Stale failure screenshots from an earlier run would mislead.
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  if (!existsSync(join(ROOT, 'build/fdrace.wasm'))) throw new Error('build/fdrace.wasm is missing: run `npm run build` first');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  console.log('building web/ (vite build)...');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  console.log('generating traces with the CLI...');
  makeFixtures();
  const view = await startView(FIX.f01);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  let failed = 0;
  let ran = 0;
  try {
    // FDRACE_WEB_ONLY=REGEX runs only the cases whose name matches (while working on one area).
    const only = process.env.FDRACE_WEB_ONLY ? new RegExp(process.env.FDRACE_WEB_ONLY) : null;
    for (const c of cases) {
      if (only && !only.test(c.name)) continue;
      ran++;
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const errors: string[] = [];
      const t0 = performance.now();
      try {
        await c.fn({
          browser,
          view,
          page: async () => {
            const p = await context.newPage();
            watch(p, errors);
            return p;
          },
        });
        assert.deepEqual(errors, [], 'the page logged errors');
        console.log(`ok    ${c.name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        console.log(`FAIL  ${c.name}\n${String((e as Error).stack ?? e).replace(/^/gm, '      ')}`);
        const p = context.pages()[0];
        if (p) await p.screenshot({ path: join(OUT, `failed-${cases.indexOf(c)}.png`) }).catch(() => undefined);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await view.stop();
    rmSync(TMP, { recursive: true, force: true });
  }
  console.log(`\n${ran - failed} passed, ${failed} failed${ran < cases.length ? ` (${cases.length - ran} not selected)` : ''}; screenshots in ${OUT}`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`test:web: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
