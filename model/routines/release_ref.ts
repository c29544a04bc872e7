// Release paths after 58c9b016e128 "epoll: use refcount to reduce ep_mutex contention" (v6.4): no global mutex.
// eventpoll_release_file claims one epitem at a time under the file's f_lock (epi->dying), then removes it under
// ep->mtx; ep_clear_and_put skips claimed items. ep->refcount (1 for the epoll file + 1 per epitem) decides who
// frees the eventpoll. mutex_unlock is two steps here (ownership handed over, then the unlocking task still
// touches the mutex): a free of the eventpoll in between is the use-after-free 8c2e52ebbe88 fixed (docs/model.md §F.12).

import { Access, EpLife, LockClass, MemField } from '../codes';
import { epAccess } from '../memory';
import { E_LIFE, epAddr, nItems } from '../layout';
import { label, pc, r, ret, rv, setPc, setR } from '../frame';
import { acquire, acquireEp, lockId, mightSleep, release } from '../locks';
import { epFirstFrom, fepAt, itemEp, itemSetPollwait, itemUsed, keyOf } from '../objects';
import { Step } from '../steps';
import { RM_FORCE, RM_SAFE, epFree, epFreed, epPut } from './epitem';
import { callEpRemove, claimItem, removeClaimed } from './fep_walk';
import { disposeUnderMutex, putAfterUnlock } from './ep_ref';

function mtx(ep: i32): i32 {
  return lockId(LockClass.EpMtx, ep);
}

/** The second half of mutex_unlock: the task that handed the mutex over still touches it (wait_list, owner). */
function unlockTail(ep: i32): void {
  epAccess(ep, MemField.Mtx, Access.Unlock);
}

/** eventpoll_release_file [current]: program counters. */
enum ReleaseRefPc {
  LockFile = 0,
  Claim = 1,
  LockEpMtx = 2,
  Unlock = 3,
  UnlockTail = 4,
  Put = 5,
  Free = 6,
}
enum ReleaseRefR {
  File = 0,
  Ep = 1,
  Dispose = 2,
}

/** eventpoll_release_file(file) [current]. r0 = file, r1 = ep, r2 = dispose. */
export function stepReleaseFileRef(): bool {
  const f = r(ReleaseRefR.File);
  switch (pc()) {
    case ReleaseRefPc.LockFile:
      // @step ReleaseRefLockFile | eventpoll_release_file | fs/eventpoll.c | spin_lock(&file->f_lock)
      label(Step.ReleaseRefLockFile);
      if (!acquire(lockId(LockClass.FLock, f))) return false;
      setPc(ReleaseRefPc.Claim);
      return true;
    case ReleaseRefPc.Claim: {
      const i = fepAt(f, 0);
      if (i < 0) {
        // @step ReleaseRefDone | eventpoll_release_file | fs/eventpoll.c | hlist_empty(file->f_ep):
        //   spin_unlock(&file->f_lock); return
        label(Step.ReleaseRefDone);
        release(lockId(LockClass.FLock, f));
        ret(0);
        return true;
      }
      // @step ReleaseRefClaim | eventpoll_release_file | fs/eventpoll.c | epi = first on f_ep; epi->dying = true;
      //   spin_unlock(&file->f_lock)
      label(Step.ReleaseRefClaim);
      setR(ReleaseRefR.Ep, claimItem(i));
      release(lockId(LockClass.FLock, f));
      setPc(ReleaseRefPc.LockEpMtx);
      return true;
    }
    case ReleaseRefPc.LockEpMtx: {
      // @step ReleaseRefLockEpMtx | eventpoll_release_file | fs/eventpoll.c | ep = epi->ep; mutex_lock(&ep->mtx);
      //   dispose = __ep_remove(ep, epi, true)
      label(Step.ReleaseRefLockEpMtx);
      return removeClaimed(r(ReleaseRefR.Ep), RM_FORCE, ReleaseRefPc.Unlock);
    }
    case ReleaseRefPc.Unlock:
      // @step ReleaseRefUnlock | eventpoll_release_file | fs/eventpoll.c | mutex_unlock(&ep->mtx) (ownership handed
      //   over)
      label(Step.ReleaseRefUnlock);
      setR(ReleaseRefR.Dispose, rv()); // dispose: this epitem held the last reference but one (or the last, before v6.16)
      release(mtx(r(ReleaseRefR.Ep)));
      setPc(ReleaseRefPc.UnlockTail);
      return true;
    case ReleaseRefPc.UnlockTail:
      // @step MutexUnlockTail | __mutex_unlock_slowpath | kernel/locking/mutex.c | the unlocking task still touches
      //   the mutex (wait_list) after handing it over
      label(Step.MutexUnlockTail);
      unlockTail(r(ReleaseRefR.Ep));
      if (r(ReleaseRefR.Dispose) == 0) setPc(ReleaseRefPc.LockFile);
      else setPc(putAfterUnlock() ? ReleaseRefPc.Put : ReleaseRefPc.Free);
      return true;
    case ReleaseRefPc.Put:
      // @step ReleaseRefPut | eventpoll_release_file | fs/eventpoll.c | if (dispose && ep_refcount_dec_and_test(ep))
      //   ep_free(ep)
      label(Step.ReleaseRefPut);
      setPc(epPut(r(ReleaseRefR.Ep)) ? ReleaseRefPc.Free : ReleaseRefPc.LockFile);
      return true;
    default:
      // @step EpFreeRef | ep_free | fs/eventpoll.c | mutex_destroy(&ep->mtx); free_uid(ep->user); kfree(ep)
      label(Step.EpFreeRef);
      epFree(r(ReleaseRefR.Ep));
      setPc(ReleaseRefPc.LockFile);
      return true;
  }
}

/** ep_clear_and_put [current]: program counters. */
enum ClearPc {
  LockMtx = 0,
  UnregisterPollwait = 1,
  RemoveNext = 2,
  UnlockTail = 3,
  Put = 4,
  Free = 5,
}
enum ClearR {
  Ep = 0,
  CursorFile = 1,
  CursorFd = 2,
  Dispose = 3,
}

/** ep_clear_and_put(ep) [current], the epoll file's release. r0 = ep, r1/r2 = rbtree cursor (file, fd + 1),
 *  r3 = dispose (before v6.16: decided under the mutex). */
export function stepEpClearAndPut(): bool {
  const ep = r(ClearR.Ep);
  switch (pc()) {
    case ClearPc.LockMtx:
      // @step ClearLockMtx | ep_clear_and_put | fs/eventpoll.c | mutex_lock(&ep->mtx)
      label(Step.ClearLockMtx);
      mightSleep();
      if (!acquireEp(ep)) return false;
      setPc(ClearPc.UnregisterPollwait);
      return true;
    case ClearPc.UnregisterPollwait:
      // @step ClearUnregisterPollwait | ep_clear_and_put | fs/eventpoll.c | ep_unregister_pollwait() for every epitem
      label(Step.ClearUnregisterPollwait);
      for (let i = 0; i < nItems; i++) if (itemUsed(i) && itemEp(i) == ep) itemSetPollwait(i, false);
      setPc(ClearPc.RemoveNext);
      return true;
    case ClearPc.RemoveNext: {
      const i = epFirstFrom(ep, (r(ClearR.CursorFile) << 8) | r(ClearR.CursorFd));
      if (i >= 0) {
        // rb_first/rb_next walk: ep_remove_safe skips items eventpoll_release_file has claimed.
        // @step ClearRemoveSafe | ep_clear_and_put | fs/eventpoll.c | rb_next walk: ep_remove_safe(ep, epi) (skips
        //   items with epi->dying)
        label(Step.ClearRemoveSafe);
        const k = keyOf(i) + 1;
        setR(ClearR.CursorFile, k >> 8);
        setR(ClearR.CursorFd, k & 0xff);
        callEpRemove(ep, i, 0, RM_SAFE);
        return true;
      }
      if (putAfterUnlock()) {
        // @step ClearUnlock | ep_clear_and_put | fs/eventpoll.c | mutex_unlock(&ep->mtx) (ownership handed over)
        label(Step.ClearUnlock);
      } else {
        // @step ClearPutUnlock | ep_clear_and_put | fs/eventpoll.c | dispose = ep_refcount_dec_and_test(ep);
        //   mutex_unlock(&ep->mtx) (v6.4..v6.15 order)
        label(Step.ClearPutUnlock);
        setR(ClearR.Dispose, disposeUnderMutex(ep) ? 1 : 0); // v6.4..v6.15: ep_refcount_dec_and_test(ep) here
      }
      release(mtx(ep));
      setPc(ClearPc.UnlockTail);
      return true;
    }
    case ClearPc.UnlockTail:
      label(Step.MutexUnlockTail);
      unlockTail(ep);
      if (putAfterUnlock()) setPc(ClearPc.Put);
      else if (r(ClearR.Dispose) != 0) setPc(ClearPc.Free);
      else orphan(ep);
      return true;
    case ClearPc.Put:
      // @step ClearPut | ep_clear_and_put | fs/eventpoll.c | if (ep_refcount_dec_and_test(ep)) ep_free(ep) (v6.16
      //   order: after the unlock)
      label(Step.ClearPut);
      if (epPut(ep)) setPc(ClearPc.Free);
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
