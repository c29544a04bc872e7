// The seccomp user-notification flow around SECCOMP_IOCTL_NOTIF_ADDFD (kernel/seccomp.c): the target's intercepted
// syscall waits in seccomp_do_user_notification; the supervisor receives the notification, queues ADDFD requests
// (each installed by the TARGET, in its own files_struct, with notify_lock held) and finally replies. One
// notification per scenario; the supervisor issues one request at a time.

import { LockClass, Routine, Toggle } from '../codes';
import {
  G_NOTIF, G_REQ_FD, G_REQ_FILE, G_REQ_RET, G_REQ_STATE, NOTIF_INIT, NOTIF_NONE, NOTIF_REPLIED, NOTIF_SENT,
  C_TARGET, CFG, REQ_DONE, REQ_NONE, REQ_QUEUED, gAddr, threadTable, toggle,
} from '../layout';
import { FP_GLOBAL, cur, fpRead, fpWrite, holdRef, label, opReturn, pc, push, r, rv, setBlocked, setOpret, setPc, setR } from '../frame';
import { acquire, lockId, mightSleep, release } from '../locks';
import { life, ref, setRef, slot } from '../objects';
import { Life } from '../codes';
import { Step } from '../steps';
import { tailNow } from '../dispatch';
import { EBADF, EINPROGRESS, ENOENT } from '../errno';

const NL: i32 = (<i32>LockClass.Notify) << 8;
/** r3 marker in stepNotifAddfd: the result is the target's (in r4), not a local errno. */
const FROM_TARGET: i32 = 0xfe;
/** r5 of a Replace frame pushed by the target for a queued request (no kfile reference of its own to drop). */
export const REPLACE_REQUEST: i32 = 1;

function g(field: i32): i32 {
  fpRead(FP_GLOBAL);
  return load<u8>(gAddr(field));
}
function setG(field: i32, v: i32): void {
  fpWrite(FP_GLOBAL);
  store<u8>(gAddr(field), <u8>v);
}

enum TrapPc {
  Lock = 0,
  UnlockWait = 1,
  WokenLock = 2,
  Serve = 3,
  AddfdDone = 4,
}

/** The target: seccomp_do_user_notification. Returns the supervisor's reply (0). */
export function stepSeccompTrap(): bool {
  switch (pc()) {
    case TrapPc.Lock:
      // @step TrapLock | seccomp_do_user_notification | kernel/seccomp.c | mutex_lock(&match->notify_lock); n.state =
      //   SECCOMP_NOTIFY_INIT; wake the listener
      label(Step.TrapLock);
      mightSleep();
      if (!acquire(NL)) return false;
      setG(G_NOTIF, NOTIF_INIT); // queued for the listener, which is woken
      setPc(TrapPc.UnlockWait);
      return true;
    case TrapPc.UnlockWait:
      // @step TrapUnlockWait | seccomp_do_user_notification | kernel/seccomp.c | mutex_unlock(&match->notify_lock);
      //   wait_for_completion_interruptible(&n.ready)
      label(Step.TrapUnlockWait);
      release(NL);
      setPc(TrapPc.WokenLock);
      return true;
    case TrapPc.WokenLock: {
      // wait_for_completion_interruptible(&n.ready): woken by an ADDFD request or by the reply.
      // @step TrapWokenLock | seccomp_do_user_notification | kernel/seccomp.c | woken (an ADDFD request or the
      //   reply): mutex_lock(&match->notify_lock)
      label(Step.TrapWokenLock);
      if (g(G_REQ_STATE) != REQ_QUEUED && g(G_NOTIF) != NOTIF_REPLIED) return setBlocked(lockId(LockClass.Wait, 0));
      mightSleep();
      if (!acquire(NL)) return false;
      setPc(TrapPc.Serve);
      return true;
    }
    case TrapPc.Serve:
      if (g(G_REQ_STATE) == REQ_QUEUED && g(G_NOTIF) != NOTIF_REPLIED) {
        // seccomp_handle_addfd -> receive_fd_replace(addfd->fd, addfd->file) in the target's files_struct,
        // notify_lock held; the request's file reference is the supervisor's (kaddfd.file).
        // @step HandleAddfd | seccomp_handle_addfd | kernel/seccomp.c | receive_fd_replace(addfd->fd, addfd->file,
        //   addfd->flags) with notify_lock held
        label(Step.HandleAddfd);
        setPc(TrapPc.AddfdDone);
        push(Routine.Replace, g(G_REQ_FD), g(G_REQ_FILE) - 1, 0, 0, 0, REPLACE_REQUEST);
        return true;
      }
      // @step TrapReplied | seccomp_do_user_notification | kernel/seccomp.c | n.state == SECCOMP_NOTIFY_REPLIED:
      //   mutex_unlock; return the reply
      label(Step.TrapReplied);
      release(NL);
      opReturn(0);
      return true;
    default:
      // complete(&addfd->completion) and back to waiting.
      // @step HandleAddfdDone | seccomp_handle_addfd | kernel/seccomp.c | addfd->ret = fd;
      //   complete(&addfd->completion); wait again
      label(Step.HandleAddfdDone);
      setG(G_REQ_RET, rv());
      setG(G_REQ_STATE, REQ_DONE);
      setPc(TrapPc.UnlockWait);
      return true;
  }
}

enum RecvPc {
  Lock = 0,
  Sent = 1,
}

/** SECCOMP_IOCTL_NOTIF_RECV: wait for a notification, mark it SENT. */
export function stepNotifRecv(): bool {
  switch (pc()) {
    case RecvPc.Lock:
      // @step RecvLock | seccomp_notify_recv | kernel/seccomp.c | down_interruptible(&filter->notif->request);
      //   mutex_lock(&filter->notify_lock)
      label(Step.RecvLock);
      if (g(G_NOTIF) != NOTIF_INIT) return setBlocked(lockId(LockClass.Wait, 1));
      mightSleep();
      if (!acquire(NL)) return false;
      setPc(RecvPc.Sent);
      return true;
    default:
      // @step RecvSent | seccomp_notify_recv | kernel/seccomp.c | knotif->state = SECCOMP_NOTIFY_SENT;
      //   mutex_unlock(&filter->notify_lock)
      label(Step.RecvSent);
      setG(G_NOTIF, NOTIF_SENT);
      release(NL);
      opReturn(0);
      return true;
  }
}

enum AddfdPc {
  Fget = 0,
  Lock = 1,
  Queue = 2,
  Wait = 3,
  Return = 4,
}
enum AddfdR {
  NewFd = 0,
  SrcFd = 1,
  File = 2,
  Result = 3,
  TargetRet = 4,
}

/** SECCOMP_IOCTL_NOTIF_ADDFD {SETFD, newfd = r0, srcfd = the supervisor's fd r1}. r2 = kfile + 1, r3 = result. */
export function stepNotifAddfd(): bool {
  switch (pc()) {
    case AddfdPc.Fget: {
      label(Step.AddfdFget);
      const v = slot(threadTable(cur), r(AddfdR.SrcFd));
      if (v == 0 || v == 0xff) {
        opReturn(-EBADF);
        return true;
      }
      const f = <i32>v - 1;
      if (ref(f) == 0 || life(f) != Life.Live) {
        opReturn(-EBADF);
        return true;
      }
      setRef(f, ref(f) + 1);
      holdRef(f);
      setR(AddfdR.File, f + 1);
      setPc(AddfdPc.Lock);
      return true;
    }
    case AddfdPc.Lock:
      // @step AddfdLock | seccomp_notify_addfd | kernel/seccomp.c | mutex_lock_interruptible(&filter->notify_lock)
      label(Step.AddfdLock);
      mightSleep();
      if (!acquire(NL)) return false;
      setPc(AddfdPc.Queue);
      return true;
    case AddfdPc.Queue: {
      // @step AddfdQueue | seccomp_notify_addfd | kernel/seccomp.c | knotif->state == SECCOMP_NOTIFY_SENT ?
      //   list_add(&kaddfd.list, &knotif->addfd); complete(&knotif->ready) : -EINPROGRESS; unlock
      label(Step.AddfdQueue);
      const st = g(G_NOTIF);
      if (st != NOTIF_SENT) setR(AddfdR.Result, st == NOTIF_NONE || st == NOTIF_REPLIED ? ENOENT : EINPROGRESS);
      else {
        setG(G_REQ_FD, r(AddfdR.NewFd));
        setG(G_REQ_FILE, r(AddfdR.File));
        setG(G_REQ_STATE, REQ_QUEUED); // list_add + complete(&knotif->ready)
      }
      release(NL);
      setPc(r(AddfdR.Result) != AddfdPc.Fget ? AddfdPc.Return : AddfdPc.Wait);
      return true;
    }
    case AddfdPc.Wait:
      // @step AddfdWait | seccomp_notify_addfd | kernel/seccomp.c | wait_for_completion_interruptible(&kaddfd.completion);
      //   ret = kaddfd.ret
      label(Step.AddfdWait);
      if (g(G_REQ_STATE) != REQ_DONE) return setBlocked(lockId(LockClass.Wait, 2));
      setR(AddfdR.Result, FROM_TARGET);
      setR(AddfdR.TargetRet, g(G_REQ_RET));
      setG(G_REQ_STATE, REQ_NONE);
      setG(G_REQ_FILE, 0);
      setG(G_REQ_FD, 0);
      setPc(AddfdPc.Return);
      return true;
    default:
      // fput(kaddfd.file); return the request's result (the fd, or -errno, as the target produced it).
      setOpret(r(AddfdR.Result) == FROM_TARGET ? <i32>(<i8>(<u8>r(AddfdR.TargetRet))) : -r(AddfdR.Result));
      return tailNow(Routine.Fput, r(AddfdR.File) - 1, 0, 0);
  }
}

enum SendPc {
  Lock = 0,
  Reply = 1,
}

/** SECCOMP_IOCTL_NOTIF_SEND: the reply; the target returns to user space. */
export function stepNotifSend(): bool {
  switch (pc()) {
    case SendPc.Lock:
      // @step SendLock | seccomp_notify_send | kernel/seccomp.c | mutex_lock(&filter->notify_lock)
      label(Step.SendLock);
      mightSleep();
      if (!acquire(NL)) return false;
      setPc(SendPc.Reply);
      return true;
    default: {
      // @step SendReply | seccomp_notify_send | kernel/seccomp.c | knotif->state = SECCOMP_NOTIFY_REPLIED;
      //   complete(&knotif->ready); unlock
      label(Step.SendReply);
      const st = g(G_NOTIF);
      release(NL);
      if (st != NOTIF_SENT) {
        opReturn(st == NOTIF_REPLIED || st == NOTIF_NONE ? -ENOENT : -EINPROGRESS);
        return true;
      }
      setG(G_NOTIF, NOTIF_REPLIED);
      opReturn(0);
      return true;
    }
  }
}

/** userspace-frozen: the cgroup freezer stops the target's tasks at their next return to user space, from the
 *  supervisor's RECV to its reply; the trapped task itself stays parked in the notification wait. */
export function frozen(t: i32): bool {
  if (!toggle(Toggle.FrozenTarget)) return false;
  const st = g(G_NOTIF);
  return st == NOTIF_SENT && threadTable(t) == <i32>load<u8>(CFG + C_TARGET);
}
