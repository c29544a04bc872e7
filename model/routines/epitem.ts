// Adding and removing one epitem: ep_insert / attach_epitem and ep_remove (fs/eventpoll.c, v6.2-style).
// Both run with ep->mtx held by the caller. ep_insert does NOT look for an existing key: uniqueness is the
// caller's ep_find (so callers that skip it, like the RFC, can create duplicates — invariant E7).

import { LockClass, Viol } from '../codes';
import { DANGLING, G_TFILE_LIST, G_WATCHES, IF_PWQ, IF_RBR, C_MAXWATCH, CFG, gAddr } from '../layout';
import { FP_ITEMS, epi, faultPoint, fpRead, label, pc, push, r, ret, setEpi, setPc, setR, violate } from '../frame';
import { acquire, lockId, mightSleep, release } from '../locks';
import {
  fepLinkHead, fepUnlink, isEpoll, itemAlloc, itemEp, itemFile, itemFree, itemSetFlag, watched,
} from '../objects';
import { FP_EPOLL, FP_FILE, FP_GLOBAL, fpWrite } from '../frame';
import { Routine } from '../codes';
import { Step } from '../steps';
import { ENOMEM, ENOSPC } from '../errno';

function watches(): i32 {
  fpRead(FP_GLOBAL);
  return load<u8>(gAddr(G_WATCHES));
}
function setWatches(v: i32): void {
  fpWrite(FP_GLOBAL);
  store<u8>(gAddr(G_WATCHES), <u8>v);
}

/** The epitem this frame works on, or -1 after reporting a use-after-free of a freed one. */
export function curItem(): i32 {
  fpRead(FP_ITEMS);
  const p = epi();
  if ((p & DANGLING) != 0 || p == 0) {
    violate(Viol.UafItem, (p & ~DANGLING) - 1);
    return -1;
  }
  touchItem(p - 1);
  return p - 1;
}

/** Dereferencing an epitem reads its eventpoll and its file (footprint). */
function touchItem(i: i32): void {
  fpRead(FP_EPOLL + itemEp(i));
  fpRead(FP_FILE + itemFile(i));
}

/** ep_insert(ep, event, tfile, fd, full_check). r0 = ep, r1 = tfile, r2 = fd, r3 = events, r4 = data,
 *  r5 = full_check, r6 = an epitems_head was preallocated. Returns 0 or an errno. */
export function stepEpInsert(): bool {
  const tf = r(1);
  switch (pc()) {
    case 0:
      label(Step.EpInsertWatches);
      if (watches() >= <i32>load<u8>(CFG + C_MAXWATCH)) {
        ret(ENOSPC);
        return true;
      }
      setWatches(watches() + 1);
      setPc(1);
      return true;
    case 1: {
      label(Step.EpInsertAllocEpi);
      mightSleep();
      if (faultPoint()) {
        setWatches(watches() - 1);
        ret(ENOMEM);
        return true;
      }
      const i = itemAlloc(r(0), tf, r(2), r(3), r(4));
      if (i < 0) {
        violate(Viol.Capacity, r(0));
        ret(ENOMEM);
        return true;
      }
      setEpi(i + 1);
      setPc(2);
      return true;
    }
    case 2:
      // attach_epitem: a non-epoll file without watchers needs an epitems_head (allocated unlocked).
      label(Step.AttachEpitemAlloc);
      if (!isEpoll(tf) && !watched(tf) && r(6) == 0) {
        mightSleep();
        if (faultPoint()) {
          itemFree(epi() - 1);
          setWatches(watches() - 1);
          ret(ENOMEM);
          return true;
        }
        setR(6, 1);
      }
      setPc(3);
      return true;
    case 3:
      label(Step.AttachEpitemLock);
      if (!acquire(lockId(LockClass.FLock, tf))) return false;
      setPc(4);
      return true;
    case 4:
      if (!isEpoll(tf) && !watched(tf) && r(6) == 0) {
        // f_ep went NULL while we were unlocked and we have no head: unlock and allocate one.
        label(Step.AttachEpitemRetry);
        release(lockId(LockClass.FLock, tf));
        setPc(2);
        return true;
      }
      label(Step.AttachEpitemLink);
      fepLinkHead(epi() - 1);
      setR(6, 0); // the head was used, or is freed after the unlock
      setPc(5);
      return true;
    case 5:
      label(Step.AttachEpitemUnlock);
      release(lockId(LockClass.FLock, tf));
      setPc(6);
      return true;
    case 6:
      label(Step.EpRbtreeInsert);
      if (r(5) != 0 && !isEpoll(tf)) {
        // list_file(tfile): queue its epitems_head on tfile_check_list for reverse_path_check.
        fpWrite(FP_GLOBAL);
        store<u16>(gAddr(G_TFILE_LIST), load<u16>(gAddr(G_TFILE_LIST)) | <u16>(<i32>1 << tf));
      }
      itemSetFlag(epi() - 1, IF_RBR, true);
      setPc(7);
      return true;
    default: {
      // ep_item_poll -> ep_ptable_queue_proc allocates the eppoll_entry; on failure the item is removed again.
      label(Step.EpItemPollQueue);
      mightSleep();
      const i = epi() - 1;
      if (faultPoint()) {
        ret(0);
        push(Routine.EpRemove, r(0), ENOMEM, 0, 0, 0, 0);
        setEpi(i + 1);
        return true;
      }
      itemSetFlag(i, IF_PWQ, true);
      ret(0);
      return true;
    }
  }
}

/** ep_remove(ep, epi) (v6.2-style): r0 = ep, r1 = value to return. Cannot fail. */
export function stepEpRemove(): bool {
  const i = curItem();
  if (i < 0) {
    ret(r(1));
    return true;
  }
  const f = itemFile(i);
  switch (pc()) {
    case 0:
      label(Step.EpUnregisterPollwait);
      itemSetFlag(i, IF_PWQ, false);
      setPc(1);
      return true;
    case 1:
      label(Step.EpRemoveLockFile);
      if (!acquire(lockId(LockClass.FLock, f))) return false;
      setPc(2);
      return true;
    case 2:
      label(Step.EpRemoveUnlink);
      fepUnlink(i);
      setPc(3);
      return true;
    case 3:
      label(Step.EpRemoveUnlockFile);
      release(lockId(LockClass.FLock, f));
      setPc(4);
      return true;
    case 4:
      label(Step.EpRemoveRbErase);
      itemSetFlag(i, IF_RBR, false);
      setPc(5);
      return true;
    default:
      label(Step.EpRemoveFree);
      itemFree(i);
      setWatches(watches() - 1);
      ret(r(1));
      return true;
  }
}
