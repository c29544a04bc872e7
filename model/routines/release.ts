// Release paths of the v6.2-style epoll (fs/eventpoll.c before 58c9b016e128): eventpoll_release_file, run by the
// final __fput of a watched file, and ep_free, run by the release of an epoll file. Both are serialised by the
// global epmutex; that is what makes eventpoll_release_file's unlocked walk of file->f_ep safe.

import { LockClass } from '../codes';
import { epFreeMemory } from '../memory';
import { nItems } from '../layout';
import { label, pc, r, ret, setPc, setR } from '../frame';
import { EPMUTEX, acquire, lockId, mightSleep, release } from '../locks';
import { epFirst, itemEp, itemSetPollwait, itemUsed } from '../objects';
import { Step } from '../steps';
import { RM_OLD } from './epitem';
import { WALK_BLOCKED, WALK_OVER, callEpRemove, lockEpMtx, walkFirst, walkLockItem, walkUnlockNext } from './fep_walk';

/** eventpoll_release_file [v6.2-style]: program counters. */
enum ReleasePc {
  LockEpmutex = 0,
  WalkFep = 1,
  LockEpMtx = 2,
  UnlockEpMtx = 3,
  UnlockEpmutex = 4,
}
enum ReleaseR {
  File = 0,
  Ep = 1,
}

/** eventpoll_release_file(file) [v6.2-style]. r0 = file, r1 = ep being worked on. */
export function stepEventpollReleaseFile(): bool {
  switch (pc()) {
    case ReleasePc.LockEpmutex:
      // @step ReleaseLockEpmutex | eventpoll_release_file | fs/eventpoll.c | mutex_lock(&epmutex)
      label(Step.ReleaseLockEpmutex);
      mightSleep();
      if (!acquire(EPMUTEX)) return false;
      setPc(ReleasePc.WalkFep);
      return true;
    case ReleasePc.WalkFep:
      // @step ReleaseWalkFep | eventpoll_release_file | fs/eventpoll.c | hlist_for_each_entry_safe(epi, next,
      //   file->f_ep, fllink)
      label(Step.ReleaseWalkFep);
      walkFirst(r(ReleaseR.File), ReleasePc.LockEpMtx, ReleasePc.UnlockEpmutex);
      return true;
    case ReleasePc.LockEpMtx: {
      // @step ReleaseLockEpMtx | eventpoll_release_file | fs/eventpoll.c | ep = epi->ep; mutex_lock_nested(&ep->mtx,
      //   0); ep_remove(ep, epi)
      label(Step.ReleaseLockEpMtx);
      const i = walkLockItem(ReleasePc.UnlockEpmutex);
      if (i == WALK_BLOCKED) return false;
      if (i == WALK_OVER) return true;
      const ep = itemEp(i);
      setR(ReleaseR.Ep, ep);
      setPc(ReleasePc.UnlockEpMtx);
      callEpRemove(ep, i, 0, RM_OLD);
      return true;
    }
    case ReleasePc.UnlockEpMtx:
      // @step ReleaseUnlockEpMtx | eventpoll_release_file | fs/eventpoll.c | mutex_unlock(&ep->mtx); epi = next
      label(Step.ReleaseUnlockEpMtx);
      walkUnlockNext(r(ReleaseR.Ep), ReleasePc.LockEpMtx, ReleasePc.UnlockEpmutex);
      return true;
    default:
      // @step ReleaseUnlockEpmutex | eventpoll_release_file | fs/eventpoll.c | mutex_unlock(&epmutex)
      label(Step.ReleaseUnlockEpmutex);
      release(EPMUTEX);
      ret(0);
      return true;
  }
}

/** ep_free [v6.2-style]: program counters. */
enum EpFreePc {
  LockEpmutex = 0,
  UnregisterPollwait = 1,
  LockMtx = 2,
  RemoveFirst = 3,
  UnlockEpmutex = 4,
}
enum EpFreeR {
  Ep = 0,
}

/** ep_free(ep) [v6.2-style], from ep_eventpoll_release. r0 = ep. */
export function stepEpFree(): bool {
  const ep = r(EpFreeR.Ep);
  switch (pc()) {
    case EpFreePc.LockEpmutex:
      // @step EpFreeLockEpmutex | ep_free | fs/eventpoll.c | mutex_lock(&epmutex)
      label(Step.EpFreeLockEpmutex);
      mightSleep();
      if (!acquire(EPMUTEX)) return false;
      setPc(EpFreePc.UnregisterPollwait);
      return true;
    case EpFreePc.UnregisterPollwait:
      // @step EpFreeUnregisterPollwait | ep_free | fs/eventpoll.c | ep_unregister_pollwait() for every epitem
      label(Step.EpFreeUnregisterPollwait);
      for (let i = 0; i < nItems; i++) if (itemUsed(i) && itemEp(i) == ep) itemSetPollwait(i, false);
      setPc(EpFreePc.LockMtx);
      return true;
    case EpFreePc.LockMtx:
      // @step EpFreeLockMtx | ep_free | fs/eventpoll.c | mutex_lock(&ep->mtx)
      label(Step.EpFreeLockMtx);
      if (!lockEpMtx(ep)) return false;
      setPc(EpFreePc.RemoveFirst);
      return true;
    case EpFreePc.RemoveFirst: {
      const i = epFirst(ep);
      if (i < 0) {
        // @step EpFreeUnlockMtx | ep_free | fs/eventpoll.c | mutex_unlock(&ep->mtx)
        label(Step.EpFreeUnlockMtx);
        release(lockId(LockClass.EpMtx, ep));
        setPc(EpFreePc.UnlockEpmutex);
        return true;
      }
      // @step EpFreeRemoveFirst | ep_free | fs/eventpoll.c | rb_first_cached(&ep->rbr); ep_remove(ep, epi)
      label(Step.EpFreeRemoveFirst);
      callEpRemove(ep, i, 0, RM_OLD);
      return true;
    }
    default:
      // @step EpFreeUnlockEpmutex | ep_free | fs/eventpoll.c | mutex_unlock(&epmutex); kfree(ep)
      label(Step.EpFreeUnlockEpmutex);
      release(EPMUTEX);
      epFreeMemory(ep); // kfree(ep)
      ret(0);
      return true;
  }
}
