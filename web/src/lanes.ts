// Swim lanes: one column per thread, grouped under its process, one row per step (ShiViz's time-flows-down, iSpin's
// MSC). The moving thread's cell shows the syscall, the kernel function with a link to its file in the kernel tree,
// the line it models and what it changed; the other lanes show who is blocked on what at that moment.

import type { DecodedState } from '../../checker/trace/types.ts';
import { h, sourceLink } from './dom.ts';
import type { ViewTrace } from './validate.ts';

export interface Lanes {
  element: HTMLElement;
  select(step: number): void;
}

function groups(trace: ViewTrace): { process: string; threads: number[] }[] {
  const out: { process: string; threads: number[] }[] = [];
  trace.threads.forEach((t, i) => {
    const g = out.find((x) => x.process === t.process);
    if (g) g.threads.push(i);
    else out.push({ process: t.process, threads: [i] });
  });
  return out;
}

function idleCell(state: DecodedState, thread: string): HTMLTableCellElement {
  const th = state.threads.find((t) => t.name === thread);
  if (th?.status === 'blocked') {
    return h('td', { class: 'lane idle blocked' }, h('span', { class: 'wait' }, `waits for ${th.waitingFor ?? '?'}`));
  }
  return h('td', { class: `lane idle${th?.status === 'done' ? ' done' : ''}` });
}

/** Scroll only the lanes' own box (scrollIntoView would also scroll the page away from the header). */
function reveal(wrap: HTMLElement, row: HTMLElement, head: number): void {
  const top = row.getBoundingClientRect().top - wrap.getBoundingClientRect().top + wrap.scrollTop;
  const bottom = top + row.offsetHeight;
  if (top - head < wrap.scrollTop) wrap.scrollTop = top - head;
  else if (bottom > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = bottom - wrap.clientHeight;
}

export function renderLanes(trace: ViewTrace, onSelect: (step: number) => void): Lanes {
  const gs = groups(trace);
  const order = gs.flatMap((g) => g.threads);
  const head1 = h('tr', null, h('th', { rowspan: 2, scope: 'col', class: 'stepno' }, 'step'));
  for (const g of gs) head1.append(h('th', { colspan: g.threads.length, scope: 'colgroup', class: 'proc' }, `process ${g.process}`));
  const head2 = h('tr', null);
  for (const i of order) head2.append(h('th', { scope: 'col', class: 'thread' }, trace.threads[i]!.name));

  const rows: HTMLTableRowElement[] = [];
  const initial = h(
    'tr',
    { 'data-step': 0, class: 'initial' },
    h('th', { scope: 'row', class: 'stepno' }, '0'),
    h('td', { colspan: order.length, class: 'lane' }, 'initial state'),
  );
  rows.push(initial);
  const violationStep = trace.violation?.step ?? -1;
  const lastOp = new Map<number, string>();
  for (const s of trace.steps) {
    const tr = h('tr', { 'data-step': s.step, class: s.step === violationStep ? 'violation-row' : null });
    tr.append(h('th', { scope: 'row', class: 'stepno' }, String(s.step), s.step === violationStep ? h('span', { class: 'mark', title: 'violation' }, ' ⚠') : null));
    for (const i of order) {
      if (i !== s.threadIndex) {
        tr.append(idleCell(s.state, trace.threads[i]!.name));
        continue;
      }
      const newOp = lastOp.get(i) !== s.op;
      const cell = h(
        'td',
        { class: `lane active${s.fault ? ' fault' : ''}` },
        h('div', { class: `op${newOp ? ' first' : ''}` }, s.op),
        h('div', { class: 'fn' }, h('code', null, s.function), ' ', sourceLink(s.source, -1)),
        h('div', { class: 'text' }, s.text),
        s.fault ? h('div', { class: 'badge' }, 'allocation fails (injected)') : null,
      );
      if (s.changes.length > 0) cell.append(h('ul', { class: 'changes' }, ...s.changes.map((c) => h('li', null, c))));
      tr.append(cell);
      lastOp.set(i, s.op);
    }
    rows.push(tr);
  }

  const table = h(
    'table',
    { class: 'lanes', 'aria-label': 'Steps by thread (swim lanes)' },
    h('thead', null, head1, head2),
    h('tbody', null, ...rows),
  );
  table.addEventListener('click', (ev) => {
    const t = ev.target as Element;
    if (t.closest('a')) return;
    const row = t.closest('tr[data-step]');
    if (row) onSelect(Number(row.getAttribute('data-step')));
  });
  const wrap = h('div', { class: 'lanes-wrap', tabindex: 0, 'aria-label': 'Trace steps: j/k or arrow keys move, Home/End, v jumps to the violation' }, table);
  let current = -1;
  return {
    element: wrap,
    select(step: number) {
      if (current >= 0) {
        const old = rows[current];
        old?.classList.remove('selected');
        old?.removeAttribute('aria-current');
        old?.querySelectorAll('a').forEach((a) => a.setAttribute('tabindex', '-1'));
      }
      const row = rows[step];
      if (!row) return;
      // Roving tab stop: only the selected step's source link is in the Tab order, so Tab does not have to walk
      // through every step's link to get past the lanes.
      row.querySelectorAll('a').forEach((a) => a.removeAttribute('tabindex'));
      row.classList.add('selected');
      row.setAttribute('aria-current', 'step');
      current = step;
      reveal(wrap, row, table.tHead?.offsetHeight ?? 0);
    },
  };
}
