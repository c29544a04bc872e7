// Decode a state vector into names (for traces only; never on the search's hot path). Record offsets come from
// model/fields.ts, region offsets from the kernel's kLayout, so the layout has one owner: the kernel.

import * as F from '../../model/fields.ts';
import { LockClass, Routine, StepStatus, Toggle } from '../../model/codes.ts';
import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { descriptorOf } from '../scenario/ops.ts';
import type { Op } from '../scenario/types.ts';
import type { DecodedLock, DecodedState, DecodedThread, LifeName } from './types.ts';

// Life.RcuPending (5) is freed for everyone but the readers that held it across the free (rcuReaders).
const LIFE: LifeName[] = ['live', 'dying', 'releasing', 'freed', 'unborn', 'freed'];
const EPLIFE = ['live', 'orphan', 'freed', 'unborn'] as const;
const EVENT_NAMES = ['IN', 'OUT', 'ERR', 'HUP', 'ET', 'ONESHOT'];

/** An op as the scenario writes it (traces and thread headers print it back). */
export function opText(op: Op): string {
  const d = descriptorOf(op);
  if (d.custom) return d.custom.print(op);
  const args = d.args.map((a) => String((op as unknown as Record<string, unknown>)[a.field]));
  return `${d.name}(${args.join(', ')})${d.printsElseSkip && op.elseSkip ? ' else skip' : ''}`;
}

export function eventNames(bits: number): string[] {
  return EVENT_NAMES.filter((_, i) => bits & (1 << i));
}

export interface Layout {
  offTables: number;
  tableStride: number;
  offFiles: number;
  offEpolls: number;
  offItems: number;
  offThreads: number;
  threadStride: number;
  offFrames: number;
  stateSize: number;
}

export function layoutOf(x: FdraceExports): Layout {
  return {
    offTables: x.kLayout(0),
    tableStride: x.kLayout(1),
    offFiles: x.kLayout(2),
    offEpolls: x.kLayout(3),
    offItems: x.kLayout(4),
    offThreads: x.kLayout(5),
    threadStride: x.kLayout(6),
    offFrames: x.kLayout(7),
    stateSize: x.kLayout(8),
  };
}

export function lockName(c: Compiled, id: number): string {
  const cls = id >> 8;
  const inst = id & 0xff;
  if (cls === LockClass.FileTable) return `${c.ix.tableNames[inst]}.file_lock`;
  if (cls === LockClass.FLock) return `${c.ix.fileNames[inst]}.f_lock`;
  if (cls === LockClass.EpMtx) return `${c.ix.epollNames[inst]}.mtx`;
  if (cls === LockClass.Notify) return 'notify_lock';
  // Not locks: what a blocked step waits for (model/routines/seccomp.ts, model/dispatch.ts).
  if (cls === LockClass.Wait) return ['n.ready (the notification)', 'a notification to receive', 'kaddfd.completion'][inst] ?? 'a completion';
  if (cls === LockClass.Freezer) return 'the cgroup freezer';
  return c.toggles & Toggle.EpRefcount ? 'epnested_mutex' : 'epmutex';
}

/** Decode the state at `addr`. When `probe` is set, each thread's next step is tried to tell blocked threads
 *  (and the lock they wait for) from runnable ones; this needs two free scratch states in the instance. */
export function decodeState(x: FdraceExports, c: Compiled, addr: number, probe = true): DecodedState {
  const L = layoutOf(x);
  const m = new Uint8Array(x.memory.buffer);
  const dv = new DataView(x.memory.buffer);
  const at = (off: number) => m[addr + off] ?? 0;
  const owner = (v: number): string | null => (v === 0 ? null : (c.ix.threadNames[v - 1] ?? `#${v - 1}`));
  const { fileNames, epollNames, tableNames, threadNames } = c.ix;
  const s = c.scenario;

  const processes = tableNames.map((name, t) => {
    const base = L.offTables + t * L.tableStride;
    const fds = [];
    for (let fd = 0; fd < c.nSlots; fd++) {
      const v = at(base + F.TB_SLOTS + fd);
      if (v === F.SLOT_EMPTY) continue;
      fds.push({ fd, file: v === F.SLOT_RESERVED ? '(reserved)' : (fileNames[v - 1] ?? '?') });
    }
    const sharers = s.processes.filter((p) => (p.shares ?? p.name) === name).map((p) => p.name);
    return { name, processes: sharers, fds, fileLock: owner(at(base)) };
  });

  const items: { id: number; ep: number; file: number; fd: number; events: number; data: number; fpos: number; flags: number }[] = [];
  for (let i = 0; i < c.nItems; i++) {
    const b = L.offItems + i * F.I_SIZE;
    if (at(b + F.I_EP) === 0) continue;
    items.push({
      id: i,
      ep: at(b + F.I_EP) - 1,
      file: at(b + F.I_FILE),
      fd: at(b + F.I_FD),
      events: at(b + F.I_EVENTS),
      data: at(b + F.I_DATA),
      fpos: at(b + F.I_FPOS),
      flags: at(b + F.I_FLAGS),
    });
  }

  const files = fileNames.map((name, f) => {
    const b = L.offFiles + f * F.F_SIZE;
    const watchers = items
      .filter((it) => it.file === f && it.flags & F.IF_FEP)
      .sort((a, b2) => a.fpos - b2.fpos)
      .map((it) => `${epollNames[it.ep]}:(${name},${it.fd})`);
    const kind = s.files[f]?.kind ?? 'socket';
    // Between __ep_remove's WRITE_ONCE(file->f_ep, NULL) and its hlist_del_rcu the last epitem still points at
    // the head, but nothing is reachable from the file any more.
    const fEp = at(b + F.F_EPNULL) !== 0 ? [] : watchers;
    return { name, kind, ref: at(b + F.F_REF), life: LIFE[at(b + F.F_LIFE)] ?? 'live', fLock: owner(at(b + F.F_LOCK)), watchers: fEp };
  });

  const epolls = epollNames.map((name, e) => {
    const b = L.offEpolls + e * F.E_SIZE;
    return {
      name,
      mtx: owner(at(b + F.E_MTX)),
      refcount: at(b + F.E_REF),
      life: EPLIFE[at(b + F.E_LIFE)] ?? 'live',
      items: items
        .filter((it) => it.ep === e)
        .map((it) => ({
          id: it.id,
          file: fileNames[it.file] ?? '?',
          fd: it.fd,
          events: eventNames(it.events),
          data: it.data,
          inRbr: (it.flags & F.IF_RBR) !== 0,
          onFep: (it.flags & F.IF_FEP) !== 0,
          dying: (it.flags & F.IF_DYING) !== 0,
        })),
    };
  });

  const threads: DecodedThread[] = threadNames.map((name, t) => {
    const b = L.offThreads + t * L.threadStride;
    const decl = s.threads[t]!;
    const depth = at(b + F.T_DEPTH);
    const opIdx = at(b + F.T_OPIDX);
    const pending = dv.getUint16(addr + b + F.T_PENDING, true);
    const frames = [];
    for (let d = 0; d < depth; d++) {
      const fr = b + L.offFrames + d * F.FR_SIZE;
      frames.push({ routine: Routine[at(fr + F.FR_ROUTINE)] ?? '?', pc: at(fr + F.FR_PC) });
    }
    const held = [];
    for (let k = 0; k < F.NHELD; k++) if (at(b + F.T_HELD + k)) held.push(fileNames[at(b + F.T_HELD + k) - 1] ?? '?');
    if (at(b + F.T_UHELD)) held.push(fileNames[at(b + F.T_UHELD) - 1] ?? '?');
    const returns: (number | null)[] = decl.ops.map((_, k) => {
      const v = dv.getInt8(addr + b + F.T_RETS + k);
      return v === 127 ? null : v;
    });
    const pendingFput = fileNames.filter((_, f) => pending & (1 << f));
    const inTaskWork = depth > 0 && frames[0]?.routine === 'FinalFput';
    const taskWorkFile = inTaskWork ? fileNames[at(b + L.offFrames + F.FR_R)] : undefined;
    const done = depth === 0 && pending === 0 && opIdx >= decl.ops.length;
    const running = depth > 0 ? (inTaskWork ? null : decl.ops[opIdx - 1]) : decl.ops[opIdx];
    return {
      name,
      process: decl.process,
      status: done ? 'done' : depth > 0 ? 'kernel' : 'user',
      op: inTaskWork ? `__fput(${taskWorkFile}) (task_work)` : running ? opText(running) : null,
      opIndex: depth > 0 ? opIdx - 1 : opIdx,
      frames,
      held,
      pendingFput,
      returns,
      waitingFor: null,
    };
  });

  if (probe) {
    const scratch = x.eScratch(2);
    threads.forEach((th, t) => {
      if (th.status === 'done') return;
      if (x.kStep(addr, scratch, t, 0) === StepStatus.Blocked) {
        th.status = 'blocked';
        th.waitingFor = lockName(c, x.kBlockedOn());
      }
    });
  }

  const locks: DecodedLock[] = [];
  const waitersOf = (n: string) => threads.filter((th) => th.waitingFor === n).map((th) => th.name);
  processes.forEach((p) => locks.push({ name: `${p.name}.file_lock`, kind: 'spin', owner: p.fileLock, waiters: waitersOf(`${p.name}.file_lock`) }));
  files.forEach((f) => locks.push({ name: `${f.name}.f_lock`, kind: 'spin', owner: f.fLock, waiters: waitersOf(`${f.name}.f_lock`) }));
  epolls.forEach((e) => locks.push({ name: `${e.name}.mtx`, kind: 'mutex', owner: e.mtx, waiters: waitersOf(`${e.name}.mtx`) }));
  const epmutex = owner(at(F.G_GMTX));
  const gname = lockName(c, LockClass.Global << 8);
  locks.push({ name: gname, kind: 'mutex', owner: epmutex, waiters: waitersOf(gname) });

  return {
    processes,
    files,
    epolls,
    threads,
    locks,
    global: { epmutex, watches: at(F.G_WATCHES), faults: at(F.G_FAULTS) },
  };
}
