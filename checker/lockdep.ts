// Lock-order inversions in lockdep's terms. The kernel records, across the whole exploration, every "lock B taken
// while A held" edge between lock instances with its first witness (model/locks.ts recordEdges). A cycle in that
// graph is a possible deadlock even if no explored interleaving reached it — unless every edge of the cycle was
// taken under the global epoll mutex (a gate lock serialising them). Each cycle is reported with a splat laid
// out like lockdep's "possible circular locking dependency detected".

import type { Compiled } from './compile/config.ts';
import type { FdraceExports } from './kernel/exports.ts';
import { stepLabel } from './trace/labels.ts';
import type { SearchResult, Violation } from './search/result.ts';
import { Cfg, LockIndex } from '../model/abi.ts';
import { Toggle } from '../model/codes.ts';

const NLOCKS: number = LockIndex.Count;
const EDGES_OFFSET: number = Cfg.LockEdges;

export interface Edge {
  from: number;
  to: number;
  gated: boolean;
  thread: string;
  fn: string;
  file: string;
  text: string;
}

export interface Inversion {
  /** Lock names around the cycle, e.g. ['A.mtx', 'B.mtx']. */
  cycle: string[];
  edges: Edge[];
  splat: string;
}

export function lockIndexName(c: Compiled, i: number): string {
  if (i < LockIndex.FLocks) return `${c.ix.tableNames[i] ?? `table${i}`}.file_lock`;
  if (i < LockIndex.EpMtx) return `${c.ix.fileNames[i - LockIndex.FLocks] ?? `file${i - LockIndex.FLocks}`}.f_lock`;
  if (i < LockIndex.Global) return `${c.ix.epollNames[i - LockIndex.EpMtx] ?? `ep${i - LockIndex.EpMtx}`}.mtx`;
  if (i === LockIndex.Notify) return 'notify_lock';
  return c.toggles & Toggle.EpRefcount ? 'epnested_mutex' : 'epmutex';
}

export function readEdges(x: FdraceExports, c: Compiled): Edge[] {
  const dv = new DataView(x.memory.buffer, x.eConfigAddr() + EDGES_OFFSET, NLOCKS * NLOCKS * 2);
  const out: Edge[] = [];
  for (let from = 0; from < NLOCKS; from++) {
    for (let to = 0; to < NLOCKS; to++) {
      const e = dv.getUint16((from * NLOCKS + to) * 2, true);
      if (e === 0) continue;
      const l = stepLabel(e >> 5);
      out.push({
        from,
        to,
        gated: (e & 2) !== 0,
        thread: c.ix.threadNames[(e >> 2) & 7] ?? '?',
        fn: l.fn,
        file: l.file,
        text: l.text,
      });
    }
  }
  return out;
}

/** Elementary cycles of the edge graph, each reported once (rotated to start at its smallest lock). */
export function cycles(edges: Edge[]): Edge[][] {
  const byFrom = new Map<number, Edge[]>();
  for (const e of edges) byFrom.set(e.from, [...(byFrom.get(e.from) ?? []), e]);
  const found = new Map<string, Edge[]>();
  const walk = (start: number, at: number, path: Edge[], seen: Set<number>): void => {
    if (path.length > 6) return;
    for (const e of byFrom.get(at) ?? []) {
      if (e.to === start) {
        const cyc = [...path, e];
        const key = cyc.map((x) => x.from).join(',');
        if (Math.min(...cyc.map((x) => x.from)) === start) found.set(key, cyc);
      } else if (!seen.has(e.to) && e.to > start) {
        seen.add(e.to);
        walk(start, e.to, [...path, e], seen);
        seen.delete(e.to);
      }
    }
  };
  for (const s of byFrom.keys()) walk(s, s, [], new Set([s]));
  return [...found.values()];
}

export function findInversions(x: FdraceExports, c: Compiled): Inversion[] {
  const out: Inversion[] = [];
  for (const cyc of cycles(readEdges(x, c))) {
    if (cyc.every((e) => e.gated)) continue; // serialised by the global epoll mutex: cannot deadlock
    const names = cyc.map((e) => lockIndexName(c, e.from));
    out.push({ cycle: names, edges: cyc, splat: splat(c, cyc) });
  }
  return out;
}

export function splat(c: Compiled, cyc: Edge[]): string {
  const name = (i: number) => lockIndexName(c, i);
  const closing = cyc[cyc.length - 1]!; // closes the cycle: `to` is taken while `from` is held
  const bar = '======================================================';
  const lines = [
    bar,
    'WARNING: possible circular locking dependency detected',
    `fdrace: ${c.scenario.name} on ${c.variant}`,
    bar.replace(/=/g, '-'),
    `${closing.thread} is trying to acquire lock:`,
    `  (${name(closing.to)}), at: ${closing.fn} (${closing.file})`,
    '',
    'but task is already holding lock:',
    `  (${name(closing.from)})`,
    '',
    'which lock already depends on the new lock.',
    '',
    'the existing dependency chain (in reverse order) is:',
  ];
  const chain = cyc.slice(0, -1).reverse();
  chain.forEach((e, k) => {
    lines.push('', `-> #${chain.length - k} (${name(e.to)}):`, `       ${e.fn} (${e.file}): ${e.text}   [${e.thread}, holding ${name(e.from)}]`);
  });
  lines.push(
    '',
    `-> #0 (${name(closing.to)}):`,
    `       ${closing.fn} (${closing.file}): ${closing.text}   [${closing.thread}, holding ${name(closing.from)}]`,
  );
  lines.push('', 'other info that might help us debug this:', '');
  if (cyc.length > 2) lines.push(`Chain exists of:\n  ${cyc.map((e) => name(e.from)).join(' --> ')} --> ${name(cyc[0]!.from)}`, '');
  const a = cyc[0]!;
  const b = cyc[1] ?? cyc[0]!;
  const w = 30;
  const row = (l: string, r: string) => `       ${l.padEnd(w)}${r}`;
  lines.push(
    ' Possible unsafe locking scenario:',
    '',
    row('CPU0', 'CPU1'),
    row('----', '----'),
    row(`lock(${name(a.from)});`, ''),
    row('', `lock(${name(b.from)});`),
    row('', `lock(${name(b.to)});`),
    row(`lock(${name(a.to)});`, ''),
    '',
    ' *** DEADLOCK ***',
  );
  return lines.join('\n');
}

export function inversionViolations(x: FdraceExports, c: Compiled): Violation[] {
  return findInversions(x, c).map((inv) => ({
    property: 'lock-order',
    kind: 'inversion',
    qualified: 'lock-order.inversion',
    message: `possible circular locking dependency: ${inv.cycle.join(' -> ')} -> ${inv.cycle[0]}`,
    path: '',
    steps: 0,
    splat: inv.splat,
  }));
}

/** Add the exploration's lock-order inversions to a search result. Inversions are potential deadlocks: alone (or
 *  with reached deadlocks) they make the verdict `deadlock`; any other violation keeps it `violation`. */
export function withLockOrder(r: SearchResult, x: FdraceExports, c: Compiled): SearchResult {
  const inv = inversionViolations(x, c);
  if (inv.length === 0) return r;
  const violations = [...r.violations, ...inv];
  const other = violations.some((v) => v.property !== 'deadlock' && v.property !== 'lock-order');
  return { ...r, violations, verdict: other ? 'violation' : 'deadlock' };
}
