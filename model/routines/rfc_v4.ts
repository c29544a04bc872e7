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
import { cur, holdRef, label, memViolate, pc, push, r, ret, setEpi, setPc, setR, violate } from '../frame';
import { EPMUTEX, acquire, lockId, mightSleep, release } from '../locks';
import { fepAt, itemEp, itemGet, ref, setRef, setSlot, slot } from '../objects';
import { Step } from '../steps';
import { callNow } from '../dispatch';
import { heldByOwnTable, markSem } from './rfc_v7';
import { SEM_CROSS_PROCESS, SEM_OTHER_FD, toggle } from '../layout';
import { Access, MemField, MemObj, Toggle, Viol } from '../codes';
import { fdtGen } from './expand';
import { advance, saveNext } from './release';
import { curItem } from './epitem';


/** eventpoll_replace_file(OLD, NEW). r0 = OLD, r1 = NEW, r2 = fd, r3 = events, r4 = data, r5 = ep. */
export function stepRfcEpReplace(): bool {
  switch (pc()) {
    case 0:
      label(Step.RfcLockEpmutex);
      mightSleep();
      if (!acquire(EPMUTEX)) return false;
      setPc(1);
      return true;
    case 1: {
      label(Step.RfcWalkFep);
      const first = fepAt(r(0), 0);
      if (first < 0) {
        setPc(5);
        return true;
      }
      setEpi(first + 1);
      saveNext(first);
      setPc(2);
      return true;
    }
    case 2: {
      label(Step.RfcLockEpMtx);
      const i = curItem();
      if (i < 0) {
        setPc(5);
        return true;
      }
      const ep = itemEp(i);
      mightSleep();
      if (!acquire(lockId(LockClass.EpMtx, ep))) return false;
      setR(5, ep);
      if (!heldByOwnTable(ep)) markSem(SEM_CROSS_PROCESS);
      setR(2, itemGet(i, I_FD));
      setR(3, itemGet(i, I_EVENTS));
      setR(4, itemGet(i, I_DATA));
      setPc(3);
      push(Routine.EpRemove, ep, 0, 0, 0, 0, 0);
      setEpi(i + 1);
      return true;
    }
    case 3:
      setPc(4);
      return callNow(Routine.EpInsert, r(5), r(1), r(2), r(3), r(4), 1);
    case 4:
      label(Step.RfcUnlockEpMtx);
      release(lockId(LockClass.EpMtx, r(5)));
      setPc(advance() ? 2 : 5);
      return true;
    default:
      label(Step.RfcUnlockEpmutex);
      release(EPMUTEX);
      ret(0);
      return true;
  }
}

/** do_replace's v3 fd walk: iterate_fd(files, 0, cb) with cb installing NEW over every other OLD slot, dropping
 *  file_lock around filp_close(OLD). r0 = OLD, r1 = NEW, r2 = the replaced fd N, r3 = next slot to look at. */
export function stepRfcFdWalk(): bool {
  const tb = threadTable(cur);
  const ft = lockId(LockClass.FileTable, tb);
  if (toggle(Toggle.RfcWalkV2)) return stepRfcFdWalkV2();
  switch (pc()) {
    case 0:
      label(Step.RfcIterateFdLock);
      if (!acquire(ft)) return false;
      setR(5, fdtGen(tb)); // fdt = files_fdtable(files), read once for the whole walk
      setPc(1);
      return true;
    case 1: {
      const old = <u8>(r(0) + 1);
      for (let n = r(3); n < nSlots; n++) {
        if (n != r(2) && slot(tb, n) == old) {
          label(Step.RfcReplaceFdCallback);
          markSem(SEM_OTHER_FD);
          const nf = r(1);
          setRef(nf, ref(nf) + 1);
          setSlot(tb, n, <u8>(nf + 1));
          holdRef(r(0)); // slot n's reference on OLD, to be dropped by filp_close below
          setR(3, n + 1);
          setPc(2);
          return true;
        }
      }
      label(Step.RfcIterateFdUnlock);
      release(ft);
      ret(0);
      return true;
    }
    case 2:
      label(Step.RfcCallbackUnlock);
      release(ft);
      setPc(3);
      push(Routine.FilpClose, r(0), 0, 0, 0, 0, 0);
      return true;
    default:
      label(Step.RfcCallbackRelock);
      if (!acquire(ft)) return false;
      // the cached fdt was replaced and freed (call_rcu) meanwhile, and file_lock is no RCU section across the unlock
      if (fdtGen(tb) != r(5)) memViolate(Viol.UafFdt, MemObj.Fdtable, tb, MemField.Slots, Access.Read);
      setPc(1);
      return true;
  }
}

/** The v2 walk: iterate_fd_locked(files, 0, cb) called WITHOUT file_lock; cb installs NEW in slot n and then
 *  pick_file(files, n) reads the slot back (NEW), clears it and returns NEW for filp_close. Net: fd n is closed,
 *  NEW's extra reference is dropped again, and slot n's reference on OLD is never dropped (a leak: OLD can never
 *  reach __fput). r3 = next slot to look at. */
function stepRfcFdWalkV2(): bool {
  const tb = threadTable(cur);
  const nf = r(1);
  switch (pc()) {
    case 0: {
      const old = <u8>(r(0) + 1);
      for (let n = r(3); n < nSlots; n++) {
        if (n != r(2) && slot(tb, n) == old) {
          label(Step.RfcV2Install);
          markSem(SEM_OTHER_FD);
          setRef(nf, ref(nf) + 1);
          setSlot(tb, n, <u8>(nf + 1)); // no file_lock held: the table's writers are not excluded
          setR(4, n);
          setPc(1);
          return true;
        }
      }
      label(Step.RfcV2WalkDone);
      ret(0);
      return true;
    }
    default: {
      label(Step.RfcV2PickFile);
      const n = r(4);
      const v = slot(tb, n);
      setSlot(tb, n, <u8>SLOT_EMPTY);
      setR(3, n + 1);
      setPc(0);
      if (v != <u8>SLOT_EMPTY && v != <u8>SLOT_RESERVED) {
        holdRef(v - 1);
        push(Routine.FilpClose, v - 1, 0, 0, 0, 0, 0);
      }
      return true;
    }
  }
}
