// The scheduler-facing side of the kernel: run one atomic step of one thread. A thread in user space starts its
// next syscall (or, first, the __fput work queued on its task_work); a thread in the kernel runs the step its top
// frame points at. A step that must wait for a lock returns false and the caller discards the attempted state.

import { OpKind, Routine, StepStatus, Viol } from './codes';
import {
  FR_ROUTINE, NHELD, T_DEPTH, T_FLAGS, T_HELD, T_OPIDX, T_OPRET, T_PENDING, T_RETS, opAddr, threadAddr,
  threadNops,
} from './layout';
import { beginStep, cur, frameAddr, push, ret, setOpret, violate } from './frame';
import { holdsAny, lockId } from './locks';
// @generated begin: step function imports (npm run ops, from model/ops/registry.ts)
import { stepClose, stepDup, stepDup2, stepFget, stepFputOp, stepReplace } from './routines/fdtable';
import { stepFilpClose, stepFinalFput, stepFput } from './routines/fput';
import { stepEpollCtl } from './routines/epoll_ctl';
import { stepEpInsert, stepEpRemove } from './routines/epitem';
import { stepEpFree, stepEventpollReleaseFile } from './routines/release';
import { stepRfcEpReplace, stepRfcFdWalk } from './routines/rfc_v4';
import { stepEpClearAndPut, stepReleaseFileRef } from './routines/release_ref';
import { stepEpScan, stepEpollWait } from './routines/epoll_wait';
import { stepEpLoopCheck } from './routines/loop_check';
import { stepEpollCreate, stepFork, stepPidfdGetfd } from './routines/process';
import { stepRfcV7EpReplace } from './routines/rfc_v7';
import { stepNotifAddfd, stepNotifRecv, stepNotifSend, stepSeccompTrap } from './routines/seccomp';
import { stepIoUring, stepKcmp } from './routines/iouring';
import { stepAllocFd } from './routines/alloc_fd';
import { stepExpandFdtable } from './routines/expand';
// @generated end
// Not step functions: the fget op's flag, the freezer check and the io_uring op codes enterKernel passes.
import { FGET_USER } from './routines/fdtable';
import { frozen } from './routines/seccomp';
import { UringOp } from './routines/iouring';
import { LockClass } from './codes';
import { setBlocked } from './frame';
import { markReturn } from './atoms';

/** T_FLAGS bit: the frame at depth 0 is task_work (__fput), not a syscall. */
const IN_TASK_WORK: u8 = 1;

/** Run the top frame's current step. */
export function runTop(): bool {
  const routine = <i32>load<u8>(frameAddr(cur, load<u8>(threadAddr(cur) + T_DEPTH) - 1) + FR_ROUTINE);
  switch (routine) {
    // @generated begin: runTop cases (npm run ops, from model/ops/registry.ts)
    case Routine.Close: return stepClose();
    case Routine.Dup: return stepDup();
    case Routine.Dup2: return stepDup2();
    case Routine.Replace: return stepReplace();
    case Routine.EpollCtl: return stepEpollCtl();
    case Routine.Fget: return stepFget();
    case Routine.FputOp: return stepFputOp();
    case Routine.Fput: return stepFput();
    case Routine.FilpClose: return stepFilpClose();
    case Routine.FinalFput: return stepFinalFput();
    case Routine.EpInsert: return stepEpInsert();
    case Routine.EpRemove: return stepEpRemove();
    case Routine.EventpollReleaseFile: return stepEventpollReleaseFile();
    case Routine.EpFree: return stepEpFree();
    case Routine.RfcEpReplace: return stepRfcEpReplace();
    case Routine.RfcFdWalk: return stepRfcFdWalk();
    case Routine.ReleaseFileRef: return stepReleaseFileRef();
    case Routine.EpClearAndPut: return stepEpClearAndPut();
    case Routine.EpollWait: return stepEpollWait();
    case Routine.EpScan: return stepEpScan();
    case Routine.EpLoopCheck: return stepEpLoopCheck();
    case Routine.EpollCreate: return stepEpollCreate();
    case Routine.Fork: return stepFork();
    case Routine.PidfdGetfd: return stepPidfdGetfd();
    case Routine.RfcV7EpReplace: return stepRfcV7EpReplace();
    case Routine.SeccompTrap: return stepSeccompTrap();
    case Routine.NotifRecv: return stepNotifRecv();
    case Routine.NotifAddfd: return stepNotifAddfd();
    case Routine.NotifSend: return stepNotifSend();
    case Routine.Kcmp: return stepKcmp();
    case Routine.IoUring: return stepIoUring();
    case Routine.AllocFd: return stepAllocFd();
    case Routine.ExpandFdtable: return stepExpandFdtable();
    // @generated end
    default: unreachable();
  }
  return false;
}

/** Call a routine whose first step is the rest of this step: used where the caller's step does nothing else. */
export function callNow(routine: i32, a: i32, b: i32, c: i32, d: i32 = 0, e: i32 = 0, f: i32 = 0): bool {
  push(routine, a, b, c, d, e, f);
  return runTop();
}

/** Tail-call: the current routine is finished and `routine` takes its place, starting in this step. */
export function tailNow(routine: i32, a: i32, b: i32, c: i32): bool {
  ret(0);
  return callNow(routine, a, b, c);
}

/** Start the thread's next piece of work in user space. Returns false if it has none left. */
function enterKernel(t: i32): bool {
  const ta = threadAddr(t);
  const pending = <i32>load<u16>(ta + T_PENDING);
  if (pending != 0) {
    // task_work_run on the way back to user space: the deferred __fput of a file whose last reference we put.
    const f = ctz(pending);
    store<u16>(ta + T_PENDING, <u16>(pending & ~(1 << f)));
    store<u8>(ta + T_FLAGS, load<u8>(ta + T_FLAGS) | IN_TASK_WORK);
    push(Routine.FinalFput, f, 0, 0, 0, 0, 0);
    return true;
  }
  const k = <i32>load<u8>(ta + T_OPIDX);
  if (k >= threadNops(t)) return false;
  store<u8>(ta + T_OPIDX, <u8>(k + 1));
  setOpret(0);
  const op = opAddr(t, k);
  const kind = <i32>load<u8>(op);
  const a = <i32>load<u8>(op + 1);
  const b = <i32>load<u8>(op + 2);
  const c = <i32>load<u8>(op + 3);
  const d = <i32>load<u8>(op + 4);
  const e = <i32>load<u8>(op + 5);
  switch (kind) {
    // @generated begin: enterKernel cases (npm run ops, from model/ops/registry.ts)
    case OpKind.Close: push(Routine.Close, a, 0, 0, 0, 0, 0); break;
    case OpKind.Dup: push(Routine.Dup, a, 0, 0, 0, 0, 0); break;
    case OpKind.Dup2: push(Routine.Dup2, a, b, 0, 0, 0, 0); break;
    case OpKind.Replace: push(Routine.Replace, a, b, 0, 0, 0, 0); break;
    case OpKind.EpollCtl: push(Routine.EpollCtl, a, b, c, d, e, 0); break;
    case OpKind.Fget: push(Routine.Fget, a, 0, FGET_USER, 0, 0, 0); break;
    case OpKind.Fput: push(Routine.FputOp, 0, 0, 0, 0, 0, 0); break;
    case OpKind.EpollWait: push(Routine.EpollWait, a, 0, 0, 0, 0, 0); break;
    case OpKind.EpollCreate: push(Routine.EpollCreate, a, 0, 0, 0, 0, 0); break;
    case OpKind.Fork: push(Routine.Fork, a, 0, 0, 0, 0, 0); break;
    case OpKind.PidfdGetfd: push(Routine.PidfdGetfd, a, b, 0, 0, 0, 0); break;
    case OpKind.SeccompTrap: push(Routine.SeccompTrap, 0, 0, 0, 0, 0, 0); break;
    case OpKind.NotifRecv: push(Routine.NotifRecv, 0, 0, 0, 0, 0, 0); break;
    case OpKind.NotifAddfd: push(Routine.NotifAddfd, a, b, 0, 0, 0, 0); break;
    case OpKind.NotifSend: push(Routine.NotifSend, 0, 0, 0, 0, 0, 0); break;
    case OpKind.Kcmp: push(Routine.Kcmp, a, b, c, 0, 0, 0); break;
    case OpKind.IoUringRegister: push(Routine.IoUring, UringOp.Register, a, b, 0, 0, 0); break;
    case OpKind.IoUringUnregister: push(Routine.IoUring, UringOp.Unregister, a, 0, 0, 0, 0); break;
    case OpKind.IoUringIo: push(Routine.IoUring, UringOp.Io, a, 0, 0, 0, 0); break;
    case OpKind.ExpandFdtable: push(Routine.ExpandFdtable, 0, 0, 0, 0, 0, 0); break;
    // @generated end
    default: unreachable();
  }
  return true;
}

/** Back in user space: record the syscall's result and check what must not survive a return. */
function returnToUser(t: i32): void {
  const ta = threadAddr(t);
  const flags = load<u8>(ta + T_FLAGS);
  if ((flags & IN_TASK_WORK) != 0) {
    store<u8>(ta + T_FLAGS, flags & ~IN_TASK_WORK);
  } else {
    const k = <i32>load<u8>(ta + T_OPIDX) - 1;
    const v = load<i8>(ta + T_OPRET);
    store<i8>(ta + T_RETS + <usize>k, v);
    store<i8>(ta + T_OPRET, 0);
    markReturn(t, k);
    // `else skip`: a failed guard (kcmp says "not the same file") skips to the thread's last op (the reply).
    const last = threadNops(t) - 1;
    if (v != 0 && (load<u8>(opAddr(t, k) + 6) & 1) != 0 && k < last) store<u8>(ta + T_OPIDX, <u8>last);
  }
  if (holdsAny(t)) violate(Viol.LockHeldAtReturn, t);
  for (let i = 0; i < NHELD; i++) {
    const h = load<u8>(ta + T_HELD + <usize>i);
    if (h != 0) {
      violate(Viol.RefLeak, h - 1);
      break;
    }
  }
}

/** One step of thread t on the current state (setState). */
export function stepThread(t: i32, fault: bool): StepStatus {
  beginStep(t, fault);
  const ta = threadAddr(t);
  if (load<u8>(ta + T_DEPTH) == 0) {
    if (frozen(t) && (load<u16>(ta + T_PENDING) != 0 || <i32>load<u8>(ta + T_OPIDX) < threadNops(t))) {
      setBlocked(lockId(LockClass.Freezer, 0));
      return StepStatus.Blocked;
    }
    if (!enterKernel(t)) return StepStatus.Finished;
  }
  if (!runTop()) return StepStatus.Blocked;
  if (load<u8>(ta + T_DEPTH) == 0) returnToUser(t);
  return StepStatus.Ok;
}

/** Has thread t finished everything, including its task_work? */
export function threadDone(t: i32): bool {
  const ta = threadAddr(t);
  return (
    load<u8>(ta + T_DEPTH) == 0 && load<u16>(ta + T_PENDING) == 0 && <i32>load<u8>(ta + T_OPIDX) >= threadNops(t)
  );
}
