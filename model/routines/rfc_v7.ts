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

import { LockClass, Routine, Toggle } from '../codes';
import { G_SEM, I_DATA, I_EVENTS, I_FD, SEM_CROSS_PROCESS, epFile, gAddr, nSlots, threadTable, toggle } from '../layout';
import { FP_GLOBAL, cur, fpWrite, label, pc, r, ret, rv, setPc, setR } from '../frame';
import { acquire, acquireEp, lockId, mightSleep, release } from '../locks';
import { canPoll, fepAt, itemEp, itemGet, slot } from '../objects';
import { Step } from '../steps';
import { callNow } from '../dispatch';
import { RM_FORCE, curItem, epRef, setEpRef } from './epitem';
import { advance, claimItem, removeClaimed, walkFirst } from './fep_walk';
import { freeAfterUnlock, putNotLast } from './ep_ref';

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

/** eventpoll_replace_file (RFC v7): program counters. */
enum V7Pc {
  LockFile = 0,
  Visit = 1,
  SkipRelock = 2,
  LockMtx = 3,
  Insert = 4,
  UnlockMtx = 5,
  EpPut = 6,
  Relock = 7,
  UnlockFile = 9,
  CleanupLock = 10,
  CleanupFirst = 11,
  CleanupLockMtx = 12,
  CleanupUnlock = 13,
  LockMtxUnderFLock = 15,
}
enum V7R {
  Old = 0,
  New = 1,
  Tfd = 2,
  Fd = 3,
  /** the cleanup loop reuses r3: the first entry it last saw */
  CleanupFirst = 3,
  Events = 4,
  Data = 5,
  /** the cleanup loop reuses r5: rounds without progress */
  CleanupRounds = 5,
  Ep = 6,
  Error = 7,
}

export function stepRfcV7EpReplace(): bool {
  const old = r(V7R.Old);
  const victim = r(V7R.Error) != 0 ? r(V7R.New) : r(V7R.Old);
  switch (pc()) {
    case V7Pc.LockFile: {
      // @step V7LockFile | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | if
      //   (!file_can_poll(file)) return 0; spin_lock(&toreplace->f_lock); epi = first
      label(Step.V7LockFile);
      if (!canPoll(r(V7R.New))) {
        ret(0); // V1: silently nothing
        return true;
      }
      if (!acquire(fl(old))) return false;
      walkFirst(old, V7Pc.Visit, V7Pc.UnlockFile);
      return true;
    }
    case V7Pc.Visit: {
      const i = curItem();
      if (i < 0) {
        setPc(V7Pc.UnlockFile);
        return true;
      }
      const fd = itemGet(i, I_FD);
      if (fd != r(V7R.Tfd)) {
        // @step V7SkipUnlock | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | fd != tfd:
        //   spin_unlock(&toreplace->f_lock)
        label(Step.V7SkipUnlock); // fd != tfd: spin_unlock; spin_lock; continue with the saved next
        release(fl(old));
        setPc(V7Pc.SkipRelock);
        return true;
      }
      const ep = itemEp(i);
      // @step V7EpGet | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | fd == tfd: ep = epi->ep;
      //   ep_get(ep); spin_unlock(&toreplace->f_lock)
      label(Step.V7EpGet);
      setEpRef(ep, epRef(ep) + 1); // ep_get(ep)
      setR(V7R.Ep, ep);
      setR(V7R.Fd, fd);
      setR(V7R.Events, itemGet(i, I_EVENTS));
      setR(V7R.Data, itemGet(i, I_DATA));
      if (!heldByOwnTable(ep)) markSem(SEM_CROSS_PROCESS);
      if (toggle(Toggle.RfcV6LockOrder)) {
        setPc(V7Pc.LockMtxUnderFLock); // v6: mutex_lock(&ep->mtx) with f_lock still held
        return true;
      }
      release(fl(old));
      setPc(V7Pc.LockMtx);
      return true;
    }
    case V7Pc.LockMtxUnderFLock:
      // @step V6LockMtxUnderFLock | eventpoll_replace_file (RFC v6) | fs/eventpoll.c (RFC v4 patch) | mutex_lock(&ep->mtx)
      //   with toreplace->f_lock still held; then spin_unlock
      label(Step.V6LockMtxUnderFLock);
      mightSleep(); // a sleeping lock under a spinlock: reported as sleep-in-atomic
      if (!acquireEp(r(V7R.Ep))) return false;
      release(fl(old));
      setPc(V7Pc.Insert);
      return true;
    case V7Pc.SkipRelock:
      // @step V7Relock | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | spin_lock(&toreplace->f_lock);
      //   epi = next (saved before the unlock)
      label(Step.V7Relock);
      if (!acquire(fl(old))) return false;
      setPc(advance() ? V7Pc.Visit : V7Pc.UnlockFile);
      return true;
    case V7Pc.LockMtx:
      // @step V7LockMtx | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | mutex_lock(&ep->mtx);
      //   ep_insert(ep, &event, file, fd, 1) — no epnested_mutex, no ep_find
      label(Step.V7LockMtx);
      mightSleep();
      if (!acquireEp(r(V7R.Ep))) return false;
      setPc(V7Pc.Insert);
      return true;
    case V7Pc.Insert:
      setPc(V7Pc.UnlockMtx);
      return callNow(Routine.EpInsert, r(V7R.Ep), r(V7R.New), r(V7R.Fd), r(V7R.Events), r(V7R.Data), 1);
    case V7Pc.UnlockMtx:
      // @step V7UnlockMtx | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | mutex_unlock(&ep->mtx);
      //   on error goto cleanup (the ep reference stays)
      label(Step.V7UnlockMtx);
      release(lockId(LockClass.EpMtx, r(V7R.Ep)));
      if (rv() != 0) {
        setR(V7R.Error, rv()); // goto cleanup: the ep_get reference is never dropped
        setPc(V7Pc.CleanupLock);
        return true;
      }
      setPc(V7Pc.EpPut);
      return true;
    case V7Pc.EpPut:
      // @step V7EpPut | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | WARN_ON_ONCE(ep_refcount_dec_and_test(ep))
      label(Step.V7EpPut);
      putNotLast(r(V7R.Ep));
      setPc(V7Pc.Relock);
      return true;
    case V7Pc.Relock:
      label(Step.V7Relock);
      if (!acquire(fl(old))) return false;
      setPc(advance() ? V7Pc.Visit : V7Pc.UnlockFile);
      return true;
    case V7Pc.UnlockFile:
      // @step V7UnlockFile | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | end of f_ep:
      //   spin_unlock(&toreplace->f_lock); go to cleanup
      label(Step.V7UnlockFile);
      release(fl(old));
      setR(V7R.CleanupFirst, 0xff);
      setR(V7R.CleanupRounds, 0);
      setPc(V7Pc.CleanupLock);
      return true;
    case V7Pc.CleanupLock:
      // @step V7CleanupLock | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | cleanup:
      //   spin_lock(&victim->f_lock)
      label(Step.V7CleanupLock);
      if (!acquire(fl(victim))) return false;
      setPc(V7Pc.CleanupFirst);
      return true;
    case V7Pc.CleanupFirst: {
      const first = fepAt(victim, 0);
      if (first < 0) {
        // @step V7CleanupDone | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | f_ep empty:
        //   spin_unlock; return error
        label(Step.V7CleanupDone);
        release(fl(victim));
        ret(r(V7R.Error));
        return true;
      }
      if (itemGet(first, I_FD) != r(V7R.Tfd)) {
        // The first entry belongs to another fd: unlock and look at the first entry again. Nothing here counts
        // the rounds: when nothing changed, the state repeats, and the graph-level progress check
        // (checker/search/progress.ts) finds the cycle.
        // @step V7CleanupRestart | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | first entry's fd
        //   != tfd: spin_unlock and look at the first entry again
        label(Step.V7CleanupRestart);
        release(fl(victim));
        setR(V7R.CleanupFirst, first);
        setPc(V7Pc.CleanupLock);
        return true;
      }
      // @step V7CleanupClaim | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | first entry has fd
      //   == tfd: epi->dying = true; spin_unlock
      label(Step.V7CleanupClaim);
      setR(V7R.Ep, claimItem(first));
      setR(V7R.CleanupFirst, 0xff);
      setR(V7R.CleanupRounds, 0);
      release(fl(victim));
      setPc(V7Pc.CleanupLockMtx);
      return true;
    }
    case V7Pc.CleanupLockMtx: {
      // @step V7CleanupLockMtx | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | mutex_lock(&ep->mtx);
      //   dispose = __ep_remove(ep, epi, true)
      label(Step.V7CleanupLockMtx);
      return removeClaimed(r(V7R.Ep), RM_FORCE, V7Pc.CleanupUnlock);
    }
    case V7Pc.CleanupUnlock:
      // @step V7CleanupUnlock | eventpoll_replace_file (RFC v7) | fs/eventpoll.c (RFC v4 patch) | mutex_unlock(&ep->mtx);
      //   if (dispose) ep_free(ep)
      label(Step.V7CleanupUnlock);
      release(lockId(LockClass.EpMtx, r(V7R.Ep)));
      freeAfterUnlock(r(V7R.Ep), rv() != 0);
      setPc(V7Pc.CleanupLock);
      return true;
    default:
      unreachable();
      return false;
  }
}
