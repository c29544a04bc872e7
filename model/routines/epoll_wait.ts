// epoll_wait(2) as far as locks and lifetimes go: do_epoll_wait -> ep_poll -> ep_send_events, which holds ep->mtx
// while it polls each ready epitem (ep_item_poll); an epoll target is polled through __ep_eventpoll_poll, which
// takes that epoll's mtx with subclass = depth and polls its items in turn. Readiness is not modelled: every
// item is treated as ready (the scan that matters for locking and lifetimes visits all of them).
// Before 4efaa5acf0a1 ep_item_poll called ->poll on the raw epi->ffd.file, even when its count had reached zero
// (CVE-2024-38580); since then epi_fget takes a reference if the count is not zero, and skips the file otherwise.

import { LockClass, Routine, Toggle, Viol } from '../codes';
import { fileEp, toggle } from '../layout';
import { holdRef, label, opReturn, pc, push, r, ret, rv, setOpret, setPc, setR, violate } from '../frame';
import { acquireEp, lockId, mightSleep, release } from '../locks';
import { epFirstFrom, isEpoll, itemFile, keyOf, life, ref, setRef } from '../objects';
import { Life } from '../codes';
import { Step } from '../steps';
import { callNow, tailNow } from '../dispatch';
import { BORROWED, FGET_LIGHT } from './fdtable';
import { EBADF, EINVAL } from '../errno';
import { EP_MAX_NESTS } from './loop_check';
import { Access, MemField } from '../codes';
import { fileAccess } from '../memory';

enum WaitPc {
  Fget = 0,
  Scan = 1,
  Return = 2,
}
enum WaitR {
  Epoll = 0,
}

/** epoll_wait(epfd): r0 = epfd, then F (fdget result). Returns the number of items reported. */
export function stepEpollWait(): bool {
  switch (pc()) {
    case WaitPc.Fget:
      setPc(WaitPc.Scan);
      return callNow(Routine.Fget, r(WaitR.Epoll), 0, FGET_LIGHT);
    case WaitPc.Scan: {
      const v = rv();
      if (v == 0) {
        // @step EpollWaitBadFd | do_epoll_wait | fs/eventpoll.c | fdget(epfd) found nothing: -EBADF
        label(Step.EpollWaitBadFd);
        opReturn(-EBADF);
        return true;
      }
      setR(WaitR.Epoll, v);
      const F = (v & ~BORROWED) - 1;
      if (!isEpoll(F)) {
        // @step EpollWaitNotEpoll | do_epoll_wait | fs/eventpoll.c | !is_file_epoll(f.file): -EINVAL
        label(Step.EpollWaitNotEpoll);
        setOpret(-EINVAL);
        if ((v & BORROWED) != 0) opReturn(-EINVAL);
        else return tailNow(Routine.Fput, F, 0, 0);
        return true;
      }
      setPc(WaitPc.Return);
      return callNow(Routine.EpScan, fileEp(F), 0, 0);
    }
    default: {
      const v = r(WaitR.Epoll);
      const F = (v & ~BORROWED) - 1;
      if ((v & BORROWED) != 0) {
        // @step EpollWaitReturn | do_epoll_wait | fs/eventpoll.c | fdput(f) (borrowed: nothing to put); return the
        //   events
        label(Step.EpollWaitReturn);
        opReturn(rv());
        return true;
      }
      setOpret(rv());
      return tailNow(Routine.Fput, F, 0, 0);
    }
  }
}

enum ScanPc {
  Lock = 0,
  Next = 1,
  Poll = 2,
  Put = 3,
}
enum ScanR {
  Ep = 0,
  Depth = 1,
  CursorFile = 2,
  CursorFd = 3,
  Reported = 4,
  Polled = 5,
}

/** ep_send_events (depth 0) / __ep_eventpoll_poll (depth > 0) over one eventpoll. r0 = ep, r1 = depth,
 *  r2/r3 = rbtree cursor (file, fd + 1), r4 = items reported, r5 = file polled + 1 (held by epi_fget). */
export function stepEpScan(): bool {
  const ep = r(ScanR.Ep);
  switch (pc()) {
    case ScanPc.Lock:
      // @step SendEventsLock | ep_send_events | fs/eventpoll.c | mutex_lock(&ep->mtx)
      // @step NestedPollLock | __ep_eventpoll_poll | fs/eventpoll.c | mutex_lock_nested(&ep->mtx, depth)
      label(r(ScanR.Depth) == 0 ? Step.SendEventsLock : Step.NestedPollLock);
      mightSleep();
      if (!acquireEp(ep)) return false;
      setPc(ScanPc.Next);
      return true;
    case ScanPc.Next: {
      const i = epFirstFrom(ep, (r(ScanR.CursorFile) << 8) | r(ScanR.CursorFd));
      if (i < 0) {
        // @step SendEventsUnlock | ep_send_events | fs/eventpoll.c | mutex_unlock(&ep->mtx)
        label(Step.SendEventsUnlock);
        release(lockId(LockClass.EpMtx, ep));
        ret(r(ScanR.Reported));
        return true;
      }
      const k = keyOf(i) + 1;
      setR(ScanR.CursorFile, k >> 8);
      setR(ScanR.CursorFd, k & 0xff);
      const f = itemFile(i);
      if (toggle(Toggle.EpiFget)) {
        // @step EpiFget | epi_fget | fs/eventpoll.c | file_ref_get(&file->f_ref): skip the item if the count is
        //   already zero
        label(Step.EpiFget);
        if (!fileAccess(f, MemField.Count, Access.Write)) return true; // file_ref_get on freed memory: reported
        if (ref(f) == 0) return true; // the file is on its way out: "poll did not happen", next item
        setRef(f, ref(f) + 1);
        holdRef(f);
      } else {
        // @step ItemPollRaw | ep_item_poll | fs/eventpoll.c | vfs_poll(epi->ffd.file, &pt) on the raw pointer, no
        //   reference taken
        label(Step.ItemPollRaw);
        if (!fileAccess(f, MemField.FOp, Access.Read)) return true; // vfs_poll reads file->f_op: reported
        if (ref(f) == 0 || life(f) != Life.Live) violate(Viol.PollDeadFile, f);
      }
      setR(ScanR.Polled, f + 1);
      setPc(ScanPc.Poll);
      return true;
    }
    case ScanPc.Poll: {
      const f = r(ScanR.Polled) - 1;
      setR(ScanR.Reported, r(ScanR.Reported) + 1);
      setPc(ScanPc.Put);
      if (isEpoll(f) && r(ScanR.Depth) + 1 < EP_MAX_NESTS) {
        // @step ItemPollNested | ep_item_poll | fs/eventpoll.c | the target is an epoll: __ep_eventpoll_poll(file,
        //   &pt, depth + 1)
        label(Step.ItemPollNested);
        push(Routine.EpScan, fileEp(f), r(ScanR.Depth) + 1, 0, 0, 0, 0);
        return true;
      }
      // @step ItemPollFile | ep_item_poll | fs/eventpoll.c | vfs_poll(file, &pt)
      label(Step.ItemPollFile);
      fileAccess(f, MemField.FOp, Access.Read); // vfs_poll(file): f_op->poll
      return true;
    }
    default: {
      const f = r(ScanR.Polled) - 1;
      setR(ScanR.Polled, 0);
      setPc(ScanPc.Next);
      if (toggle(Toggle.EpiFget)) return callNow(Routine.Fput, f, 0, 0); // may be the final put: deferred __fput
      return stepEpScan();
    }
  }
}
