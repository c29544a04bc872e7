// Validation of a trace violation's `memory` field (KASAN / lockdep report, checker/trace/memory.ts). It lives with
// the trace schema (checker/trace/validate.ts) because the CLI's `fdrace view` validates files before serving them.

import type { MemoryReport } from './types.ts';

type Fail = (at: string, what: string) => never;
let bad: Fail = (at, what) => {
  throw new Error(`${at}: ${what}`);
};

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
    allocated: {
      task: al.task === null ? null : s(al.task, `${at}.allocated.task`, 200),
      step: n(al.step, `${at}.allocated.step`),
      chain: chain(al.chain, `${at}.allocated.chain`),
    },
    freed: fr ? { task: s(fr.task, `${at}.freed.task`, 200), step: n(fr.step, `${at}.freed.step`), chain: chain(fr.chain, `${at}.freed.chain`) } : null,
    lock: lk
      ? {
          name: s(lk.name, `${at}.lock.name`, 200),
          holder: s(lk.holder, `${at}.lock.holder`, 200),
          since: lk.since === null ? null : n(lk.since, `${at}.lock.since`),
        }
      : null,
    text: r.text.map((l, i) => s(l, `${at}.text[${i}]`)),
  };
}
