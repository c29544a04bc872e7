// The state after the selected step: fd tables, struct files, eventpolls and their epitems, threads, locks and the
// wait-for graph. Cells this step changed are marked (with the old value as a tooltip), slots it emptied stay
// visible as struck-through ghosts, "only what changed" is rumur's/TLC's diff view, and any object can be hidden.

import type { DecodedState } from '../../checker/trace/types.ts';
import { diffCells, touched, type Diff } from './cells.ts';
import { button, h } from './dom.ts';
import type { ViewTrace } from './validate.ts';
import { describeEdge, drawEdges, findCycle, waitEdges } from './waitfor.ts';

export interface PanelOptions {
  changedOnly: boolean;
  /** Object ids ("file/OLD", "proc/P", "lock/E.mtx") the user hid. */
  hidden: Set<string>;
}

interface Ctx {
  d: Diff;
  opts: PanelOptions;
  hide: (id: string) => void;
}

export function stateAt(trace: ViewTrace, step: number): DecodedState {
  return step === 0 ? trace.initial : trace.steps[step - 1]!.state;
}

function cell(c: Ctx, key: string, tag: 'td' | 'th' = 'td'): HTMLTableCellElement {
  const v = c.d.cur.get(key);
  if (v === undefined) {
    const was = c.d.prev?.get(key);
    return h(tag, { 'data-key': key, class: 'changed removed', title: `was ${was ?? '?'}` }, 'gone');
  }
  const changed = c.d.changed.has(key);
  const was = c.d.prev?.get(key);
  return h(tag, { 'data-key': key, class: changed ? 'changed' : null, title: changed ? (was === undefined ? 'new at this step' : `was ${was}`) : null }, v);
}

function rowChanged(c: Ctx, keys: string[]): boolean {
  return keys.some((k) => c.d.changed.has(k) || c.d.removed.has(k));
}

function hideButton(c: Ctx, id: string, what: string): HTMLButtonElement {
  return button('×', () => c.hide(id), { class: 'hide', 'aria-label': `Hide ${what}`, title: `Hide ${what}` });
}

function visible(c: Ctx, id: string): boolean {
  return !c.opts.hidden.has(id) && (!c.opts.changedOnly || touched(c.d, id));
}

function table(caption: string, head: string[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h(
    'table',
    { class: 'state' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, ...head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, ...rows),
  );
}

function fdTables(c: Ctx, s: DecodedState, prev: DecodedState | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  for (const p of s.processes) {
    const id = `proc/${p.name}`;
    if (!visible(c, id)) continue;
    const before = prev?.processes.find((x) => x.name === p.name)?.fds ?? [];
    const fds = [...new Set([...p.fds.map((d) => d.fd), ...before.map((d) => d.fd)])].sort((a, b) => a - b);
    const rows: HTMLTableRowElement[] = [];
    for (const fd of fds) {
      const k = `${id}/fd/${fd}`;
      if (c.opts.changedOnly && !rowChanged(c, [k])) continue;
      rows.push(h('tr', null, h('th', { scope: 'row' }, `fd ${fd}`), cell(c, k)));
    }
    const lockKey = `${id}/file_lock`;
    if (!c.opts.changedOnly || rowChanged(c, [lockKey])) rows.push(h('tr', null, h('th', { scope: 'row' }, 'file_lock'), cell(c, lockKey)));
    const shared = p.processes.length > 1 ? ` (files_struct shared by ${p.processes.join(', ')})` : '';
    out.push(
      h(
        'div',
        { class: 'object', 'data-object': id },
        hideButton(c, id, `fd table of ${p.name}`),
        table(`fd table of ${p.name}${shared}`, ['slot', 'file'], rows),
      ),
    );
  }
  return out;
}

function filesTable(c: Ctx, s: DecodedState): HTMLElement | null {
  const fields = ['kind', 'ref', 'life', 'f_lock', 'watchers'];
  const rows: HTMLTableRowElement[] = [];
  for (const f of s.files) {
    const id = `file/${f.name}`;
    if (!visible(c, id)) continue;
    rows.push(
      h('tr', { 'data-object': id }, h('th', { scope: 'row' }, f.name, hideButton(c, id, `file ${f.name}`)), ...fields.map((x) => cell(c, `${id}/${x}`))),
    );
  }
  return rows.length ? table('struct file', ['file', 'kind', 'f_ref', 'life', 'f_lock', 'f_ep (watchers)'], rows) : null;
}

function epollBlocks(c: Ctx, s: DecodedState, prev: DecodedState | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  for (const e of s.epolls) {
    const id = `ep/${e.name}`;
    if (!visible(c, id)) continue;
    const summary = ['mtx', 'refcount', 'life']
      .filter((x) => !c.opts.changedOnly || rowChanged(c, [`${id}/${x}`]))
      .map((x) => h('tr', null, h('th', { scope: 'row' }, x === 'mtx' ? 'ep->mtx' : x), cell(c, `${id}/${x}`)));
    const before = prev?.epolls.find((x) => x.name === e.name)?.items ?? [];
    const ids = [...new Set([...e.items.map((i) => i.id), ...before.map((i) => i.id)])];
    const fields = ['file', 'fd', 'events', 'data', 'linked', 'dying'];
    const items: HTMLTableRowElement[] = [];
    for (const n of ids) {
      const keys = fields.map((x) => `${id}/item/${n}/${x}`);
      if (c.opts.changedOnly && !rowChanged(c, keys)) continue;
      const gone = !e.items.some((i) => i.id === n);
      items.push(
        h(
          'tr',
          { 'data-object': `${id}/item/${n}`, class: gone ? 'freed' : null },
          h('th', { scope: 'row' }, `#${n}${gone ? ' (freed)' : ''}`),
          ...keys.map((k) => cell(c, k)),
        ),
      );
    }
    out.push(
      h(
        'div',
        { class: 'object', 'data-object': id },
        hideButton(c, id, `epoll ${e.name}`),
        table(`eventpoll ${e.name}`, ['', 'value'], summary),
        items.length || !c.opts.changedOnly ? table(`${e.name}'s epitems (ep->rbr)`, ['item', 'file', 'fd', 'events', 'data', 'linked', 'dying'], items) : null,
      ),
    );
  }
  return out;
}

function threadsTable(c: Ctx, s: DecodedState): HTMLElement | null {
  const fields = ['status', 'op', 'held', 'task_work', 'returns', 'waiting'];
  const rows: HTMLTableRowElement[] = [];
  for (const t of s.threads) {
    const id = `thread/${t.name}`;
    if (!visible(c, id)) continue;
    rows.push(
      h(
        'tr',
        { 'data-object': id, class: `status-${t.status}` },
        h('th', { scope: 'row' }, `${t.name} (${t.process})`, hideButton(c, id, `thread ${t.name}`)),
        ...fields.map((x) => cell(c, `${id}/${x}`)),
      ),
    );
  }
  return rows.length ? table('threads', ['thread', 'status', 'syscall', 'holds refs on', 'task_work', 'returned', 'waits for'], rows) : null;
}

function locksTable(c: Ctx, s: DecodedState): HTMLElement | null {
  const rows: HTMLTableRowElement[] = [];
  for (const l of s.locks) {
    const id = `lock/${l.name}`;
    if (!visible(c, id)) continue;
    rows.push(
      h(
        'tr',
        { 'data-object': id, class: l.owner ? 'held' : 'free' },
        h('th', { scope: 'row' }, l.name, hideButton(c, id, `lock ${l.name}`)),
        cell(c, `${id}/kind`),
        cell(c, `${id}/owner`),
        cell(c, `${id}/waiters`),
      ),
    );
  }
  return rows.length ? table('locks', ['lock', 'kind', 'owner', 'waiters'], rows) : null;
}

function waitForBlock(c: Ctx, s: DecodedState, prev: DecodedState | null): HTMLElement | null {
  const edges = waitEdges(s);
  const before = new Set((prev ? waitEdges(prev) : []).map(describeEdge));
  const fresh = edges.filter((e) => !before.has(describeEdge(e)));
  if (c.opts.changedOnly && fresh.length === 0 && before.size === edges.length) return null;
  const cycle = findCycle(edges);
  return h(
    'div',
    { class: 'object waitfor-block', 'data-object': 'waitfor' },
    h('h3', null, 'wait-for graph'),
    edges.length === 0
      ? h('p', { class: 'muted' }, 'No thread is waiting for a lock.')
      : h(
          'div',
          null,
          h('ul', { class: 'edges' }, ...edges.map((e) => h('li', { class: before.has(describeEdge(e)) ? null : 'changed' }, describeEdge(e)))),
          cycle ? h('p', { class: 'cycle-note' }, `Cycle: ${cycle.map((e) => e.thread).join(' → ')} → ${cycle[0]!.thread}`) : null,
          drawEdges(edges, cycle),
        ),
  );
}

function globalTable(c: Ctx): HTMLElement | null {
  const rows = [
    ['epmutex', 'global/epmutex'],
    ['epoll_watches', 'global/watches'],
    ['faults injected', 'global/faults'],
  ]
    .filter(([, k]) => !c.opts.changedOnly || rowChanged(c, [k!]))
    .map(([label, k]) => h('tr', null, h('th', { scope: 'row' }, label!), cell(c, k!)));
  return rows.length ? table('global', ['', 'value'], rows) : null;
}

export function renderState(trace: ViewTrace, step: number, opts: PanelOptions, onHide: (id: string) => void): HTMLElement {
  const cur = stateAt(trace, step);
  const prev = step > 0 ? stateAt(trace, step - 1) : null;
  const c: Ctx = { d: diffCells(prev, cur), opts, hide: onHide };
  const parts = [
    ...fdTables(c, cur, prev),
    filesTable(c, cur),
    ...epollBlocks(c, cur, prev),
    threadsTable(c, cur),
    locksTable(c, cur),
    waitForBlock(c, cur, prev),
    globalTable(c),
  ].filter((x): x is HTMLElement => x !== null);
  const nothing = opts.changedOnly && c.d.changed.size === 0 && c.d.removed.size === 0;
  return h(
    'div',
    { class: 'state-body' },
    h('p', { class: 'muted' }, step === 0 ? 'The initial state.' : `After step ${step}: ${c.d.changed.size + c.d.removed.size} cell(s) changed (marked).`),
    nothing ? h('p', { class: 'muted' }, 'This step changed nothing visible: it read a slot, re-checked a condition or moved to the next line.') : null,
    ...parts,
  );
}
