// registration-follows-fd, complete (E17): after a replacement of fd n from OLD to NEW reports success, every
// registration of fd n in the target's epolls is keyed (NEW, n), none (OLD, n), and its events and data are ones
// the scenario gave it: the watch it started with, or a concurrent EPOLL_CTL_ADD / MOD of fd n on that epoll.
// Registrations created or removed by concurrent ADD / DEL / close during the replacement are accounted for:
//   - no registration is acceptable when a DEL of fd n on the epoll did not fail, when nothing registered fd n
//     (no watch, no successful ADD), when NEW or the eventpoll is gone, or when fd n was closed or overwritten by
//     another op of the target (the registration then belongs to a closed fd, which epoll does not follow);
//   - a registration must carry the events and data of the watch or of one of those ADD / MOD ops.
// The same expression is checked at the end and, through `when`, in the state where the replacement returns;
// at that moment an op still running counts as possibly done (it has not failed yet).

import { PredOp } from '../../model/codes.ts';
import { eventsToByte } from '../scenario/constants.ts';
import type { Op, Scenario } from '../scenario/types.ts';
import type { Indexes } from './indexes.ts';

function konst(v: number): number[] {
  const u = v & 0xffff;
  return [PredOp.Const, u & 0xff, u >> 8];
}

const ERR_HUP = eventsToByte(['ERR', 'HUP']);

export interface Replacement {
  thread: number;
  op: number;
  table: number;
  fd: number;
  oldFile: number;
  newFile: number;
  /** The op whose return completes the replacement for the target: the replace op itself, or the target's
   *  trapped syscall (seccomp_trap) for a supervisor's ADDFD. */
  done: { thread: number; op: number };
}

interface OpRef {
  thread: number;
  op: number;
}

/** !(returned && ret OP 0): the op has not returned with such a value (so far). */
function notReturnedWith(o: OpRef, cmp: PredOp): number[] {
  return [PredOp.Returned, o.thread, o.op, PredOp.Ret, o.thread, o.op, ...konst(0), cmp, PredOp.And, PredOp.Not];
}

function anyOf(parts: number[][]): number[] {
  if (parts.length === 0) return konst(0);
  const out = [...parts[0]!];
  for (const p of parts.slice(1)) out.push(...p, PredOp.Or);
  return out;
}

function allOf(parts: number[][]): number[] {
  if (parts.length === 0) return konst(1);
  const out = [...parts[0]!];
  for (const p of parts.slice(1)) out.push(...p, PredOp.And);
  return out;
}

/** The fd an epoll has in `table` at the start (epoll_ctl's epfd), if any. */
function epfdsOf(s: Scenario, ix: Indexes, table: number, ep: string): number[] {
  const p = s.processes.find((x) => !x.shares && ix.tableOf(x.name) === table);
  return p ? p.fds.filter((d) => d.file === ep).map((d) => d.fd) : [];
}

/** Every replacement's follow condition for every epoll of the target that has or may get a registration of fd n. */
export function followsCode(s: Scenario, ix: Indexes, r: Replacement): number[] {
  const code: number[] = [...konst(1)];
  const targetThreads = s.threads.map((t, ti) => ({ t, ti })).filter(({ t }) => ix.tableOf(t.process) === r.table);
  const own = s.processes.filter((p) => ix.tableOf(p.name) === r.table).flatMap((p) => p.fds.map((d) => d.file));
  // Ops of the target's other threads that end fd n's life as it was: close(n), dup2(_, n).
  const fdEnders: OpRef[] = [];
  for (const { t, ti } of targetThreads) {
    t.ops.forEach((op: Op, k) => {
      if (ti === r.thread && k === r.op) return;
      if ((op.kind === 'close' && op.fd === r.fd) || (op.kind === 'dup2' && op.newfd === r.fd && op.oldfd !== r.fd)) fdEnders.push({ thread: ti, op: k });
    });
  }
  for (const ep of ix.epollNames.filter((n) => own.includes(n))) {
    const e = ix.epoll(ep);
    const epfds = epfdsOf(s, ix, r.table, ep);
    const watch = s.watches.find((w) => w.epoll === ep && ix.file(w.file) === r.oldFile && w.fd === r.fd);
    const adds: OpRef[] = [];
    const dels: OpRef[] = [];
    const shapes: [number, number][] = watch ? [[eventsToByte([...watch.events, 'ERR', 'HUP']), watch.data]] : [];
    for (const { t, ti } of targetThreads) {
      t.ops.forEach((op: Op, k) => {
        if (op.kind !== 'epoll_ctl' || op.fd !== r.fd || !epfds.includes(op.epfd)) return;
        if (op.op === 'DEL') dels.push({ thread: ti, op: k });
        else {
          if (op.op === 'ADD') adds.push({ thread: ti, op: k });
          shapes.push([eventsToByte(op.events) | ERR_HUP, op.data & 0xff]);
        }
      });
    }
    if (!watch && adds.length === 0) continue; // nothing of fd n to follow in this epoll
    const zeroOk = anyOf([
      ...(watch ? [] : [allOf(adds.map((a) => notReturnedWith(a, PredOp.Eq)))]),
      ...dels.map((d) => notReturnedWith(d, PredOp.Ne)),
      [PredOp.LifeOf, r.newFile, ...konst(0), PredOp.Ne],
      [PredOp.EpLifeOf, e, ...konst(0), PredOp.Ne],
    ]);
    const shapeOk = anyOf(
      shapes.map(([ev, data]) => [
        PredOp.Events,
        e,
        r.newFile,
        r.fd,
        ...konst(ev),
        PredOp.Eq,
        PredOp.Data,
        e,
        r.newFile,
        r.fd,
        ...konst(data),
        PredOp.Eq,
        PredOp.And,
      ]),
    );
    const count = (f: number) => [PredOp.Count, e, f, r.fd];
    // ret != fd || fd n ended by another op || (no (OLD, n) && ((no (NEW, n) && zeroOk) || (one (NEW, n) && shape ok)))
    code.push(PredOp.Ret, r.thread, r.op, ...konst(r.fd), PredOp.Ne);
    code.push(...anyOf(fdEnders.map((o) => notReturnedWith(o, PredOp.Lt))), PredOp.Or);
    // An (OLD, n) a DEL is still removing (or removed) is on its way out.
    code.push(...count(r.oldFile), ...konst(0), PredOp.Eq, ...anyOf(dels.map((d) => notReturnedWith(d, PredOp.Ne))), PredOp.Or);
    code.push(...count(r.newFile), ...konst(0), PredOp.Eq, ...zeroOk, PredOp.And);
    code.push(...count(r.newFile), ...konst(1), PredOp.Eq, ...shapeOk, PredOp.And, PredOp.Or);
    code.push(PredOp.And, PredOp.Or, PredOp.And);
  }
  return code;
}

/** stale-registration when the replacement returns: no stale epitem, unless fd-changing ops of the target's other
 *  threads (close, dup2, replace, EPOLL_CTL_DEL) have not all finished: one of those in flight (or a later one's __fput still to
 *  come) may leave a registration stale for a moment, which the end-state check judges. */
export function staleAtReturnCode(s: Scenario, ix: Indexes, r: Replacement): number[] {
  const inFlight: number[][] = [];
  s.threads.forEach((t, ti) => {
    if (ix.tableOf(t.process) !== r.table) return;
    t.ops.forEach((op: Op, k) => {
      if (ti === r.thread && k === r.op) return;
      if (op.kind === 'close' || op.kind === 'dup2' || op.kind === 'replace') inFlight.push(notReturnedWith({ thread: ti, op: k }, PredOp.Lt));
      // A DEL unlinks the epitem from f_ep before it erases it from the rbtree: stale for a moment.
      if (op.kind === 'epoll_ctl' && op.op === 'DEL') inFlight.push(notReturnedWith({ thread: ti, op: k }, PredOp.Ne));
    });
  });
  return [PredOp.Ret, r.thread, r.op, ...konst(r.fd), PredOp.Ne, ...anyOf(inFlight), PredOp.Or, PredOp.Stale, PredOp.Not, PredOp.Or];
}
