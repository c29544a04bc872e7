// What the cases share: the case registry, and helpers that read the viewer's page the way a user sees it.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT, type ViewServer } from './harness.ts';

export const OUT = join(ROOT, 'test-output', 'web');

export interface Ctx {
  browser: Browser;
  view: ViewServer;
  /** A new page in this case's browser context; its errors fail the case. */
  page: () => Promise<Page>;
}

export interface Case {
  name: string;
  fn: (ctx: Ctx) => Promise<void>;
}

export const cases: Case[] = [];

export function test(name: string, fn: Case['fn']): void {
  cases.push({ name, fn });
}

export async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? '';
}

export async function selectedStep(page: Page): Promise<number> {
  return Number(await page.locator('table.lanes tr[aria-current="step"]').getAttribute('data-step'));
}

export async function hashStep(page: Page): Promise<number | null> {
  // The hash follows the selection once stepping pauses (a short debounce).
  await page.waitForTimeout(150);
  const h = new URL(page.url()).hash.slice(1);
  const s = new URLSearchParams(h).get('step');
  return s === null ? null : Number(s);
}

export async function waitForTrace(page: Page, steps: number): Promise<void> {
  await page.waitForFunction((n) => document.getElementById('fact-steps')?.textContent === String(n), steps, { timeout: 20_000 });
}

export async function uploadTrace(page: Page, name: string, content: string): Promise<void> {
  await page.setInputFiles('#file-input', { name, mimeType: 'application/json', buffer: Buffer.from(content) });
}

export async function noScriptRan(page: Page): Promise<void> {
  const r = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    imgs: document.querySelectorAll('img').length,
    inlineScripts: document.querySelectorAll('script:not([src])').length,
    jsLinks: document.querySelectorAll('a[href^="javascript"]').length,
  }));
  assert.deepEqual(r, { pwned: undefined, imgs: 0, inlineScripts: 0, jsLinks: 0 }, 'data from the trace must never become markup or run');
}

export async function shot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: join(OUT, file), fullPage: false });
}

export function watch(page: Page, errors: string[] = []): string[] {
  // tsx keeps function names with a __name() helper that page.evaluate callbacks carry into the page.
  void page.addInitScript('window.__name = (f) => f');
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A 404 for ?trace=/no-such-trace.json is the expected network log of that case, not a page error.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}
