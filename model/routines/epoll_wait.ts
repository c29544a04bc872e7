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

/** epoll_wait(epfd): r0 = epfd, then F (fdget result). Returns the number of items reported. */
export function stepEpollWait(): bool {
  switch (pc()) {
    case 0:
      setPc(1);
      return callNow(Routine.Fget, r(0), 0, FGET_LIGHT);
    case 1: {
      const v = rv();
      if (v == 0) {
        label(Step.EpollWaitBadFd);
        opReturn(-EBADF);
        return true;
      }
      setR(0, v);
      const F = (v & ~BORROWED) - 1;
      if (!isEpoll(F)) {
        label(Step.EpollWaitNotEpoll);
        setOpret(-EINVAL);
        if ((v & BORROWED) != 0) opReturn(-EINVAL);
        else return tailNow(Routine.Fput, F, 0, 0);
        return true;
      }
      setPc(2);
      return callNow(Routine.EpScan, fileEp(F), 0, 0);
    }
    default: {
      const v = r(0);
      const F = (v & ~BORROWED) - 1;
      if ((v & BORROWED) != 0) {
        label(Step.EpollWaitReturn);
        opReturn(rv());
        return true;
      }
      setOpret(rv());
      return tailNow(Routine.Fput, F, 0, 0);
    }
  }
}

/** ep_send_events (depth 0) / __ep_eventpoll_poll (depth > 0) over one eventpoll. r0 = ep, r1 = depth,
 *  r2/r3 = rbtree cursor (file, fd + 1), r4 = items reported, r5 = file polled + 1 (held by epi_fget). */
export function stepEpScan(): bool {
  const ep = r(0);
  switch (pc()) {
    case 0:
      label(r(1) == 0 ? Step.SendEventsLock : Step.NestedPollLock);
      mightSleep();
      if (!acquireEp(ep)) return false;
      setPc(1);
      return true;
    case 1: {
      const i = epFirstFrom(ep, (r(2) << 8) | r(3));
      if (i < 0) {
        label(Step.SendEventsUnlock);
        release(lockId(LockClass.EpMtx, ep));
        ret(r(4));
        return true;
      }
      const k = keyOf(i) + 1;
      setR(2, k >> 8);
      setR(3, k & 0xff);
      const f = itemFile(i);
      if (toggle(Toggle.EpiFget)) {
        label(Step.EpiFget);
        if (!fileAccess(f, MemField.Count, Access.Write)) return true; // file_ref_get on freed memory: reported
        if (ref(f) == 0) return true; // the file is on its way out: "poll did not happen", next item
        setRef(f, ref(f) + 1);
        holdRef(f);
      } else {
        label(Step.ItemPollRaw);
        if (!fileAccess(f, MemField.FOp, Access.Read)) return true; // vfs_poll reads file->f_op: reported
        if (ref(f) == 0 || life(f) != Life.Live) violate(Viol.PollDeadFile, f);
      }
      setR(5, f + 1);
      setPc(2);
      return true;
    }
    case 2: {
      const f = r(5) - 1;
      setR(4, r(4) + 1);
      setPc(3);
      if (isEpoll(f) && r(1) + 1 < EP_MAX_NESTS) {
        label(Step.ItemPollNested);
        push(Routine.EpScan, fileEp(f), r(1) + 1, 0, 0, 0, 0);
        return true;
      }
      label(Step.ItemPollFile);
      fileAccess(f, MemField.FOp, Access.Read); // vfs_poll(file): f_op->poll
      return true;
    }
    default: {
      const f = r(5) - 1;
      setR(5, 0);
      setPc(1);
      if (toggle(Toggle.EpiFget)) return callNow(Routine.Fput, f, 0, 0); // may be the final put: deferred __fput
      return stepEpScan();
    }
  }
}
