// The memory finding of a trace (no-uaf, free-while-locked) as the kernel would print it: KASAN's "BUG: KASAN:
// slab-use-after-free in ...", or lockdep's "WARNING: held lock freed!", with the access, allocation and free steps
// as buttons. The field is optional in Trace JSON format 1: traces without it validate and render as before.

// Its validator is checker/trace/memory-validate.ts, part of the trace schema.

import type { MemoryReport } from '../../checker/trace/types.ts';

type Jump = (step: number) => void;
function h(tag: string, attrs: Record<string, string> | null, ...children: (Node | string | null)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== '') el.append(c);
  return el;
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
    moments.push(
      h(
        'li',
        null,
        `${m.access ?? 'access'}${m.size ? ` of size ${m.size}` : ''} of ${m.object.description}${m.object.field ? ` (${m.object.field})` : ''} by ${m.task} `,
        go(m.step, jump, `step ${m.step}`),
      ),
    );
  } else if (m.lock) {
    moments.push(h('li', null, `${m.lock.name} held by ${m.lock.holder}`, m.lock.since ? go(m.lock.since, jump, `since step ${m.lock.since}`) : ''));
  }
  moments.push(
    h(
      'li',
      null,
      m.allocated.step === 0 ? 'allocated before the scenario started' : `allocated by ${m.allocated.task} `,
      m.allocated.step ? go(m.allocated.step, jump, `step ${m.allocated.step}`) : '',
    ),
  );
  if (m.freed) moments.push(h('li', null, `freed by ${m.freed.task} in ${m.freed.chain.join(' <- ')} `, go(m.freed.step, jump, `step ${m.freed.step}`)));
  return h(
    'div',
    { class: 'memory-report' },
    h('h3', null, m.title),
    h('ul', null, ...moments),
    h('details', { open: '' }, h('summary', null, `${m.tool} report`), h('pre', { class: 'splat-text' }, m.text.join('\n'))),
  );
}
