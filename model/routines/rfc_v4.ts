// The 2023 RFC "file, epoll: Implement do_replace() and eventpoll_replace()" (v2/v3 code, reviewed as v4), against
// the v6.2-style epoll: docs/model.md §C.1. Not kernel code that was ever merged; modelled from the posted patch.
//
// eventpoll_replace_file(toreplace, file) walks toreplace->f_ep under epmutex with a saved `next`, and for each
// epitem — whichever epoll and process it belongs to — removes it and re-inserts (file, same fd number) with
// full_check = 1 and no ep_find, no loop check and no clear_tfile_check_list; ep_insert's result is ignored.
// do_replace then walks the fd table (v3: iterate_fd with file_lock, dropped around filp_close) and installs
// file in every other slot that held toreplace.

import { LockClass, Routine } from '../codes';
import { I_DATA, I_EVENTS, I_FD, SLOT_EMPTY, SLOT_RESERVED, nSlots, threadTable } from '../layout';
import { cur, holdRef, label, memViolate, pc, push, r, ret, setPc, setR } from '../frame';
import { EPMUTEX, acquire, lockId, mightSleep, release } from '../locks';
import { itemEp, itemGet, ref, setRef, setSlot, slot } from '../objects';
import { Step } from '../steps';
import { callNow } from '../dispatch';
import { heldByOwnTable, markSem } from './rfc_v7';
import { SEM_CROSS_PROCESS, SEM_OTHER_FD, toggle } from '../layout';
import { Access, MemField, MemObj, Toggle, Viol } from '../codes';
import { fdtGen } from './expand';
import { RM_OLD } from './epitem';
import { WALK_BLOCKED, WALK_OVER, callEpRemove, walkFirst, walkLockItem, walkUnlockNext } from './fep_walk';


/** eventpoll_replace_file (RFC v4): program counters. */
enum EpReplacePc {
  LockEpmutex = 0,
  WalkFep = 1,
  LockEpMtx = 2,
  Insert = 3,
  UnlockEpMtx = 4,
  UnlockEpmutex = 5,
}
enum EpReplaceR {
  Old = 0,
  New = 1,
  Fd = 2,
  Events = 3,
  Data = 4,
  Ep = 5,
}

/** eventpoll_replace_file(OLD, NEW). r0 = OLD, r1 = NEW, r2 = fd, r3 = events, r4 = data, r5 = ep. */
export function stepRfcEpReplace(): bool {
  switch (pc()) {
    case EpReplacePc.LockEpmutex:
      // @step RfcLockEpmutex | eventpoll_replace_file | fs/eventpoll.c (RFC v4 patch) | mutex_lock(&epmutex)
      label(Step.RfcLockEpmutex);
      mightSleep();
      if (!acquire(EPMUTEX)) return false;
      setPc(EpReplacePc.WalkFep);
      return true;
    case EpReplacePc.WalkFep:
      // @step RfcWalkFep | eventpoll_replace_file | fs/eventpoll.c (RFC v4 patch) | hlist_for_each_entry_safe(epi,
      //   next, toreplace->f_ep, fllink)
      label(Step.RfcWalkFep);
      walkFirst(r(EpReplaceR.Old), EpReplacePc.LockEpMtx, EpReplacePc.UnlockEpmutex);
      return true;
    case EpReplacePc.LockEpMtx: {
      // @step RfcLockEpMtx | eventpoll_replace_file | fs/eventpoll.c (RFC v4 patch) | ep = epi->ep;
      //   mutex_lock(&ep->mtx); fd = epi->ffd.fd; ep_remove(ep, epi)
      label(Step.RfcLockEpMtx);
      const i = walkLockItem(EpReplacePc.UnlockEpmutex);
      if (i == WALK_BLOCKED) return false;
      if (i == WALK_OVER) return true;
      const ep = itemEp(i);
      setR(EpReplaceR.Ep, ep);
      if (!heldByOwnTable(ep)) markSem(SEM_CROSS_PROCESS);
      setR(EpReplaceR.Fd, itemGet(i, I_FD));
      setR(EpReplaceR.Events, itemGet(i, I_EVENTS));
      setR(EpReplaceR.Data, itemGet(i, I_DATA));
      setPc(EpReplacePc.Insert);
      callEpRemove(ep, i, 0, RM_OLD);
      return true;
    }
    case EpReplacePc.Insert:
      setPc(EpReplacePc.UnlockEpMtx);
      return callNow(Routine.EpInsert, r(EpReplaceR.Ep), r(EpReplaceR.New), r(EpReplaceR.Fd), r(EpReplaceR.Events), r(EpReplaceR.Data), 1);
    case EpReplacePc.UnlockEpMtx:
      // @step RfcUnlockEpMtx | eventpoll_replace_file | fs/eventpoll.c (RFC v4 patch) | mutex_unlock(&ep->mtx); epi =
      //   next
      label(Step.RfcUnlockEpMtx);
      walkUnlockNext(r(EpReplaceR.Ep), EpReplacePc.LockEpMtx, EpReplacePc.UnlockEpmutex);
      return true;
    default:
      // @step RfcUnlockEpmutex | eventpoll_replace_file | fs/eventpoll.c (RFC v4 patch) | mutex_unlock(&epmutex)
      label(Step.RfcUnlockEpmutex);
      release(EPMUTEX);
      ret(0);
      return true;
  }
}

/** do_replace's v3 fd walk: program counters. */
enum FdWalkPc {
  Lock = 0,
  Scan = 1,
  CallbackUnlock = 2,
  Relock = 3,
}
/** do_replace's fd walk (v3 and v2 share the frame): registers. */
enum FdWalkR {
  Old = 0,
  New = 1,
  Fd = 2,
  Next = 3,
  Picked = 4,
  Fdt = 5,
}

/** do_replace's v3 fd walk: iterate_fd(files, 0, cb) with cb installing NEW over every other OLD slot, dropping
 *  file_lock around filp_close(OLD). r0 = OLD, r1 = NEW, r2 = the replaced fd N, r3 = next slot to look at. */
export function stepRfcFdWalk(): bool {
  const tb = threadTable(cur);
  const ft = lockId(LockClass.FileTable, tb);
  if (toggle(Toggle.RfcWalkV2)) return stepRfcFdWalkV2();
  switch (pc()) {
    case FdWalkPc.Lock:
      // @step RfcIterateFdLock | iterate_fd | fs/file.c | spin_lock(&files->file_lock) (do_replace's walk of every
      //   fd)
      label(Step.RfcIterateFdLock);
      if (!acquire(ft)) return false;
      setR(FdWalkR.Fdt, fdtGen(tb)); // fdt = files_fdtable(files), read once for the whole walk
      setPc(FdWalkPc.Scan);
      return true;
    case FdWalkPc.Scan: {
      const old = <u8>(r(FdWalkR.Old) + 1);
      for (let n = r(FdWalkR.Next); n < nSlots; n++) {
        if (n != r(FdWalkR.Fd) && slot(tb, n) == old) {
          // @step RfcReplaceFdCallback | do_replace (iterate_fd callback) | fs/file.c (RFC v4 patch) | fd[n] ==
          //   toreplace: get_file(file); rcu_assign_pointer(fd[n], file)
          label(Step.RfcReplaceFdCallback);
          markSem(SEM_OTHER_FD);
          const nf = r(FdWalkR.New);
          setRef(nf, ref(nf) + 1);
          setSlot(tb, n, <u8>(nf + 1));
          holdRef(r(FdWalkR.Old)); // slot n's reference on OLD, to be dropped by filp_close below
          setR(FdWalkR.Next, n + 1);
          setPc(FdWalkPc.CallbackUnlock);
          return true;
        }
      }
      // @step RfcIterateFdUnlock | iterate_fd | fs/file.c | no more slots: spin_unlock(&files->file_lock)
      label(Step.RfcIterateFdUnlock);
      release(ft);
      ret(0);
      return true;
    }
    case FdWalkPc.CallbackUnlock:
      // @step RfcCallbackUnlock | do_replace (iterate_fd callback) | fs/file.c (RFC v4 patch) | spin_unlock(&files->file_lock);
      //   filp_close(toreplace)
      label(Step.RfcCallbackUnlock);
      release(ft);
      setPc(FdWalkPc.Relock);
      push(Routine.FilpClose, r(FdWalkR.Old), 0, 0, 0, 0, 0);
      return true;
    default:
      // @step RfcCallbackRelock | do_replace (iterate_fd callback) | fs/file.c (RFC v4 patch) | cond_resched();
      //   spin_lock(&files->file_lock); continue with the cached fdt
      label(Step.RfcCallbackRelock);
      if (!acquire(ft)) return false;
      // the cached fdt was replaced and freed (call_rcu) meanwhile, and file_lock is no RCU section across the unlock
      if (fdtGen(tb) != r(FdWalkR.Fdt)) memViolate(Viol.UafFdt, MemObj.Fdtable, tb, MemField.Slots, Access.Read);
      setPc(FdWalkPc.Scan);
      return true;
  }
}

/** do_replace's v2 fd walk: program counters. */
enum FdWalkV2Pc {
  Install = 0,
  PickFile = 1,
}

/** The v2 walk: iterate_fd_locked(files, 0, cb) called WITHOUT file_lock; cb installs NEW in slot n and then
 *  pick_file(files, n) reads the slot back (NEW), clears it and returns NEW for filp_close. Net: fd n is closed,
 *  NEW's extra reference is dropped again, and slot n's reference on OLD is never dropped (a leak: OLD can never
 *  reach __fput). r3 = next slot to look at. */
function stepRfcFdWalkV2(): bool {
  const tb = threadTable(cur);
  const nf = r(FdWalkR.New);
  switch (pc()) {
    case FdWalkV2Pc.Install: {
      const old = <u8>(r(FdWalkR.Old) + 1);
      for (let n = r(FdWalkR.Next); n < nSlots; n++) {
        if (n != r(FdWalkR.Fd) && slot(tb, n) == old) {
          // @step RfcV2Install | do_replace (iterate_fd_locked callback, v2) | fs/file.c (RFC v4 patch) | get_file(file);
          //   rcu_assign_pointer(fdt->fd[n], file) — without file_lock
          label(Step.RfcV2Install);
          markSem(SEM_OTHER_FD);
          setRef(nf, ref(nf) + 1);
          setSlot(tb, n, <u8>(nf + 1)); // no file_lock held: the table's writers are not excluded
          setR(FdWalkR.Picked, n);
          setPc(FdWalkV2Pc.PickFile);
          return true;
        }
      }
      // @step RfcV2WalkDone | iterate_fd_locked (v2) | fs/file.c (RFC v4 patch) | no more slots
      label(Step.RfcV2WalkDone);
      ret(0);
      return true;
    }
    default: {
      // @step RfcV2PickFile | do_replace (iterate_fd_locked callback, v2) | fs/file.c (RFC v4 patch) | tofree =
      //   pick_file(files, n) reads NEW back and clears the slot; filp_close(tofree)
      label(Step.RfcV2PickFile);
      const n = r(FdWalkR.Picked);
      const v = slot(tb, n);
      setSlot(tb, n, <u8>SLOT_EMPTY);
      setR(FdWalkR.Next, n + 1);
      setPc(FdWalkV2Pc.Install);
      if (v != <u8>SLOT_EMPTY && v != <u8>SLOT_RESERVED) {
        holdRef(v - 1);
        push(Routine.FilpClose, v - 1, 0, 0, 0, 0, 0);
      }
      return true;
    }
  }
}
