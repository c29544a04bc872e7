// KASAN- and lockdep-shaped reports for memory findings (no-uaf, free-while-locked), built from a replayed trace:
// the kernel says which access of which step was bad (kMemReport); the trace's decoded states say where the object
// was allocated and freed, and which routines the freeing task was in.

import { Access, MemField, MemObj } from '../../model/codes.ts';
import type { DecodedState, MemoryReport, TraceStep } from './types.ts';

/** The bad access of one step, as the kernel reported it (kMemReport). */
export interface MemAccess {
  step: number;
  thread: string;
  kind: Access;
  obj: MemObj;
  idx: number;
  field: MemField;
}

const ACCESS_NAME: Record<number, MemoryReport['access']> = {
  [Access.Read]: 'read',
  [Access.Write]: 'write',
  [Access.Lock]: 'lock',
  [Access.Unlock]: 'unlock',
  [Access.DoubleFree]: 'double-free',
  [Access.InvalidFree]: 'invalid-free',
};

/** Member names and the size of the access the kernel makes there (x86-64): f_count is an atomic_long_t, a
 *  spin_lock is a 4-byte cmpxchg and its unlock a 1-byte store, mutex fast paths are 8-byte cmpxchg on owner. */
const FIELD: Record<number, { name: string; size: (k: Access) => number }> = {
  [MemField.Count]: { name: 'f_count', size: () => 8 },
  [MemField.FLock]: { name: 'f_lock', size: (k) => (k === Access.Unlock ? 1 : 4) },
  [MemField.FEp]: { name: 'f_ep', size: () => 8 },
  [MemField.FOp]: { name: 'f_op', size: () => 8 },
  [MemField.Mtx]: { name: 'mtx', size: () => 8 },
  [MemField.Refcount]: { name: 'refcount', size: () => 4 },
  [MemField.Rbr]: { name: 'rbr', size: () => 8 },
  [MemField.Epitem]: { name: 'fllink', size: () => 8 },
  [MemField.Slots]: { name: 'fd', size: () => 8 },
  [MemField.Whole]: { name: '', size: () => 0 },
  [MemField.Refs]: { name: 'refs.first', size: () => 8 },
};

/** Kernel function of each model routine, for the "Freed by" call chain. */
const ROUTINE_FN: Record<string, string> = {
  Close: 'close_fd',
  Dup: 'ksys_dup',
  Dup2: 'ksys_dup3',
  Replace: 'replace_fd',
  EpollCtl: 'do_epoll_ctl',
  Fget: '__fget_files_rcu',
  FputOp: 'fput',
  Fput: 'fput',
  FilpClose: 'filp_close',
  FinalFput: '__fput',
  EpInsert: 'ep_insert',
  EpRemove: 'ep_remove',
  EventpollReleaseFile: 'eventpoll_release_file',
  EpFree: 'ep_free',
  RfcEpReplace: 'eventpoll_replace',
  RfcFdWalk: 'do_replace',
  AllocFd: 'alloc_fd',
  ReleaseFileRef: 'eventpoll_release_file',
  EpClearAndPut: 'ep_clear_and_put',
  EpollWait: 'do_epoll_wait',
  EpScan: 'ep_send_events',
  EpollCreate: 'do_epoll_create',
  Fork: 'copy_files',
  PidfdGetfd: 'pidfd_getfd',
  EpLoopCheck: 'ep_loop_check',
  RfcV7EpReplace: 'eventpoll_replace_file',
  SeccompTrap: 'seccomp_do_user_notification',
  NotifRecv: 'seccomp_notify_recv',
  NotifAddfd: 'seccomp_notify_addfd',
  NotifSend: 'seccomp_notify_send',
  Kcmp: 'kcmp',
  IoUring: 'io_uring',
  ExpandFdtable: 'expand_fdtable',
};

function objType(obj: MemObj): { type: string; cache: string } {
  switch (obj) {
    case MemObj.File:
      return { type: 'struct file', cache: 'filp' };
    case MemObj.Eventpoll:
      return { type: 'struct eventpoll', cache: 'kmalloc-192' };
    case MemObj.Epitem:
      return { type: 'struct epitem', cache: 'eventpoll_epi' };
    default:
      return { type: 'struct fdtable', cache: 'kmalloc-64' };
  }
}

/** Is the object alive in this decoded state? (null: the state says nothing about it, e.g. an fdtable). */
function alive(s: DecodedState, obj: MemObj, idx: number, name: string): boolean | null {
  if (obj === MemObj.File) {
    const f = s.files.find((x) => x.name === name);
    return f ? f.life !== 'freed' && f.life !== 'unborn' : null;
  }
  if (obj === MemObj.Eventpoll) {
    const e = s.epolls.find((x) => x.name === name);
    return e ? e.life !== 'freed' && e.life !== 'unborn' : null;
  }
  if (obj === MemObj.Epitem) return s.epolls.some((e) => e.items.some((i) => i.id === idx && `${e.name}:(${i.file},${i.fd})` === name));
  return null;
}

function objName(obj: MemObj, idx: number, files: string[], epolls: string[], processes: string[]): string {
  if (obj === MemObj.File) return files[idx] ?? `#${idx}`;
  if (obj === MemObj.Eventpoll) return epolls[idx] ?? `#${idx}`;
  if (obj === MemObj.Epitem) return `#${idx}`;
  return processes[idx] ?? `#${idx}`;
}

function describe(obj: MemObj, name: string): string {
  if (obj === MemObj.File) return `struct file ${name}`;
  if (obj === MemObj.Eventpoll) return `struct eventpoll of epoll ${name}`;
  if (obj === MemObj.Epitem) return `struct epitem ${name}`;
  return `struct fdtable of ${name} (replaced by expand_fdtable)`;
}

/** The routines a thread was in at a state, innermost first, as kernel function names. */
function chain(step: TraceStep, before: DecodedState): string[] {
  const th = before.threads.find((t) => t.name === step.thread);
  const out = [step.function];
  for (const fr of [...(th?.frames ?? [])].reverse()) {
    const fn = ROUTINE_FN[fr.routine] ?? fr.routine;
    if (out[out.length - 1] !== fn) out.push(fn);
  }
  return out;
}

/** Steps (1-based) where the object went from alive to gone and from gone/absent to alive, up to `upTo`. */
function lifetime(initial: DecodedState, steps: TraceStep[], upTo: number, test: (s: DecodedState) => boolean | null) {
  let allocated: { step: number; index: number } | null = null;
  let freed: { step: number; index: number } | null = null;
  let prev = initial;
  for (let i = 0; i < Math.min(upTo, steps.length); i++) {
    const s = steps[i]!.state;
    const a = test(prev);
    const b = test(s);
    if (a === false && b === true) {
      allocated = { step: i + 1, index: i };
      freed = null;
    }
    if (a === true && b === false) freed = { step: i + 1, index: i };
    prev = s;
  }
  return { allocated, freed };
}

export interface MemoryContext {
  initial: DecodedState;
  steps: TraceStep[];
  files: string[];
  epolls: string[];
  processes: string[];
}

/** KASAN's report of a bad access. */
/** An epitem by its key, "E:(X,3)", from the last state before `step` that still had it. */
function itemName(ctx: MemoryContext, id: number, step: number): string | null {
  for (let i = Math.min(step, ctx.steps.length) - 1; i >= -1; i--) {
    const s = i < 0 ? ctx.initial : ctx.steps[i]!.state;
    for (const e of s.epolls) {
      const it = e.items.find((x) => x.id === id);
      if (it) return `${e.name}:(${it.file},${it.fd})`;
    }
  }
  return null;
}

export function kasanReport(ctx: MemoryContext, m: MemAccess): MemoryReport {
  const { initial, steps } = ctx;
  const name = (m.obj === MemObj.Epitem ? itemName(ctx, m.idx, m.step) : null) ?? objName(m.obj, m.idx, ctx.files, ctx.epolls, ctx.processes);
  const t = objType(m.obj);
  const field = FIELD[m.field] ?? FIELD[MemField.Whole]!;
  const at = steps[m.step - 1]!;
  const life = lifetime(initial, steps, m.step - 1, (s) => alive(s, m.obj, m.idx, name));
  let freed = life.freed;
  if (!freed && m.obj === MemObj.Fdtable) {
    // The old fdtable is freed by expand_fdtable's publish (its RCU callback): the last publish before the access.
    for (let i = m.step - 2; i >= 0; i--) {
      if (steps[i]!.function === 'expand_fdtable' && steps[i]!.changes.length > 0) {
        freed = { step: i + 1, index: i };
        break;
      }
    }
  }
  const before = (i: number) => (i === 0 ? initial : steps[i - 1]!.state);
  const freedBy = freed ? { task: steps[freed.index]!.thread, step: freed.step, chain: chain(steps[freed.index]!, before(freed.index)) } : null;
  const allocatedBy = life.allocated
    ? { task: steps[life.allocated.index]!.thread, step: life.allocated.step, chain: chain(steps[life.allocated.index]!, before(life.allocated.index)) }
    : { task: null, step: 0, chain: [] };
  const access = ACCESS_NAME[m.kind] ?? 'read';
  const bug = m.kind === Access.DoubleFree ? 'double-free' : m.kind === Access.InvalidFree ? 'invalid-free' : 'slab-use-after-free';
  const size = access === 'double-free' || access === 'invalid-free' ? null : field.size(m.kind);
  const member = field.name ? `->${field.name}` : '';
  const what = access === 'read' ? 'Read' : access === 'lock' || access === 'unlock' ? `Write (${access})` : 'Write';
  const title = `BUG: KASAN: ${bug} in ${at.function}`;
  const text = [
    '==================================================================',
    title,
    size === null
      ? `${access === 'double-free' ? 'Double free' : 'Invalid free'} of ${describe(m.obj, name)} by task ${m.thread} at step ${m.step}`
      : `${what} of size ${size} at addr &${name}${member} by task ${m.thread} at step ${m.step}`,
    `  ${at.function} (${at.source}): ${at.text}`,
    '',
    allocatedBy.step === 0 ? 'Allocated before the scenario started (initial state)' : `Allocated by task ${allocatedBy.task} at step ${allocatedBy.step}:`,
    ...allocatedBy.chain.map((f) => `  ${f}`),
    '',
    ...(freedBy ? [`Freed by task ${freedBy.task} at step ${freedBy.step}:`, ...freedBy.chain.map((f) => `  ${f}`)] : ['Freed: not in this trace']),
    '',
    `The buggy address belongs to the object ${describe(m.obj, name)} (cache ${t.cache})${member ? `, member ${field.name}` : ''}`,
    '==================================================================',
  ];
  return {
    tool: 'KASAN',
    title,
    bug,
    access,
    size,
    function: at.function,
    source: at.source,
    object: { type: t.type, name, description: describe(m.obj, name), field: field.name || null, cache: t.cache },
    task: m.thread,
    step: m.step,
    allocated: allocatedBy,
    freed: freedBy,
    lock: null,
    text,
  };
}

/** lockdep's "held lock freed!" for free-while-locked: obj < 16 is file obj's f_lock, else ep->mtx of epoll obj-16. */
export function heldLockFreedReport(ctx: MemoryContext, step: number, obj: number): MemoryReport {
  const isEp = obj >= 16;
  const kind = isEp ? MemObj.Eventpoll : MemObj.File;
  const idx = isEp ? obj - 16 : obj;
  const name = objName(kind, idx, ctx.files, ctx.epolls, ctx.processes);
  const lockName = isEp ? `${name}.mtx` : `${name}.f_lock`;
  const at = ctx.steps[step - 1]!;
  const prevState = step >= 2 ? ctx.steps[step - 2]!.state : ctx.initial;
  const holder =
    (isEp ? ctx.steps[step - 1]!.state.epolls.find((e) => e.name === name)?.mtx : ctx.steps[step - 1]!.state.files.find((f) => f.name === name)?.fLock) ?? '?';
  let since = 0;
  for (let i = step - 1; i >= 1; i--) {
    const s = ctx.steps[i - 1]!.state;
    const o = isEp ? s.epolls.find((e) => e.name === name)?.mtx : s.files.find((f) => f.name === name)?.fLock;
    if (o !== holder) break;
    since = i;
  }
  const taker = since > 0 ? ctx.steps[since - 1]! : null;
  const freedChain = chain(at, prevState);
  const t = objType(kind);
  const title = 'WARNING: held lock freed!';
  const member = isEp ? 'mtx' : 'f_lock';
  const text = [
    '=========================',
    title,
    '-------------------------',
    `${at.thread} is freeing memory ${describe(kind, name)} at step ${step}, with a lock still held there!`,
    ` (&${name}->${member}) held by ${holder}${taker ? ` since step ${since}, at: ${taker.function}` : ''}`,
    `Freed by task ${at.thread} at step ${step}:`,
    ...freedChain.map((f) => `  ${f}`),
    ...(holder !== at.thread
      ? [
          "(the holder is another task: lockdep only sees this when the freeing task holds the lock itself; the holder's",
          ' later unlock writes into freed memory, or into whatever object now reuses it)',
        ]
      : []),
  ];
  return {
    tool: 'lockdep',
    title,
    bug: 'held-lock-freed',
    access: null,
    size: null,
    function: at.function,
    source: at.source,
    object: { type: t.type, name, description: describe(kind, name), field: member, cache: t.cache },
    task: at.thread,
    step,
    allocated: { task: null, step: 0, chain: [] },
    freed: { task: at.thread, step, chain: freedChain },
    lock: { name: lockName, holder, since: taker ? since : null },
    text,
  };
}
