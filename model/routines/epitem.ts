// Adding and removing one epitem: ep_insert / attach_epitem and ep_remove / __ep_remove (fs/eventpoll.c).
// Both run with ep->mtx held by the caller. ep_insert does NOT look for an existing key: uniqueness is the
// caller's ep_find (so callers that skip it, like the RFC, can create duplicates — invariant E7).

import { itemDeref } from '../lockset';
import { Access, EpLife, LockClass, MemField, MemObj, Routine, Toggle, Viol } from '../codes';
import { epAccess, epFreeMemory, fileAccess } from '../memory';
import {
  C_MAXWATCH, CFG, DANGLING, E_LIFE, E_REF, F_EPNULL, G_TFILE_LIST, G_WATCHES, IF_DYING, epAddr,
  fileAddr, fileEp, gAddr, nFiles, toggle,
} from '../layout';
import {
  FP_EPOLL, FP_FILE, FP_GLOBAL, FP_ITEMS, epi, FaultSite, faultPoint, fpRead, fpWrite, holdRef, label, memViolate, pc, push, r,
  ret, setEpi, setPc, setR, violate,
} from '../frame';
import { acquire, lockId, mightSleep, release } from '../locks';
import {
  fepAt, fepLinkHead, fepLinkTail, fepNext, fepUnlink, isEpoll, itemAlloc, itemEp, itemFile, itemFree, itemHas, itemSetPollwait, itemSetRbrLinked, ref,
  setRef, watched,
} from '../objects';
import { runTop } from '../dispatch';
import { Life } from '../codes';
import { Step } from '../steps';
import { EINVAL, ENOMEM, ENOSPC } from '../errno';
import { reversePathCheckFails } from './loop_limits';
import { callEpRemove } from './fep_walk';
import { disposeUnderMutex, putAfterUnlock, putNotLast } from './ep_ref';

function watches(): i32 {
  fpRead(FP_GLOBAL);
  return load<u8>(gAddr(G_WATCHES));
}
function setWatches(v: i32): void {
  fpWrite(FP_GLOBAL);
  store<u8>(gAddr(G_WATCHES), <u8>v);
}

/** ep->refcount (current). */
export function epRef(ep: i32): i32 {
  fpRead(FP_EPOLL + ep);
  return load<u8>(epAddr(ep) + E_REF);
}
export function setEpRef(ep: i32, v: i32): void {
  fpWrite(FP_EPOLL + ep);
  store<u8>(epAddr(ep) + E_REF, <u8>v);
}
/** ep_refcount_dec_and_test(ep). */
export function epPut(ep: i32): bool {
  if (!epAccess(ep, MemField.Refcount, Access.Write)) return false;
  const n = epRef(ep);
  if (n == 0) {
    violate(Viol.EpRefcount, ep);
    return false;
  }
  setEpRef(ep, n - 1);
  return n == 1;
}
/** ep_free(ep): the struct eventpoll is gone; later touches are use-after-free. */
export function epFree(ep: i32): void {
  epFreeMemory(ep);
}
export function epFreed(ep: i32): bool {
  fpRead(FP_EPOLL + ep);
  return load<u8>(epAddr(ep) + E_LIFE) == <u8>EpLife.Freed;
}

/** The epitem this frame works on, or -1 after reporting a use-after-free of a freed one. */
export function curItem(): i32 {
  const p = epi();
  if ((p & DANGLING) != 0 || p == 0) {
    fpRead(FP_ITEMS);
    memViolate(Viol.UafItem, MemObj.Epitem, (p & ~DANGLING) - 1, MemField.Epitem, Access.Read);
    return -1;
  }
  itemDeref(FP_ITEMS, FP_EPOLL + itemEp(p - 1), FP_FILE + itemFile(p - 1), itemEp(p - 1));
  return p - 1;
}

/** Files on tfile_check_list are read by reverse_path_check and clear_tfile_check_list. Since a9ed4a6560b8 the
 *  list pins each file with a reference (listFile) and since 319c15174757 it chains epitems_head instead, which
 *  ep_remove leaves to clear_tfile_check_list: what is listed stays valid. Before a9ed4a6560b8 the list held bare
 *  file pointers. */
export function touchCheckList(): void {
  fpRead(FP_GLOBAL);
  const list = <i32>load<u16>(gAddr(G_TFILE_LIST));
  if (list == 0 || toggle(Toggle.CheckListRef)) return;
  for (let f = 0; f < nFiles; f++) {
    // reverse_path_check_proc reads file->f_ep of every listed file
    if ((list & (1 << f)) != 0 && !fileAccess(f, MemField.FEp, Access.Read)) return;
  }
}

/** list_file(f) / list_add(&f->f_tfile_llink, &tfile_check_list): once per file and check. None before
 *  28d82dc1c4ed (no check list). Between a9ed4a6560b8 and 319c15174757 the list holds a reference on the file:
 *  get_file, or since 77f4689de17c get_file_rcu, which skips a file whose count already reached zero (its __fput
 *  waits for the global mutex in eventpoll_release_file); clear_tfile_check_list puts them (epoll_ctl.ts). */
export function listFile(f: i32): void {
  if (!toggle(Toggle.LimitPaths)) return;
  fpWrite(FP_GLOBAL);
  const list = <i32>load<u16>(gAddr(G_TFILE_LIST));
  if ((list & (1 << f)) != 0) return;
  if (checkListPins()) {
    if (!fileAccess(f, MemField.Count, Access.Write)) return;
    if (toggle(Toggle.CheckListRcu) && ref(f) == 0) return;
    setRef(f, ref(f) + 1); // get_file on a zero count revives a file whose __fput is already under way
    holdRef(f);
  }
  store<u16>(gAddr(G_TFILE_LIST), <u16>(list | (1 << f)));
}

/** The check list holds file references (a9ed4a6560b8, before the epitems_head list of 319c15174757). */
export function checkListPins(): bool {
  return toggle(Toggle.CheckListRef) && !toggle(Toggle.FepHlist);
}

/** ep_insert: program counters. */
enum InsertPc {
  Watches = 0,
  AllocEpi = 1,
  AttachAlloc = 2,
  AttachLock = 3,
  AttachLink = 4,
  AttachUnlock = 5,
  RbtreeInsert = 6,
  PollQueue = 7,
  LockTep = 8,
  ReversePathCheck = 9,
}
enum InsertR {
  Ep = 0,
  File = 1,
  Fd = 2,
  Events = 3,
  Data = 4,
  FullCheck = 5,
  HeadAlloc = 6,
}

/** ep_insert(ep, event, tfile, fd, full_check). r0 = ep, r1 = tfile, r2 = fd, r3 = events, r4 = data,
 *  r5 = full_check, r6 = an epitems_head was preallocated. Returns 0 or an errno. */
export function stepEpInsert(): bool {
  const tf = r(InsertR.File);
  const tep = isEpoll(tf) ? fileEp(tf) : -1;
  // Since 4ff36ee94d93 the target epoll's mtx is taken here, around attach + rbtree insert; before it,
  // do_epoll_ctl already held it for every op.
  const lockTep = tep >= 0 && toggle(Toggle.CtlDelNoNestedMtx);
  switch (pc()) {
    case InsertPc.Watches:
      // @step EpInsertWatches | ep_insert | fs/eventpoll.c | epoll_watches >= max_user_watches ? -ENOSPC :
      //   percpu_counter_inc
      label(Step.EpInsertWatches);
      if (watches() >= <i32>load<u8>(CFG + C_MAXWATCH)) {
        ret(ENOSPC);
        return true;
      }
      setWatches(watches() + 1);
      setPc(InsertPc.AllocEpi);
      return true;
    case InsertPc.AllocEpi: {
      // @step EpInsertAllocEpi | ep_insert | fs/eventpoll.c | epi = kmem_cache_zalloc(epi_cache, GFP_KERNEL); ffd =
      //   {tfile, fd}
      label(Step.EpInsertAllocEpi);
      mightSleep();
      if (faultPoint(FaultSite.EpInsert)) {
        setWatches(watches() - 1);
        ret(ENOMEM);
        return true;
      }
      const i = itemAlloc(r(InsertR.Ep), tf, r(InsertR.Fd), r(InsertR.Events), r(InsertR.Data));
      if (i < 0) {
        violate(Viol.Capacity, r(InsertR.Ep));
        ret(ENOMEM);
        return true;
      }
      setEpi(i + 1);
      setPc(lockTep ? InsertPc.LockTep : attachFirst());
      return true;
    }
    case InsertPc.LockTep:
      // @step EpInsertLockTep | ep_insert | fs/eventpoll.c | mutex_lock_nested(&tep->mtx, 1): the target is an epoll
      label(Step.EpInsertLockTep);
      mightSleep();
      if (!acquire(lockId(LockClass.EpMtx, tep))) return false;
      setPc(attachFirst());
      return true;
    case InsertPc.AttachAlloc:
      // attach_epitem: a non-epoll file without watchers needs an epitems_head (allocated unlocked).
      // @step AttachEpitemAlloc | attach_epitem | fs/eventpoll.c | if (!file->f_ep) allocate an epitems_head
      //   (unlocked, GFP_KERNEL)
      label(Step.AttachEpitemAlloc);
      if (!isEpoll(tf) && !watched(tf) && r(InsertR.HeadAlloc) == 0) {
        mightSleep();
        if (faultPoint(FaultSite.AttachEpitem)) {
          itemFree(epi() - 1);
          setWatches(watches() - 1);
          ret(ENOMEM);
          return true;
        }
        setR(InsertR.HeadAlloc, 1);
      }
      setPc(InsertPc.AttachLock);
      return true;
    case InsertPc.AttachLock:
      // @step AttachEpitemLock | attach_epitem | fs/eventpoll.c | spin_lock(&file->f_lock)
      // @step EpInsertLockFile | ep_insert | fs/eventpoll.c | spin_lock(&tfile->f_lock) (before 319c15174757)
      label(toggle(Toggle.FepHlist) ? Step.AttachEpitemLock : Step.EpInsertLockFile);
      if (!acquire(lockId(LockClass.FLock, tf))) return false;
      setPc(InsertPc.AttachLink);
      return true;
    case InsertPc.AttachLink:
      if (!toggle(Toggle.FepHlist)) {
        // Before 319c15174757: list_add_tail_rcu(&epi->fllink, &tfile->f_ep_links), a list_head in struct file.
        // @step EpInsertLinkTail | ep_insert | fs/eventpoll.c | list_add_tail_rcu(&epi->fllink, &tfile->f_ep_links) (before
        //   319c15174757)
        label(Step.EpInsertLinkTail);
        fepLinkTail(epi() - 1);
        setPc(InsertPc.AttachUnlock);
        return true;
      }
      if (!isEpoll(tf) && !watched(tf) && r(InsertR.HeadAlloc) == 0) {
        // f_ep went NULL while we were unlocked and we have no head: unlock and allocate one.
        // @step AttachEpitemRetry | attach_epitem | fs/eventpoll.c | f_ep became NULL meanwhile and no head was
        //   allocated: unlock, goto allocate
        label(Step.AttachEpitemRetry);
        release(lockId(LockClass.FLock, tf));
        setPc(InsertPc.AttachAlloc);
        return true;
      }
      // @step AttachEpitemLink | attach_epitem | fs/eventpoll.c | hlist_add_head_rcu(&epi->fllink, file->f_ep)
      label(Step.AttachEpitemLink);
      fepLinkHead(epi() - 1);
      setR(InsertR.HeadAlloc, 0); // the head was used, or is freed after the unlock
      setPc(InsertPc.AttachUnlock);
      return true;
    case InsertPc.AttachUnlock:
      // @step AttachEpitemUnlock | attach_epitem | fs/eventpoll.c | spin_unlock(&file->f_lock)
      // @step EpInsertUnlockFile | ep_insert | fs/eventpoll.c | spin_unlock(&tfile->f_lock) (before 319c15174757)
      label(toggle(Toggle.FepHlist) ? Step.AttachEpitemUnlock : Step.EpInsertUnlockFile);
      release(lockId(LockClass.FLock, tf));
      setPc(InsertPc.RbtreeInsert);
      return true;
    case InsertPc.RbtreeInsert:
      // @step EpRbtreeInsert | ep_insert | fs/eventpoll.c | if (full_check && !tep) list_file(tfile);
      //   ep_rbtree_insert(ep, epi)
      label(Step.EpRbtreeInsert);
      if (r(InsertR.FullCheck) != 0 && !isEpoll(tf)) listFile(tf); // list_file(tfile) for reverse_path_check
      if (load<u8>(epAddr(r(InsertR.Ep)) + E_LIFE) == <u8>EpLife.Orphan) violate(Viol.OrphanInsert, r(InsertR.Ep));
      itemSetRbrLinked(epi() - 1, true);
      if (lockTep) release(lockId(LockClass.EpMtx, tep));
      if (toggle(Toggle.EpRefcount)) setEpRef(r(InsertR.Ep), epRef(r(InsertR.Ep)) + 1); // ep_get(ep): the epitem's reference
      // reverse_path_check only since 28d82dc1c4ed
      setPc(fullCheck() && toggle(Toggle.LimitPaths) ? InsertPc.ReversePathCheck : InsertPc.PollQueue);
      return true;
    case InsertPc.ReversePathCheck: {
      // reverse_path_check walks the wakeup paths of every listed file and counts them against path_limits
      // (model/routines/loop_limits.ts); over a limit, the item is removed again and ep_insert fails: -EINVAL.
      // @step EpReversePathCheck | reverse_path_check | fs/eventpoll.c | walk the wakeup paths of every file on
      //   tfile_check_list
      label(Step.EpReversePathCheck);
      touchCheckList();
      if (reversePathCheckFails()) {
        const ep = r(InsertR.Ep);
        const i = epi() - 1;
        ret(0);
        callEpRemove(ep, i, EINVAL, epRemoveMode());
        return true;
      }
      setPc(InsertPc.PollQueue);
      return true;
    }
    default: {
      // ep_item_poll -> ep_ptable_queue_proc allocates the eppoll_entry; on failure the item is removed again.
      // @step EpItemPollQueue | ep_insert | fs/eventpoll.c | ep_item_poll -> ep_ptable_queue_proc: allocate
      //   eppoll_entry, add to the wait queue
      label(Step.EpItemPollQueue);
      mightSleep();
      const i = epi() - 1;
      if (faultPoint(FaultSite.EpPtableQueueProc)) {
        const ep = r(InsertR.Ep); // read before ret() clears this frame
        ret(0);
        callEpRemove(ep, i, ENOMEM, epRemoveMode());
        return true;
      }
      itemSetPollwait(i, true);
      ret(0);
      return true;
    }
  }
}

function fullCheck(): bool {
  return r(InsertR.FullCheck) != 0;
}

/** attach_epitem allocates an epitems_head first (since 319c15174757); before it the list head is in struct file. */
function attachFirst(): i32 {
  return toggle(Toggle.FepHlist) ? InsertPc.AttachAlloc : InsertPc.AttachLock;
}

/** EpRemove modes (r2). */
export const RM_OLD: i32 = 0; // v6.2 ep_remove: returns r1
export const RM_SAFE: i32 = 1; // ep_remove_safe: skips dying items; drops the epitem's ep reference; returns r1
export const RM_FORCE: i32 = 2; // __ep_remove(force) from eventpoll_release_file: returns "dispose"

/** ep_remove as ep_insert's error paths and EPOLL_CTL_DEL call it: ep_remove_safe since v6.4. */
export function epRemoveMode(): i32 {
  return toggle(Toggle.EpRefcount) ? RM_SAFE : RM_OLD;
}

/** ep_remove / __ep_remove: program counters. */
enum RemovePc {
  UnregisterPollwait = 0,
  LockFile = 1,
  Unlink = 2,
  UnlockFile = 3,
  RbErase = 4,
  Free = 5,
  UnlinkHead = 6,
  Pin = 7,
  PinPut = 8,
}
enum RemoveR {
  Ep = 0,
  Ret = 1,
  Mode = 2,
  Pinned = 3,
}

/** ep_remove (v6.2) / __ep_remove + ep_remove_safe (current). r0 = ep, r1 = value to return, r2 = mode,
 *  r3 = file + 1 pinned by epi_fget (a6dc643c6931), put after the removal.
 *  The unlink is the kernel's order: WRITE_ONCE(file->f_ep, NULL) when the item is the file's only one — from
 *  then on a racing __fput skips eventpoll_release_file and may free the file (and, for an epoll file, its
 *  struct eventpoll) — then hlist_del_rcu, which stores NULL through epi->fllink.pprev into the list head (an
 *  epoll file's head is ep->refs inside its struct eventpoll), then spin_unlock(&file->f_lock). With other items
 *  on the list nothing is published and the unlink stores into live neighbours only: one step. */
export function stepEpRemove(): bool {
  const mode = r(RemoveR.Mode);
  if (pc() == RemovePc.PinPut) {
    // ep_remove_safe's scope ends: __free(fput) dropped the pin (the Fput just returned); return to the caller.
    ret(r(RemoveR.Ret));
    return runTop();
  }
  const i = curItem();
  if (i < 0) {
    ret(r(RemoveR.Ret));
    return true;
  }
  const f = itemFile(i);
  switch (pc()) {
    case RemovePc.UnregisterPollwait:
      // @step EpUnregisterPollwait | ep_remove | fs/eventpoll.c | ep_unregister_pollwait(ep, epi)
      label(Step.EpUnregisterPollwait);
      itemSetPollwait(i, false);
      setPc(mode == RM_SAFE && toggle(Toggle.EpRemovePin) ? RemovePc.Pin : RemovePc.LockFile);
      return true;
    case RemovePc.Pin:
      // READ_ONCE(epi->dying) bail-out, then file = epi_fget(epi): a pinned file cannot reach __fput.
      // @step EpRemovePin | ep_remove_safe | fs/eventpoll.c | if (READ_ONCE(epi->dying)) return; file =
      //   epi_fget(epi): pin the file (a6dc643c6931), bail if its count is zero
      label(Step.EpRemovePin);
      if (itemHas(i, IF_DYING) || !fileAccess(f, MemField.Count, Access.Write) || ref(f) == 0) {
        ret(r(RemoveR.Ret)); // __fput is in flight: eventpoll_release_file will remove the item under ep->mtx
        return true;
      }
      setRef(f, ref(f) + 1);
      holdRef(f);
      setR(RemoveR.Pinned, f + 1);
      setPc(RemovePc.LockFile);
      return true;
    case RemovePc.LockFile:
      // @step EpRemoveLockFile | ep_remove | fs/eventpoll.c | spin_lock(&file->f_lock)
      label(Step.EpRemoveLockFile);
      if (!acquire(lockId(LockClass.FLock, f))) return false;
      setPc(RemovePc.Unlink);
      return true;
    case RemovePc.Unlink:
      if (mode == RM_SAFE && r(RemoveR.Pinned) == 0 && itemHas(i, IF_DYING)) {
        // eventpoll_release_file has claimed it: it removes the item and drops its reference.
        // @step EpRemoveSkipDying | __ep_remove | fs/eventpoll.c | epi->dying && !force: spin_unlock(&file->f_lock);
        //   return false
        label(Step.EpRemoveSkipDying);
        release(lockId(LockClass.FLock, f));
        ret(r(RemoveR.Ret));
        return true;
      }
      if (!toggle(Toggle.FepHlist)) {
        // Before 319c15174757: list_del_rcu(&epi->fllink). The last item's unlink stores into the list head in
        // struct file, and that store is what makes a lockless list_empty(&file->f_ep_links) read true.
        // @step EpRemoveListDel | ep_remove | fs/eventpoll.c | list_del_rcu(&epi->fllink): the last one stores into
        //   f_ep_links in struct file (before 319c15174757)
        label(Step.EpRemoveListDel);
        if (fepAt(f, 0) == i && fepNext(i) < 0) fileAccess(f, MemField.FEp, Access.Write);
        fepUnlink(i);
        setPc(RemovePc.UnlockFile);
        return true;
      }
      if (fepAt(f, 0) == i && fepNext(i) < 0) {
        // @step EpRemovePublish | ep_remove | fs/eventpoll.c | the only epitem on the file: WRITE_ONCE(file->f_ep,
        //   NULL) (a racing __fput may now skip eventpoll_release_file and free the file)
        label(Step.EpRemovePublish);
        fileAccess(f, MemField.FEp, Access.Write);
        store<u8>(fileAddr(f) + F_EPNULL, 1);
        setPc(RemovePc.UnlinkHead);
        return true;
      }
      // @step EpRemoveUnlink | ep_remove | fs/eventpoll.c | hlist_del_rcu(&epi->fllink): *pprev = next stores into
      //   the list head (ep->refs of an epoll file) or the previous epitem
      label(Step.EpRemoveUnlink);
      fepUnlink(i);
      setPc(RemovePc.UnlockFile);
      return true;
    case RemovePc.UnlinkHead:
      // hlist_del_rcu(&epi->fllink): *pprev = NULL lands in the head. For a non-epoll file that is the
      // epitems_head this remover frees itself after the unlock; for an epoll file it is ep->refs.
      label(Step.EpRemoveUnlink);
      if (isEpoll(f) && !epAccess(fileEp(f), MemField.Refs, Access.Write)) return true;
      fepUnlink(i);
      store<u8>(fileAddr(f) + F_EPNULL, 0);
      setPc(RemovePc.UnlockFile);
      return true;
    case RemovePc.UnlockFile:
      // @step EpRemoveUnlockFile | ep_remove | fs/eventpoll.c | spin_unlock(&file->f_lock): still a write to the
      //   file, reached through the unpublished pointer
      label(Step.EpRemoveUnlockFile);
      release(lockId(LockClass.FLock, f));
      setPc(RemovePc.RbErase);
      return true;
    case RemovePc.RbErase:
      // @step EpRemoveRbErase | ep_remove | fs/eventpoll.c | rb_erase_cached(&epi->rbn, &ep->rbr); unlink from
      //   rdllist
      label(Step.EpRemoveRbErase);
      itemSetRbrLinked(i, false);
      setPc(RemovePc.Free);
      return true;
    default: {
      const ep = r(RemoveR.Ep);
      itemFree(i);
      setWatches(watches() - 1);
      if (mode == RM_OLD) {
        // @step EpRemoveFree | ep_remove | fs/eventpoll.c | call_rcu(&epi->rcu, epi_rcu_free);
        //   percpu_counter_dec(epoll_watches)
        label(Step.EpRemoveFree);
        ret(r(RemoveR.Ret));
      } else if (mode == RM_SAFE) {
        // ep_remove_safe: WARN_ON_ONCE(ep_refcount_dec_and_test(ep)) — the caller still holds a reference.
        // @step EpRemoveFreePut | __ep_remove | fs/eventpoll.c | kfree_rcu(epi); epoll_watches--;
        //   ep_refcount_dec_and_test(ep) with ep->mtx held
        label(Step.EpRemoveFreePut);
        putNotLast(ep);
        if (r(RemoveR.Pinned) != 0) {
          setPc(RemovePc.PinPut);
          push(Routine.Fput, r(RemoveR.Pinned) - 1, 0, 0, 0, 0, 0);
        } else ret(r(RemoveR.Ret));
      } else {
        // __ep_remove(force): since v6.16 the caller drops the reference after mutex_unlock; before, it drops here.
        label(putAfterUnlock() ? Step.EpRemoveFree : Step.EpRemoveFreePut);
        ret(disposeUnderMutex(ep) ? 1 : 0);
      }
      return true;
    }
  }
}
