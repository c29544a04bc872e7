// The RFC as revised in v5..v7 (2023-04/05; v7 against the refcount epoll of v6.4): docs/model.md §C.2.
// seccomp_handle_addfd with SECCOMP_ADDFD_FLAG_REPLACE_REF calls eventpoll_replace_file(OLD, NEW, tfd) before
// receive_fd_replace. It walks OLD->f_ep under OLD->f_lock with a saved `next` pointer, dropping f_lock around
// every item (also those it skips), and for items with ffd.fd == tfd: ep_get, unlock, ep->mtx, ep_insert
// (full_check = 1, but no epnested_mutex, no ep_find, no loop check). Then a cleanup loop removes the items of
// the losing file, re-reading the FIRST entry each time. Never merged; modelled from the posted patches.
// v6 took ep->mtx while still holding f_lock (toggle rfc-v6-lock-order).
//
// r0 = OLD, r1 = NEW, r2 = tfd, r3 = fd (walk) / first entry last seen (cleanup), r4 = events,
// r5 = data (walk) / rounds without progress (cleanup), r6 = ep, r7 = error.

import { LockClass, Routine, Toggle, Viol } from '../codes';
import { G_SEM, I_DATA, I_EVENTS, I_FD, IF_DYING, SEM_CROSS_PROCESS, epFile, gAddr, nSlots, threadTable, toggle } from '../layout';
import { FP_GLOBAL, cur, epi, fpWrite, label, pc, push, r, ret, rv, setEpi, setPc, setR, violate } from '../frame';
import { acquire, acquireEp, lockId, mightSleep, release } from '../locks';
import { canPoll, fepAt, itemEp, itemGet, itemSetFlag, slot } from '../objects';
import { Step } from '../steps';
import { callNow } from '../dispatch';
import { RM_FORCE, curItem, epFree, epPut, epRef, setEpRef } from './epitem';
import { advance, saveNext } from './release';

function fl(f: i32): i32 {
  return lockId(LockClass.FLock, f);
}

/** Does the current task's table hold an fd on this epoll? (Else moving its items is a cross-process effect.) */
export function heldByOwnTable(ep: i32): bool {
  const tb = threadTable(cur);
  const want = <u8>(epFile(ep) + 1);
  for (let fd = 0; fd < nSlots; fd++) if (slot(tb, fd) == want) return true;
  return false;
}

export function markSem(bit: i32): void {
  fpWrite(FP_GLOBAL);
  store<u8>(gAddr(G_SEM), load<u8>(gAddr(G_SEM)) | <u8>bit);
}

export function stepRfcV7EpReplace(): bool {
  const old = r(0);
  const victim = r(7) != 0 ? r(1) : r(0);
  switch (pc()) {
    case 0: {
      label(Step.V7LockFile);
      if (!canPoll(r(1))) {
        ret(0); // V1: silently nothing
        return true;
      }
      if (!acquire(fl(old))) return false;
      const first = fepAt(old, 0);
      if (first < 0) {
        setPc(9);
        return true;
      }
      setEpi(first + 1);
      saveNext(first);
      setPc(1);
      return true;
    }
    case 1: {
      const i = curItem();
      if (i < 0) {
        setPc(9);
        return true;
      }
      const fd = itemGet(i, I_FD);
      if (fd != r(2)) {
        label(Step.V7SkipUnlock); // fd != tfd: spin_unlock; spin_lock; continue with the saved next
        release(fl(old));
        setPc(2);
        return true;
      }
      const ep = itemEp(i);
      label(Step.V7EpGet);
      setEpRef(ep, epRef(ep) + 1); // ep_get(ep)
      setR(6, ep);
      setR(3, fd);
      setR(4, itemGet(i, I_EVENTS));
      setR(5, itemGet(i, I_DATA));
      if (!heldByOwnTable(ep)) markSem(SEM_CROSS_PROCESS);
      if (toggle(Toggle.RfcV6LockOrder)) {
        setPc(15); // v6: mutex_lock(&ep->mtx) with f_lock still held
        return true;
      }
      release(fl(old));
      setPc(3);
      return true;
    }
    case 15:
      label(Step.V6LockMtxUnderFLock);
      mightSleep(); // a sleeping lock under a spinlock: reported as sleep-in-atomic
      if (!acquireEp(r(6))) return false;
      release(fl(old));
      setPc(4);
      return true;
    case 2:
      label(Step.V7Relock);
      if (!acquire(fl(old))) return false;
      setPc(advance() ? 1 : 9);
      return true;
    case 3:
      label(Step.V7LockMtx);
      mightSleep();
      if (!acquireEp(r(6))) return false;
      setPc(4);
      return true;
    case 4:
      setPc(5);
      return callNow(Routine.EpInsert, r(6), r(1), r(3), r(4), r(5), 1);
    case 5:
      label(Step.V7UnlockMtx);
      release(lockId(LockClass.EpMtx, r(6)));
      if (rv() != 0) {
        setR(7, rv()); // goto cleanup: the ep_get reference is never dropped
        setPc(10);
        return true;
      }
      setPc(6);
      return true;
    case 6:
      label(Step.V7EpPut);
      if (epPut(r(6))) violate(Viol.EpRefcount, r(6)); // WARN_ON_ONCE(ep_refcount_dec_and_test(ep))
      setPc(7);
      return true;
    case 7:
      label(Step.V7Relock);
      if (!acquire(fl(old))) return false;
      setPc(advance() ? 1 : 9);
      return true;
    case 9:
      label(Step.V7UnlockFile);
      release(fl(old));
      setR(3, 0xff);
      setR(5, 0);
      setPc(10);
      return true;
    case 10:
      label(Step.V7CleanupLock);
      if (!acquire(fl(victim))) return false;
      setPc(11);
      return true;
    case 11: {
      const first = fepAt(victim, 0);
      if (first < 0) {
        label(Step.V7CleanupDone);
        release(fl(victim));
        ret(r(7));
        return true;
      }
      if (itemGet(first, I_FD) != r(2)) {
        // The first entry belongs to another fd: unlock and look at the first entry again. Nothing here counts
        // the rounds: when nothing changed, the state repeats, and the graph-level progress check
        // (checker/search/progress.ts) finds the cycle.
        label(Step.V7CleanupRestart);
        release(fl(victim));
        setR(3, first);
        setPc(10);
        return true;
      }
      label(Step.V7CleanupClaim);
      itemSetFlag(first, IF_DYING, true);
      setEpi(first + 1);
      setR(6, itemEp(first));
      setR(3, 0xff);
      setR(5, 0);
      release(fl(victim));
      setPc(12);
      return true;
    }
    case 12: {
      label(Step.V7CleanupLockMtx);
      mightSleep();
      if (!acquireEp(r(6))) return false;
      const claimed = epi();
      setPc(13);
      push(Routine.EpRemove, r(6), 0, RM_FORCE, 0, 0, 0);
      setEpi(claimed);
      return true;
    }
    case 13:
      label(Step.V7CleanupUnlock);
      release(lockId(LockClass.EpMtx, r(6)));
      if (rv() != 0 && !toggle(Toggle.UnlockBeforePut)) epFree(r(6)); // if (dispose) ep_free(ep)
      else if (rv() != 0 && epPut(r(6))) epFree(r(6));
      setPc(10);
      return true;
    default:
      unreachable();
      return false;
  }
}
