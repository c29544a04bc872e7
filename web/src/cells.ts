// A decoded state flattened into named cells ("proc/P/fd/4" -> "NEW"). The state panel shows cells and marks the
// ones whose value differs from the previous step's — a recursive diff like the TLA+ Toolbox's, at the level a
// kernel developer reads: one fd slot, one refcount, one epitem field.

import type { DecodedState } from '../../checker/trace/types.ts';

export type Cells = Map<string, string>;

export const NONE = '—';

export function linkState(it: { inRbr: boolean; onFep: boolean }): string {
  if (it.inRbr && it.onFep) return 'rbr + f_ep';
  if (it.inRbr) return 'rbr only';
  if (it.onFep) return 'f_ep only';
  return 'unlinked';
}

export function stateCells(s: DecodedState): Cells {
  const m: Cells = new Map();
  const list = (xs: readonly (string | number | null)[]): string => (xs.length ? xs.map((x) => (x === null ? '…' : String(x))).join(', ') : NONE);
  for (const p of s.processes) {
    const o = `proc/${p.name}`;
    m.set(`${o}/shared`, p.processes.join(', '));
    m.set(`${o}/file_lock`, p.fileLock ?? NONE);
    for (const d of p.fds) m.set(`${o}/fd/${d.fd}`, d.file);
  }
  for (const f of s.files) {
    const o = `file/${f.name}`;
    m.set(`${o}/kind`, f.kind);
    m.set(`${o}/ref`, String(f.ref));
    m.set(`${o}/life`, f.life);
    m.set(`${o}/f_lock`, f.fLock ?? NONE);
    m.set(`${o}/watchers`, list(f.watchers));
  }
  for (const e of s.epolls) {
    const o = `ep/${e.name}`;
    m.set(`${o}/mtx`, e.mtx ?? NONE);
    m.set(`${o}/refcount`, String(e.refcount));
    m.set(`${o}/life`, e.life);
    for (const it of e.items) {
      const i = `${o}/item/${it.id}`;
      m.set(`${i}/file`, it.file);
      m.set(`${i}/fd`, String(it.fd));
      m.set(`${i}/events`, it.events.join('|') || NONE);
      m.set(`${i}/data`, String(it.data));
      m.set(`${i}/linked`, linkState(it));
      m.set(`${i}/dying`, it.dying ? 'dying' : NONE);
    }
  }
  for (const t of s.threads) {
    const o = `thread/${t.name}`;
    m.set(`${o}/process`, t.process);
    m.set(`${o}/status`, t.status);
    m.set(`${o}/op`, t.op ?? NONE);
    m.set(`${o}/held`, list(t.held));
    m.set(`${o}/task_work`, list(t.pendingFput.map((f) => `__fput(${f})`)));
    m.set(`${o}/returns`, list(t.returns));
    m.set(`${o}/waiting`, t.waitingFor ?? NONE);
  }
  for (const l of s.locks) {
    const o = `lock/${l.name}`;
    m.set(`${o}/kind`, l.kind);
    m.set(`${o}/owner`, l.owner ?? NONE);
    m.set(`${o}/waiters`, list(l.waiters));
  }
  m.set('global/epmutex', s.global.epmutex ?? NONE);
  m.set('global/watches', String(s.global.watches));
  m.set('global/faults', String(s.global.faults));
  return m;
}

export interface Diff {
  cur: Cells;
  prev: Cells | null;
  /** Keys whose value is new or different from the previous step's. */
  changed: Set<string>;
  /** Keys present before and gone now (a closed fd, a freed epitem). */
  removed: Set<string>;
}

export function diffCells(prev: DecodedState | null, cur: DecodedState): Diff {
  const c = stateCells(cur);
  const p = prev ? stateCells(prev) : null;
  const changed = new Set<string>();
  const removed = new Set<string>();
  if (p) {
    for (const [k, v] of c) if (p.get(k) !== v) changed.add(k);
    for (const k of p.keys()) if (!c.has(k)) removed.add(k);
  }
  return { cur: c, prev: p, changed, removed };
}

/** Whether a cell or anything under an object ("proc/P/fd/4", "file/OLD", "ep/E/item/3") changed. */
export function touched(d: Diff, prefix: string): boolean {
  const pre = `${prefix}/`;
  const under = (k: string): boolean => k === prefix || k.startsWith(pre);
  for (const k of d.changed) if (under(k)) return true;
  for (const k of d.removed) if (under(k)) return true;
  return false;
}

/** The value of one object (or one fd slot / epitem) as a string, equal exactly when its cells are equal: a
 *  targeted read, so scanning a long trace for an object's last change does not flatten every state. */
export function objectValue(s: DecodedState, prefix: string): string {
  const [kind, name, sub, key] = prefix.split('/');
  const j = (x: unknown): string => (x === undefined ? '' : JSON.stringify(x));
  switch (kind) {
    case 'proc': {
      const p = s.processes.find((x) => x.name === name);
      if (sub === 'fd') return j(p?.fds.find((d) => d.fd === Number(key))?.file);
      return j(p && [p.processes, p.fileLock, p.fds]);
    }
    case 'file':
      return j(s.files.find((x) => x.name === name));
    case 'ep': {
      const e = s.epolls.find((x) => x.name === name);
      if (sub === 'item') return j(e?.items.find((i) => i.id === Number(key)));
      return j(e);
    }
    case 'thread': {
      const t = s.threads.find((x) => x.name === name);
      return j(t && [t.process, t.status, t.op, t.held, t.pendingFput, t.returns, t.waitingFor]);
    }
    case 'lock':
      return j(s.locks.find((x) => x.name === name));
    case 'global':
      return j(s.global);
    default: {
      const c = stateCells(s);
      return j([...c].filter(([k]) => k === prefix || k.startsWith(`${prefix}/`)));
    }
  }
}

/** The last step (≤ upTo) at which something under `prefix` changed; 0 if only in the initial state. */
export function lastChange(states: readonly DecodedState[], upTo: number, prefix: string): number {
  let cur = objectValue(states[Math.min(upTo, states.length - 1)]!, prefix);
  for (let i = Math.min(upTo, states.length - 1); i > 0; i--) {
    const before = objectValue(states[i - 1]!, prefix);
    if (before !== cur) return i;
    cur = before;
  }
  return 0;
}
