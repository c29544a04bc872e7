// The memory finding of a trace (no-uaf, free-while-locked) as the kernel would print it: KASAN's "BUG: KASAN:
// slab-use-after-free in ...", or lockdep's "WARNING: held lock freed!", with the access, allocation and free steps
// as buttons. The field is optional in Trace JSON format 1: traces without it validate and render as before.

// No DOM at import time: validate.ts (also run by the CLI's `fdrace view`) imports the validator from here.

import type { MemoryReport } from '../../checker/trace/types.ts';

type Jump = (step: number) => void;
type Fail = (at: string, what: string) => never;
let bad: Fail = (at, what) => {
  throw new Error(`${at}: ${what}`);
};

function h(tag: string, attrs: Record<string, string> | null, ...children: (Node | string | null)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== '') el.append(c);
  return el;
}

const ACCESS = ['read', 'write', 'lock', 'unlock', 'double-free', 'invalid-free'];

function s(x: unknown, at: string, max = 2000): string {
  if (typeof x !== 'string' || x.length > max) bad(at, 'expected a string');
  return x;
}
function n(x: unknown, at: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 1_000_000) bad(at, 'expected a whole number');
  return x;
}
function chain(x: unknown, at: string): string[] {
  if (!Array.isArray(x) || x.length > 64) bad(at, 'expected a list of functions');
  return x.map((f, i) => s(f, `${at}[${i}]`, 200));
}
function rec(x: unknown, at: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) bad(at, 'expected an object');
  return x as Record<string, unknown>;
}

/** Validate a violation's `memory` field (only the declared keys are copied). */
export function validateMemoryReport(x: unknown, at: string, fail: Fail): MemoryReport {
  bad = fail;
  const r = rec(x, at);
  const tool = r.tool === 'KASAN' || r.tool === 'lockdep' ? r.tool : bad(`${at}.tool`, 'expected KASAN or lockdep');
  const bug = s(r.bug, `${at}.bug`, 40);
  if (!['slab-use-after-free', 'double-free', 'invalid-free', 'held-lock-freed'].includes(bug)) bad(`${at}.bug`, 'unknown bug kind');
  const access = r.access === null ? null : ACCESS.includes(r.access as string) ? (r.access as MemoryReport['access']) : bad(`${at}.access`, 'unknown access');
  const o = rec(r.object, `${at}.object`);
  const al = rec(r.allocated, `${at}.allocated`);
  const fr = r.freed === null ? null : rec(r.freed, `${at}.freed`);
  const lk = r.lock === null ? null : rec(r.lock, `${at}.lock`);
  if (!Array.isArray(r.text) || r.text.length > 200) bad(`${at}.text`, 'expected lines of text');
  return {
    tool,
    title: s(r.title, `${at}.title`),
    bug: bug as MemoryReport['bug'],
    access,
    size: r.size === null ? null : n(r.size, `${at}.size`),
    function: s(r.function, `${at}.function`, 200),
    source: s(r.source, `${at}.source`, 200),
    object: {
      type: s(o.type, `${at}.object.type`, 200),
      name: s(o.name, `${at}.object.name`, 200),
      description: s(o.description, `${at}.object.description`),
      field: o.field === null ? null : s(o.field, `${at}.object.field`, 200),
      cache: s(o.cache, `${at}.object.cache`, 200),
    },
    task: s(r.task, `${at}.task`, 200),
    step: n(r.step, `${at}.step`),
    allocated: { task: al.task === null ? null : s(al.task, `${at}.allocated.task`, 200), step: n(al.step, `${at}.allocated.step`), chain: chain(al.chain, `${at}.allocated.chain`) },
    freed: fr ? { task: s(fr.task, `${at}.freed.task`, 200), step: n(fr.step, `${at}.freed.step`), chain: chain(fr.chain, `${at}.freed.chain`) } : null,
    lock: lk ? { name: s(lk.name, `${at}.lock.name`, 200), holder: s(lk.holder, `${at}.lock.holder`, 200), since: lk.since === null ? null : n(lk.since, `${at}.lock.since`) } : null,
    text: r.text.map((l, i) => s(l, `${at}.text[${i}]`)),
  };
}

function go(step: number, jump: Jump, label: string): HTMLElement {
  const b = h('button', { type: 'button', class: 'step-link' }, label);
  b.addEventListener('click', () => jump(step));
  return b;
}

/** The report: headline, the three moments (access / allocation / free) as jumps, and the kernel-shaped text. */
export function memoryReportView(m: MemoryReport, jump: Jump): HTMLElement {
  const moments: (HTMLElement | string)[] = [];
  if (m.tool === 'KASAN') {
    moments.push(h('li', null, `${m.access ?? 'access'}${m.size ? ` of size ${m.size}` : ''} of ${m.object.description}${m.object.field ? ` (${m.object.field})` : ''} by ${m.task} `, go(m.step, jump, `step ${m.step}`)));
  } else if (m.lock) {
    moments.push(h('li', null, `${m.lock.name} held by ${m.lock.holder}`, m.lock.since ? go(m.lock.since, jump, `since step ${m.lock.since}`) : ''));
  }
  moments.push(h('li', null, m.allocated.step === 0 ? 'allocated before the scenario started' : `allocated by ${m.allocated.task} `, m.allocated.step ? go(m.allocated.step, jump, `step ${m.allocated.step}`) : ''));
  if (m.freed) moments.push(h('li', null, `freed by ${m.freed.task} in ${m.freed.chain.join(' <- ')} `, go(m.freed.step, jump, `step ${m.freed.step}`)));
  return h(
    'div',
    { class: 'memory-report' },
    h('h3', null, m.title),
    h('ul', null, ...moments),
    h('details', { open: '' }, h('summary', null, `${m.tool} report`), h('pre', { class: 'splat-text' }, m.text.join('\n'))),
  );
}
