// Release paths after 58c9b016e128 "epoll: use refcount to reduce ep_mutex contention" (v6.4): no global mutex.
// eventpoll_release_file claims one epitem at a time under the file's f_lock (epi->dying), then removes it under
// ep->mtx; ep_clear_and_put skips claimed items. ep->refcount (1 for the epoll file + 1 per epitem) decides who
// frees the eventpoll. mutex_unlock is two steps here (ownership handed over, then the unlocking task still
// touches the mutex): a free of the eventpoll in between is the use-after-free 8c2e52ebbe88 fixed (docs/model.md §F.12).

import { Access, EpLife, LockClass, MemField, Routine, Toggle } from '../codes';
import { epAccess } from '../memory';
import { E_LIFE, IF_DYING, IF_PWQ, epAddr, nItems, toggle } from '../layout';
import { epi, label, pc, push, r, ret, rv, setEpi, setPc, setR } from '../frame';
import { acquire, acquireEp, lockId, mightSleep, release } from '../locks';
import { epFirstFrom, fepAt, itemEp, itemSetFlag, itemUsed, keyOf } from '../objects';
import { Step } from '../steps';
import { RM_FORCE, RM_SAFE, epFree, epFreed, epPut } from './epitem';

function mtx(ep: i32): i32 {
  return lockId(LockClass.EpMtx, ep);
}

/** The second half of mutex_unlock: the task that handed the mutex over still touches it (wait_list, owner). */
function unlockTail(ep: i32): void {
  epAccess(ep, MemField.Mtx, Access.Unlock);
}

/** eventpoll_release_file(file) [current]. r0 = file, r1 = ep, r2 = dispose. */
export function stepReleaseFileRef(): bool {
  const f = r(0);
  switch (pc()) {
    case 0:
      label(Step.ReleaseRefLockFile);
      if (!acquire(lockId(LockClass.FLock, f))) return false;
      setPc(1);
      return true;
    case 1: {
      const i = fepAt(f, 0);
      if (i < 0) {
        label(Step.ReleaseRefDone);
        release(lockId(LockClass.FLock, f));
        ret(0);
        return true;
      }
      label(Step.ReleaseRefClaim);
      itemSetFlag(i, IF_DYING, true);
      setEpi(i + 1);
      setR(1, itemEp(i));
      release(lockId(LockClass.FLock, f));
      setPc(2);
      return true;
    }
    case 2: {
      label(Step.ReleaseRefLockEpMtx);
      mightSleep();
      const ep = r(1);
      if (!acquireEp(ep)) return false;
      const claimed = epi();
      setPc(3);
      push(Routine.EpRemove, ep, 0, RM_FORCE, 0, 0, 0);
      setEpi(claimed);
      return true;
    }
    case 3:
      label(Step.ReleaseRefUnlock);
      setR(2, rv()); // dispose: this epitem held the last reference but one (or the last, before v6.16)
      release(mtx(r(1)));
      setPc(4);
      return true;
    case 4:
      label(Step.MutexUnlockTail);
      unlockTail(r(1));
      if (r(2) == 0) setPc(0);
      else setPc(toggle(Toggle.UnlockBeforePut) ? 5 : 6);
      return true;
    case 5:
      label(Step.ReleaseRefPut);
      setPc(epPut(r(1)) ? 6 : 0);
      return true;
    default:
      label(Step.EpFreeRef);
      epFree(r(1));
      setPc(0);
      return true;
  }
}

/** ep_clear_and_put(ep) [current], the epoll file's release. r0 = ep, r1/r2 = rbtree cursor (file, fd + 1),
 *  r3 = dispose (before v6.16: decided under the mutex). */
export function stepEpClearAndPut(): bool {
  const ep = r(0);
  switch (pc()) {
    case 0:
      label(Step.ClearLockMtx);
      mightSleep();
      if (!acquireEp(ep)) return false;
      setPc(1);
      return true;
    case 1:
      label(Step.ClearUnregisterPollwait);
      for (let i = 0; i < nItems; i++) if (itemUsed(i) && itemEp(i) == ep) itemSetFlag(i, IF_PWQ, false);
      setPc(2);
      return true;
    case 2: {
      const i = epFirstFrom(ep, (r(1) << 8) | r(2));
      if (i >= 0) {
        // rb_first/rb_next walk: ep_remove_safe skips items eventpoll_release_file has claimed.
        label(Step.ClearRemoveSafe);
        const k = keyOf(i) + 1;
        setR(1, k >> 8);
        setR(2, k & 0xff);
        push(Routine.EpRemove, ep, 0, RM_SAFE, 0, 0, 0);
        setEpi(i + 1);
        return true;
      }
      if (toggle(Toggle.UnlockBeforePut)) {
        label(Step.ClearUnlock);
      } else {
        label(Step.ClearPutUnlock);
        setR(3, epPut(ep) ? 1 : 0); // v6.4..v6.15: dispose = ep_refcount_dec_and_test(ep) under the mutex
      }
      release(mtx(ep));
      setPc(3);
      return true;
    }
    case 3:
      label(Step.MutexUnlockTail);
      unlockTail(ep);
      if (toggle(Toggle.UnlockBeforePut)) setPc(4);
      else if (r(3) != 0) setPc(5);
      else orphan(ep);
      return true;
    case 4:
      label(Step.ClearPut);
      if (epPut(ep)) setPc(5);
      else orphan(ep);
      return true;
    default:
      label(Step.EpFreeRef);
      epFree(ep);
      ret(0);
      return true;
  }
}

/** The epoll file is gone but epitems claimed by a concurrent eventpoll_release_file still hold references. */
function orphan(ep: i32): void {
  if (!epFreed(ep)) store<u8>(epAddr(ep) + E_LIFE, <u8>EpLife.Orphan);
  ret(0);
}
