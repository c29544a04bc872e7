// ep_loop_check(ep, to) (fs/eventpoll.c), run by EPOLL_CTL_ADD of an epoll target under the global mutex with
// ep->mtx NOT held: walk down from `to`, taking each visited epoll's mtx (subclass = depth + 1), failing with
// ELOOP if the walk reaches the epoll being inserted into or nests deeper than EP_MAX_NESTS; non-epoll files met
// on the way are put on tfile_check_list for reverse_path_check (list_file). The upward-depth half of the current
// check (ep_get_upwards_depth_proc) and reverse_path_check's path limits are in loop_limits.ts.
// Each visited epoll is stamped ep->gen = loop_check_gen under its mtx, and an epoll already stamped in this
// generation is not walked again (v6.2: the caller's `ep_tovisit->gen == loop_check_gen` continue; since
// f2e467a48287 the callee returns the depth it memoised). The stamp is also what do_epoll_ctl's fast-path test
// reads: an ADD into an epoll that a running loop check has visited must take the full check.
// r0 = epoll to walk, r1 = depth, r2 = the epoll being inserted into, r3/r4 = rbtree cursor (file, fd + 1).

import { LockClass, Routine, Toggle } from '../codes';
import { E_GEN, G_LOOPGEN, epAddr, fileEp, gAddr, toggle } from '../layout';
import { FP_EPOLL, FP_GLOBAL, fpRead, fpWrite, label, pc, push, r, ret, rv, setPc, setR } from '../frame';
import { acquireEp, lockId, mightSleep, release } from '../locks';
import { epFirstFrom, isEpoll, itemFile, keyOf } from '../objects';
import { Step } from '../steps';
import { ELOOP } from '../errno';
import { listFile } from './epitem';

export const EP_MAX_NESTS: i32 = 4;

enum LoopPc {
  Lock = 0,
  Visit = 1,
  ChildDone = 2,
}
enum LoopR {
  Ep = 0,
  Depth = 1,
  Target = 2,
  CursorFile = 3,
  CursorFd = 4,
}

export function stepEpLoopCheck(): bool {
  const ep = r(LoopR.Ep);
  switch (pc()) {
    case LoopPc.Lock:
      // @step LoopCheckLock | ep_loop_check_proc | fs/eventpoll.c | mutex_lock_nested(&ep->mtx, call_nests + 1);
      //   ep->gen = loop_check_gen
      label(Step.LoopCheckLock);
      mightSleep();
      if (!acquireEp(ep)) return false;
      stamp(ep);
      setPc(LoopPc.Visit);
      return true;
    case LoopPc.Visit: {
      const i = epFirstFrom(ep, (r(LoopR.CursorFile) << 8) | r(LoopR.CursorFd));
      if (i < 0) {
        // @step LoopCheckUnlock | ep_loop_check_proc | fs/eventpoll.c | mutex_unlock(&ep->mtx)
        label(Step.LoopCheckUnlock);
        release(lockId(LockClass.EpMtx, ep));
        ret(0);
        return true;
      }
      const k = keyOf(i) + 1;
      setR(LoopR.CursorFile, k >> 8);
      setR(LoopR.CursorFd, k & 0xff);
      const f = itemFile(i);
      // @step LoopCheckVisit | ep_loop_check_proc | fs/eventpoll.c | next epitem: an epoll target already stamped
      //   with loop_check_gen is skipped, another is walked (ELOOP on a loop), other files go to list_file()
      label(Step.LoopCheckVisit);
      if (!isEpoll(f)) {
        listFile(f);
        return true;
      }
      const child = fileEp(f);
      // Since 28d82dc1c4ed an epoll already walked in this check is not walked again.
      if (toggle(Toggle.LimitPaths) && visited(child)) return true;
      if (child == r(LoopR.Target) || r(LoopR.Depth) + 1 > EP_MAX_NESTS) {
        release(lockId(LockClass.EpMtx, ep));
        ret(ELOOP);
        return true;
      }
      setPc(LoopPc.ChildDone);
      push(Routine.EpLoopCheck, child, r(LoopR.Depth) + 1, r(LoopR.Target), 0, 0, 0);
      return true;
    }
    default:
      // f2e467a48287 returned INT_MAX for a loop found here; the `+ 1` of the caller's max() wrapped it and the
      // walk went on as if the child were fine, until fdcfce93073d (ep_loop_check's verdict: loop_limits.ts).
      if (rv() != 0 && !(toggle(Toggle.UpwardsDepth) && !toggle(Toggle.LoopDepthOverflow))) {
        label(Step.LoopCheckUnlock);
        release(lockId(LockClass.EpMtx, ep));
        ret(rv());
        return true;
      }
      setPc(LoopPc.Visit);
      return runAgain();
  }
}

/** ep->gen = loop_check_gen (the walker holds ep->mtx and the global mutex). */
function stamp(ep: i32): void {
  fpRead(FP_GLOBAL);
  fpWrite(FP_EPOLL + ep);
  store<u8>(epAddr(ep) + E_GEN, load<u8>(gAddr(G_LOOPGEN)));
}

function visited(ep: i32): bool {
  fpRead(FP_GLOBAL);
  fpRead(FP_EPOLL + ep);
  return load<u8>(epAddr(ep) + E_GEN) == load<u8>(gAddr(G_LOOPGEN));
}

/** The child walk returned fine: continue with the next item in this same step. */
function runAgain(): bool {
  return stepEpLoopCheck();
}
