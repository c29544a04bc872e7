// Swim lanes: one column per thread, grouped under its process, one row per step (ShiViz's time-flows-down, iSpin's
// MSC). The moving thread's cell shows the syscall, the kernel function with a link to its source at the release
// the variant models, the line it models and what it changed; the other lanes show who is blocked on what.
//
// Only the rows in view (plus a margin) exist in the DOM. The table is placed at the first rendered row's offset
// inside a canvas as tall as all rows together (each row's height estimated from its line count, then measured
// once rendered), so the scroll bar is true. No spacer rows: a table row millions of pixels tall makes every
// relayout slow. A 50,000-step trace opens and steps as fast as a 50-step one.

import type { DecodedState, TraceStep } from '../../checker/trace/types.ts';
import { h } from './dom.ts';
import { refLink, type SourceOf } from './source-ref.ts';
import type { ViewTrace } from './validate.ts';

export interface Lanes {
  element: HTMLElement;
  select(step: number): void;
  /** Rows currently in the DOM (for the tests' and the page's own checks). */
  rendered(): number;
}

const LINE = 18;
const PAD = 7;
const OVERSCAN = 20;

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
    return h('td', { class: 'lane idle blocked' }, h('div', { class: 'wait l' }, `waits for ${th.waitingFor ?? '?'}`));
  }
  return h('td', { class: `lane idle${th?.status === 'done' ? ' done' : ''}` });
}

function linesOf(s: TraceStep): number {
  return 3 + s.changes.length + (s.fault ? 1 : 0);
}

export function renderLanes(trace: ViewTrace, onSelect: (step: number) => void, src: SourceOf): Lanes {
  const gs = groups(trace);
  const order = gs.flatMap((g) => g.threads);
  const head1 = h('tr', null, h('th', { rowspan: 2, scope: 'col', class: 'stepno' }, 'step'));
  for (const g of gs) head1.append(h('th', { colspan: g.threads.length, scope: 'colgroup', class: 'proc' }, `process ${g.process}`));
  const head2 = h('tr', null);
  for (const i of order) head2.append(h('th', { scope: 'col', class: 'thread' }, trace.threads[i]!.name));

  const n = trace.steps.length;
  const violationStep = trace.violation?.step ?? -1;
  // Whether a step starts a new syscall in its lane (its op line is drawn bold), computed once.
  const first = new Uint8Array(n + 1);
  const lastOp = new Map<number, string>();
  for (const s of trace.steps) {
    if (lastOp.get(s.threadIndex) !== s.op) first[s.step] = 1;
    lastOp.set(s.threadIndex, s.op);
  }
  const heights = new Float64Array(n + 1);
  heights[0] = PAD + LINE;
  for (const s of trace.steps) heights[s.step] = PAD + LINE * linesOf(s);
  const offsets = new Float64Array(n + 2);
  const measured = new Uint8Array(n + 1);
  const sums = (from = 0): void => {
    for (let i = from; i <= n; i++) offsets[i + 1] = offsets[i]! + heights[i]!;
  };
  sums();

  function buildRow(step: number): HTMLTableRowElement {
    if (step === 0) {
      return h(
        'tr',
        { 'data-step': 0, class: 'initial' },
        h('th', { scope: 'row', class: 'stepno' }, '0'),
        h('td', { colspan: order.length, class: 'lane' }, h('div', { class: 'l' }, 'initial state')),
      );
    }
    const s = trace.steps[step - 1]!;
    const tr = h('tr', { 'data-step': step, class: step === violationStep ? 'violation-row' : null });
    tr.append(h('th', { scope: 'row', class: 'stepno' }, String(step), step === violationStep ? h('span', { class: 'mark', title: 'violation' }, ' ⚠') : null));
    for (const i of order) {
      if (i !== s.threadIndex) {
        tr.append(idleCell(s.state, trace.threads[i]!.name));
        continue;
      }
      const cell = h(
        'td',
        { class: `lane active${s.fault ? ' fault' : ''}` },
        h('div', { class: `op l${first[step] ? ' first' : ''}`, title: s.op }, s.op),
        h('div', { class: 'fn l' }, h('code', null, s.function), ' ', refLink(s, src, step === selected ? undefined : -1)),
        h('div', { class: 'text l', title: s.text }, s.text),
        s.fault ? h('div', { class: 'badge l' }, 'allocation fails (injected)') : null,
      );
      if (s.changes.length > 0) cell.append(h('ul', { class: 'changes' }, ...s.changes.map((c) => h('li', { class: 'l', title: c }, c))));
      tr.append(cell);
    }
    return tr;
  }

  const tbody = h('tbody', null);
  const table = h('table', { class: 'lanes', 'aria-label': 'Steps by thread (swim lanes)', 'aria-rowcount': n + 3 }, h('thead', null, head1, head2), tbody);
  table.addEventListener('click', (ev) => {
    const t = ev.target as Element;
    if (t.closest('a')) return;
    const row = t.closest('tr[data-step]');
    if (row) onSelect(Number(row.getAttribute('data-step')));
  });
  // Fixed layout: lanes share the width equally (whatever the rows in view hold) and a relayout never measures
  // cell contents; each lane keeps at least 180 px, the box scrolls sideways beyond that.
  table.style.minWidth = `${56 + 180 * order.length}px`;
  const canvas = h('div', { class: 'lanes-canvas' }, table);
  const wrap = h('div', { class: 'lanes-wrap', tabindex: 0, 'aria-label': 'Trace steps: j/k or arrow keys move, Home/End, v jumps to the violation' }, canvas);
  const place = (): void => {
    canvas.style.height = `${offsets[n + 1]! + headHeight()}px`;
    table.style.top = `${offsets[from]!}px`;
  };
  canvas.style.height = `${offsets[n + 1]! + 60}px`;
  const live = new Map<number, HTMLTableRowElement>();
  let from = 0;
  let to = -1;
  let selected = -1;

  /** First step whose row ends below y. */
  function stepAt(y: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (offsets[mid + 1]! <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // Read once it is laid out (every read of a layout property after a DOM change costs a full relayout).
  let headH = 0;
  function headHeight(): number {
    if (headH === 0) headH = table.tHead?.offsetHeight ?? 0;
    return headH;
  }

  let scrollY = 0;
  let viewH = 0;

  function render(): void {
    const y = Math.max(0, scrollY - headHeight());
    let a = Math.max(0, stepAt(y) - OVERSCAN);
    let b = Math.min(n, stepAt(y + (wrap.clientHeight || 800)) + OVERSCAN);
    // The selected row stays in the DOM when it is near the window (it carries aria-current and the tab stop).
    if (selected >= 0 && selected < a && a - selected < 4 * OVERSCAN) a = selected;
    if (selected > b && selected - b < 4 * OVERSCAN) b = selected;
    if (a === from && b === to) return;
    for (const [k, row] of live) {
      if (k < a || k > b) {
        row.remove();
        live.delete(k);
      }
    }
    let before: Element | null = null;
    for (let k = b; k >= a; k--) {
      let row = live.get(k);
      if (!row) {
        row = buildRow(k);
        if (k === selected) markSelected(row, true);
        live.set(k, row);
        tbody.insertBefore(row, before);
      }
      before = row;
    }
    from = a;
    to = b;
    table.style.top = `${offsets[a]!}px`;
    scheduleMeasure();
  }

  // Measured heights replace the estimates after the frame is laid out anyway, so stepping never forces an extra
  // layout just to measure; the canvas and the table's place follow.
  let measuring = false;
  let follow = false;
  let wide = false;
  function scheduleMeasure(): void {
    if (measuring) return;
    measuring = true;
    requestAnimationFrame(() => {
      measuring = false;
      let changed = n + 1;
      for (const [k, row] of live) {
        if (measured[k]) continue;
        const m = row.offsetHeight;
        if (m <= 0) continue;
        measured[k] = 1;
        if (m !== heights[k]) {
          heights[k] = m;
          changed = Math.min(changed, k);
        }
      }
      if (changed <= n) sums(changed);
      const was = wide;
      wide = wrap.scrollWidth > wrap.clientWidth;
      viewH = wrap.clientHeight;
      scrollY = wrap.scrollTop;
      place();
      if (wide && !was && selected >= 0) revealX(selected);
      // Measured rows may be taller than estimated: keep a freshly selected row in view.
      if (follow && selected >= 0) {
        follow = false;
        reveal(selected);
      }
    });
  }

  let pending = false;
  wrap.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      scrollY = wrap.scrollTop;
      render();
    });
  });

  function markSelected(row: HTMLTableRowElement, on: boolean): void {
    row.classList.toggle('selected', on);
    if (on) row.setAttribute('aria-current', 'step');
    else row.removeAttribute('aria-current');
    // Roving tab stop: only the selected step's source link is in the Tab order.
    row.querySelectorAll('a').forEach((a) => (on ? a.removeAttribute('tabindex') : a.setAttribute('tabindex', '-1')));
  }

  /** Scroll only the lanes' own box so the row and its active cell are in view (vertically and, on a phone,
   *  horizontally). */
  function reveal(step: number): void {
    const head = headHeight();
    const rowTop = offsets[step]! + head;
    const rowBottom = offsets[step + 1]! + head;
    // The box's scroll position and height as last seen (scroll events, the measuring frame): reading them here,
    // after this step's DOM changes, would force a relayout per step.
    if (viewH === 0) viewH = wrap.clientHeight;
    if (rowTop - head < scrollY) wrap.scrollTop = scrollY = rowTop - head;
    else if (rowBottom > scrollY + viewH) wrap.scrollTop = scrollY = rowBottom - viewH;
    render();
    if (wide) revealX(step);
  }

  function revealX(step: number): void {
    const cell = live.get(step)?.querySelector<HTMLElement>('td.active');
    if (cell) {
      const left = cell.offsetLeft;
      const right = left + cell.offsetWidth;
      const stepCol = (table.querySelector('th.stepno') as HTMLElement | null)?.offsetWidth ?? 0;
      if (left - stepCol < wrap.scrollLeft) wrap.scrollLeft = Math.max(0, left - stepCol);
      else if (right > wrap.scrollLeft + wrap.clientWidth) wrap.scrollLeft = right - wrap.clientWidth;
    }
  }

  return {
    element: wrap,
    select(step: number) {
      if (step < 0 || step > n) return;
      const old = live.get(selected);
      selected = step;
      follow = true;
      reveal(step);
      if (old) markSelected(old, false);
      const row = live.get(step);
      if (row) markSelected(row, true);
    },
    rendered: () => live.size,
  };
}
