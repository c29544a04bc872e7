// Lock-order inversions as lockdep shows them. The checker reports an inversion with lockdep's full splat
// (checker/lockdep.ts); its "Possible unsafe locking scenario" block is read back into rows so the viewer can draw
// the CPU0/CPU1 table, and the splat itself is shown verbatim beside it.

import { h } from './dom.ts';
import type { LockOrderScenario } from './validate.ts';

/** The CPU0/CPU1 rows of a splat, or null when it has no such block. Column split where the "CPU1" header is. */
export function parseUnsafeScenario(splat: string): LockOrderScenario | null {
  const lines = splat.split('\n');
  const head = lines.findIndex((l) => /^\s*CPU0\s+CPU1\s*$/.test(l));
  if (head < 0) return null;
  const col = lines[head]!.indexOf('CPU1');
  const rows: LockOrderScenario['rows'] = [];
  for (const line of lines.slice(head + 1)) {
    if (line.trim() === '') break;
    if (/^\s*-+\s+-+\s*$/.test(line)) continue;
    const left = line.slice(0, col).trim();
    const right = line.slice(col).trim();
    if (left) rows.push({ cpu: 0, text: left });
    if (right) rows.push({ cpu: 1, text: right });
    if (rows.length >= 64) break;
  }
  return rows.length ? { rows } : null;
}

/** lockdep's table: each row is one lock() by one CPU, in time order, ending in *** DEADLOCK ***. */
export function lockdepTable(sc: LockOrderScenario): HTMLElement {
  const rows = sc.rows.map((r) => h('tr', null, h('td', null, r.cpu === 0 ? r.text : ''), h('td', null, r.cpu === 1 ? r.text : '')));
  const task = (i: 0 | 1): string => (sc.tasks ? ` (${sc.tasks[i]})` : '');
  return h(
    'div',
    { class: 'lockdep' },
    h('p', null, 'Possible unsafe locking scenario:'),
    h(
      'table',
      null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, `CPU0${task(0)}`), h('th', { scope: 'col' }, `CPU1${task(1)}`))),
      h('tbody', null, ...rows),
      h('tfoot', null, h('tr', null, h('td', { colspan: 2 }, '*** DEADLOCK ***'))),
    ),
  );
}

/** The table (when the splat has one) and the splat, folded. */
export function splatView(splat: string): HTMLElement {
  const sc = parseUnsafeScenario(splat);
  return h(
    'div',
    { class: 'splat' },
    sc ? lockdepTable(sc) : null,
    h('details', null, h('summary', null, 'lockdep report'), h('pre', { class: 'splat-text' }, splat)),
  );
}
