// struct file lifetime: filp_close (fs/open.c), fput and the deferred __fput (fs/file_table.c).
// Since 4a9d4b024a31 (v3.6, toggle fput-task-work) fput never tears the file down inline: the final reference
// queues __fput as task_work of the putting task, which runs it on its way back to user space (model/dispatch.ts
// starts it between syscalls). Running it inline, as older kernels did, deadlocks whenever the final put happens
// under ep->mtx (docs/model.md §D.4.5, §F.13).

import { Access, Life, MemField, Routine, Toggle, Viol } from '../codes';
import { fileAccess, fileFree, locklessGetter } from '../memory';
import { T_PENDING, fileEp, threadAddr, toggle } from '../layout';
import { cur, dropRef, label, pc, push, r, ret, setPc, violate } from '../frame';
import { mightSleep } from '../locks';
import { countIsZero, isEpoll, life, ref, refDecrement, setLife, watched } from '../objects';
import { refDropStable } from '../lockset';
import { Step } from '../steps';

enum FputR {
  File = 0,
  /** FPUT_CLOSE when filp_close pushed the put. */
  Mode = 1,
}

enum FputPc {
  Put = 0,
  /** file_ref_put's second atomic, pending (FILE_REF_NOREF). */
  RefDead = 1,
}

/** FputR.Mode of a put pushed by filp_close: with fput-close it is file_ref_put_close, one cmpxchg. */
const FPUT_CLOSE: i32 = 1;

/** filp_close(f): complain if the count is already zero, ->flush (sockets have none), then fput. */
export function stepFilpClose(): bool {
  // @step FilpFlush | filp_close | fs/open.c | filp_flush: "VFS: Close: file count is 0" check, ->flush (sockets:
  //   none)
  label(Step.FilpFlush);
  const f = r(FputR.File);
  if (!fileAccess(f, MemField.Count, Access.Read)) {
    // reported: file_count(filp) read freed memory
  } else if (countIsZero(f)) violate(Viol.CloseZeroCount, f);
  ret(0);
  push(Routine.Fput, f, FPUT_CLOSE, 0, 0, 0, 0);
  return true;
}

/** fput(f): drop one reference; the last one queues __fput on this task's task_work. */
export function stepFput(): bool {
  if (pc() == FputPc.RefDead) return stepFputRefDead();
  // @step Fput | fput | fs/file_table.c | file_ref_put(&file->f_ref); on the last reference queue __fput as task_work
  label(Step.Fput);
  const f = r(FputR.File);
  if (!fileAccess(f, MemField.Count, Access.Write)) {
    ret(0); // atomic_long_dec_and_test(&file->f_count) on freed memory: reported
    return true;
  }
  const c = refDecrement(f, refDropStable(f));
  if (c == 0) {
    violate(Viol.RefUnderflow, f);
    ret(0);
    return true;
  }
  if (!dropRef(f)) violate(Viol.RefMismatch, f); // a put of a reference this task never took
  if (c > 1) {
    ret(0);
    return true;
  }
  // file_ref_put (file-ref): the decrement left FILE_REF_NOREF, and __file_ref_put's cmpxchg to FILE_REF_DEAD is
  // a second atomic, in which a lockless fget's file_ref_get may revive the file. The window is a step of its own
  // only while some task holds such a pointer: no other task can reach a file whose count is zero (no fd slot
  // holds it), so otherwise the two atomics commute with every other step. filp_close's file_ref_put_close
  // (fput-close) is one cmpxchg; before file_ref_t, atomic_long_dec_and_test.
  if (toggle(Toggle.FileRef) && !(r(FputR.Mode) == FPUT_CLOSE && toggle(Toggle.FputClose)) && locklessGetter(f)) {
    setPc(FputPc.RefDead);
    return true;
  }
  return finalPut(f);
}

/** __file_ref_put's cmpxchg(NOREF, DEAD): it fails if a file_ref_get revived the count since the decrement, and
 *  the put was not the last. preempt_disable() around file_ref_put keeps the memory a struct file even if the
 *  reviver has put and freed it meanwhile (SLAB_TYPESAFE_BY_RCU): the cmpxchg then fails on whatever is there. */
function stepFputRefDead(): bool {
  // @step FputRefDead | __file_ref_put | fs/file.c | atomic_long_try_cmpxchg(&ref->refcnt, FILE_REF_NOREF,
  //   FILE_REF_DEAD): fails if a file_ref_get revived the file
  label(Step.FputRefDead);
  const f = r(FputR.File);
  if (life(f) != Life.Live || ref(f) != 0) {
    ret(0);
    return true;
  }
  return finalPut(f);
}

/** The count is dead: __fput is queued on this task's task_work (fput-task-work), or, before 4a9d4b024a31, runs
 *  right here, as a callee of the routine that put the file, under whatever locks it holds. */
function finalPut(f: i32): bool {
  setLife(f, Life.Dying);
  ret(0);
  if (!toggle(Toggle.FputTaskWork)) {
    push(Routine.FinalFput, f, 0, 0, 0, 0, 0);
    return true;
  }
  const p = threadAddr(cur) + T_PENDING;
  store<u16>(p, load<u16>(p) | <u16>(<i32>1 << f));
  return true;
}

enum FinalFputPc {
  EventpollRelease = 0,
  Release = 1,
  Free = 2,
}

/** __fput(f): eventpoll_release first ("must be the first called in the file cleanup chain"), then
 *  f_op->release (ep_eventpoll_release for an epoll file), then the struct is freed. */
export function stepFinalFput(): bool {
  const f = r(FputR.File);
  switch (pc()) {
    case FinalFputPc.EventpollRelease:
      // @step FputEventpollRelease | __fput | fs/file_table.c | eventpoll_release(file): if (file->f_ep)
      //   eventpoll_release_file(file)
      label(Step.FputEventpollRelease);
      mightSleep();
      fileAccess(f, MemField.FEp, Access.Read); // eventpoll_release: the lockless READ_ONCE(file->f_ep)
      setLife(f, Life.Releasing);
      setPc(FinalFputPc.Release);
      if (watched(f)) {
        push(toggle(Toggle.EpRefcount) ? Routine.ReleaseFileRef : Routine.EventpollReleaseFile, f, 0, 0, 0, 0, 0);
      }
      return true;
    case FinalFputPc.Release:
      if (isEpoll(f)) {
        // @step FputReleaseEpoll | __fput | fs/file_table.c | file->f_op->release = ep_eventpoll_release -> ep_free
        label(Step.FputReleaseEpoll);
        setPc(FinalFputPc.Free);
        push(toggle(Toggle.EpRefcount) ? Routine.EpClearAndPut : Routine.EpFree, fileEp(f), 0, 0, 0, 0, 0);
        return true;
      }
      // @step FputReleaseFree | __fput | fs/file_table.c | file->f_op->release (sock_close), then file_free(file):
      //   kmem_cache_free (SLAB_TYPESAFE_BY_RCU) or call_rcu before v6.7
      label(Step.FputReleaseFree);
      fileFree(f);
      ret(0);
      return true;
    default:
      // @step FputFree | __fput | fs/file_table.c | file_free(file): kmem_cache_free (SLAB_TYPESAFE_BY_RCU) or
      //   call_rcu(file_free_rcu) before v6.7
      label(Step.FputFree);
      fileFree(f);
      ret(0);
      return true;
  }
}
