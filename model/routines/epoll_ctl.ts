// epoll_ctl(2): do_epoll_ctl in fs/eventpoll.c. Both files are pinned by fdget for the whole call; ep->mtx
// serialises the interest list. An ADD that needs the full check (the epoll is itself watched, was visited by a
// running loop check, or the target is an epoll) drops ep->mtx, takes the global mutex, and re-takes ep->mtx:
// the window in between is where other threads can change the interest list (docs/model.md §B.2.2).
//
// r0 = F (fdget result of epfd), r1 = op, r2 = fd, r3 = events, r4 = data, r5 = TF (fdget result of fd),
// r6 = full_check | TEP_HELD, r7 = errno (RV_PENDING: take the callee's return value).

import { EpollCtlOp, LockClass, Routine, Toggle } from '../codes';
import { G_LOOPGEN, G_TFILE_LIST, E_GEN, epAddr, fileEp, gAddr, toggle } from '../layout';
import { kernelLoopCheckFails } from './loop_limits';
import { FP_EPOLL, FP_GLOBAL, fpRead, fpWrite, label, opReturn, pc, push, r, rv, setOpret, setPc, setR } from '../frame';
import { EPMUTEX, acquire, lockId, mightSleep, release } from '../locks';
import { canPoll, epFind, isEpoll, itemSetRbr, watched } from '../objects';
import { I_DATA, I_EVENTS } from '../layout';
import { Step } from '../steps';
import { callNow, tailNow } from '../dispatch';
import { BORROWED, FGET_LIGHT } from './fdtable';
import { EBADF, EEXIST, EINVAL, ELOOP, ENOENT, EPERM } from '../errno';
import { checkListPins, epRemoveMode, touchCheckList } from './epitem';
import { callEpRemove } from './fep_walk';

const RV_PENDING: i32 = 0xfe;
/** r6 bit: the target epoll's mtx is held (before 4ff36ee94d93 do_epoll_ctl took it for every op). */
const TEP_HELD: i32 = 0x80;
/** EPOLLERR | EPOLLHUP in the model's event byte (checker/scenario eventsToByte). */
const ERR_HUP: i32 = 4 | 8;

function fileOf(v: i32): i32 {
  return (v & ~BORROWED) - 1;
}

enum CtlPc {
  FgetEpoll = 0,
  FgetTarget = 1,
  Check = 2,
  FastPath = 3,
  LockGlobal = 4,
  LoopChecked = 5,
  Dispatch = 6,
  Unlock = 7,
  ClearCheckList = 8,
  Fdput = 9,
  LoopUnlock = 10,
}
enum CtlR {
  Epoll = 0,
  Op = 1,
  Fd = 2,
  Events = 3,
  Data = 4,
  Target = 5,
  FullCheck = 6,
  Errno = 7,
}

function epOf(): i32 {
  return fileEp(fileOf(r(CtlR.Epoll)));
}

function mtx(): i32 {
  return lockId(LockClass.EpMtx, epOf());
}

/** The target's eventpoll when the target is an epoll file, else -1. */
function tepOf(): i32 {
  const TF = fileOf(r(CtlR.Target));
  return isEpoll(TF) ? fileEp(TF) : -1;
}

/** Before 4ff36ee94d93: mutex_lock_nested(&tep->mtx, 1) under ep->mtx for any op on an epoll target. */
function needsNestedTep(): bool {
  return !toggle(Toggle.CtlDelNoNestedMtx) && tepOf() >= 0 && (r(CtlR.FullCheck) & TEP_HELD) == 0;
}

export function stepEpollCtl(): bool {
  switch (pc()) {
    case CtlPc.FgetEpoll:
      setPc(CtlPc.FgetTarget);
      return callNow(Routine.Fget, r(CtlR.Epoll), 0, FGET_LIGHT);
    case CtlPc.FgetTarget:
      if (rv() == 0) {
        // @step EpollCtlBadFd | do_epoll_ctl | fs/eventpoll.c | fdget(epfd) found nothing: -EBADF
        label(Step.EpollCtlBadFd);
        opReturn(-EBADF);
        return true;
      }
      setR(CtlR.Epoll, rv());
      setPc(CtlPc.Check);
      return callNow(Routine.Fget, r(CtlR.Fd), 0, FGET_LIGHT);
    case CtlPc.Check: {
      const tfv = rv();
      setR(CtlR.Target, tfv);
      const F = fileOf(r(CtlR.Epoll));
      const TF = fileOf(tfv);
      let err = 0;
      if (tfv == 0) err = EBADF;
      else if (!canPoll(TF)) err = EPERM;
      else if (F == TF || !isEpoll(F)) err = EINVAL;
      if (err != 0) {
        // @step EpollCtlCheck | do_epoll_ctl | fs/eventpoll.c | argument checks failed (EBADF / EPERM: !file_can_poll
        //   / EINVAL)
        label(Step.EpollCtlCheck);
        setR(CtlR.Errno, err);
        return fdputTarget();
      }
      if (earlyFullCheck()) {
        // Before 67347fe4e632 the full check came first: mutex_lock(&epmutex), then ep->mtx.
        setPc(CtlPc.LockGlobal);
        return stepEpollCtl();
      }
      // @step EpollCtlLock | do_epoll_ctl | fs/eventpoll.c | mutex_lock_nested(&ep->mtx, 0)
      label(Step.EpollCtlLock);
      mightSleep();
      if (!acquire(mtx())) return false;
      setPc(CtlPc.FastPath);
      return true;
    }
    case CtlPc.FastPath: {
      const ep = epOf();
      const F = fileOf(r(CtlR.Epoll));
      const TF = fileOf(r(CtlR.Target));
      fpRead(FP_EPOLL + ep);
      fpRead(FP_GLOBAL);
      // 67347fe4e632: only an ADD into a watched epoll, or of an epoll, takes the full check; fe0a916c1eae adds an
      // epoll that a running loop check has visited (its ep->gen is the current loop_check_gen).
      const full =
        r(CtlR.Op) == EpollCtlOp.Add &&
        toggle(Toggle.FullCheckNarrow) &&
        ((toggle(Toggle.LoopCheck) && isEpoll(TF)) ||
          (toggle(Toggle.LimitPaths) &&
            (watched(F) || (toggle(Toggle.FastPathGen) && load<u8>(epAddr(ep) + E_GEN) == load<u8>(gAddr(G_LOOPGEN))))));
      if (full) {
        // @step EpollCtlFullCheckUnlock | do_epoll_ctl | fs/eventpoll.c | ADD needs the full check:
        //   mutex_unlock(&ep->mtx) before taking epmutex
        label(Step.EpollCtlFullCheckUnlock);
        release(mtx());
        setPc(CtlPc.LockGlobal);
        return true;
      }
      return dispatch();
    }
    case CtlPc.LockGlobal: {
      // @step EpollCtlLockGlobal | do_epoll_ctl | fs/eventpoll.c | mutex_lock(&epmutex); loop_check_gen++; full_check
      //   = 1
      label(Step.EpollCtlLockGlobal);
      mightSleep();
      if (!acquire(EPMUTEX)) return false;
      setR(CtlR.FullCheck, 1);
      fpWrite(FP_GLOBAL);
      store<u8>(gAddr(G_LOOPGEN), load<u8>(gAddr(G_LOOPGEN)) + 1);
      setPc(CtlPc.LoopChecked);
      const tep = tepOf();
      if (tep >= 0 && toggle(Toggle.LoopCheck)) {
        setR(CtlR.Errno, RV_PENDING);
        push(Routine.EpLoopCheck, tep, 0, epOf(), 0, 0, 0);
      }
      return true;
    }
    case CtlPc.LoopChecked:
      if (r(CtlR.Errno) == RV_PENDING) setR(CtlR.Errno, rv());
      // f2e467a48287: ep_loop_check's depth arithmetic, the depth above `ep` included (model/routines/loop_limits.ts).
      if (
        r(CtlR.Errno) == 0 &&
        toggle(Toggle.UpwardsDepth) &&
        toggle(Toggle.LoopCheck) &&
        tepOf() >= 0 &&
        kernelLoopCheckFails(epOf(), tepOf(), toggle(Toggle.LoopDepthOverflow))
      ) {
        setR(CtlR.Errno, ELOOP);
      }
      if (r(CtlR.Errno) != 0) {
        // ELOOP: goto error_tgt_fput with the global mutex held and ep->mtx not held. Before 13d518074a95 that
        // exit did not clear tfile_check_list.
        // @step EpollCtlLoop | do_epoll_ctl | fs/eventpoll.c | ep_loop_check failed: -ELOOP, goto error_tgt_fput
        label(Step.EpollCtlLoop);
        setPc(toggle(Toggle.EloopClearCheckList) ? CtlPc.ClearCheckList : CtlPc.LoopUnlock);
        return true;
      }
      // @step EpollCtlRelock | do_epoll_ctl | fs/eventpoll.c | mutex_lock_nested(&ep->mtx, 0) again
      // @step EpollCtlLockAfterGlobal | do_epoll_ctl | fs/eventpoll.c | mutex_lock_nested(&ep->mtx, 0) after epmutex
      //   (before 67347fe4e632 every ADD took epmutex first)
      label(toggle(Toggle.FullCheckNarrow) ? Step.EpollCtlRelock : Step.EpollCtlLockAfterGlobal);
      mightSleep();
      if (!acquire(mtx())) return false;
      setPc(CtlPc.Dispatch);
      return true;
    case CtlPc.Dispatch:
      return dispatch();
    case CtlPc.Unlock: {
      if (r(CtlR.Errno) == RV_PENDING) setR(CtlR.Errno, rv());
      if ((r(CtlR.FullCheck) & TEP_HELD) != 0) {
        // @step EpollCtlUnlockTep | do_epoll_ctl | fs/eventpoll.c | mutex_unlock(&tep->mtx)
        label(Step.EpollCtlUnlockTep);
        release(lockId(LockClass.EpMtx, tepOf()));
        setR(CtlR.FullCheck, r(CtlR.FullCheck) & ~TEP_HELD);
        return true;
      }
      // @step EpollCtlUnlock | do_epoll_ctl | fs/eventpoll.c | mutex_unlock(&ep->mtx)
      label(Step.EpollCtlUnlock);
      release(mtx());
      setPc(r(CtlR.FullCheck) != CtlPc.FgetEpoll ? CtlPc.ClearCheckList : CtlPc.Fdput);
      return true;
    }
    case CtlPc.ClearCheckList: {
      const list = <i32>load<u16>(gAddr(G_TFILE_LIST));
      if (list != 0 && checkListPins()) {
        // a9ed4a6560b8..319c15174757: clear_tfile_check_list puts the reference each listed file holds.
        const f = <i32>ctz(list);
        // @step ClearCheckListPut | clear_tfile_check_list | fs/eventpoll.c | list_del_init(&file->f_tfile_llink);
        //   fput(file): the reference the check list held (a9ed4a6560b8..319c15174757)
        label(Step.ClearCheckListPut);
        fpWrite(FP_GLOBAL);
        store<u16>(gAddr(G_TFILE_LIST), <u16>(list & ~(1 << f)));
        push(Routine.Fput, f, 0, 0, 0, 0, 0);
        return true;
      }
      // @step EpollCtlClearCheckList | do_epoll_ctl | fs/eventpoll.c | clear_tfile_check_list(); loop_check_gen++;
      //   mutex_unlock(&epmutex)
      label(Step.EpollCtlClearCheckList);
      touchCheckList();
      fpWrite(FP_GLOBAL);
      store<u16>(gAddr(G_TFILE_LIST), 0);
      store<u8>(gAddr(G_LOOPGEN), load<u8>(gAddr(G_LOOPGEN)) + 1);
      release(EPMUTEX);
      setPc(CtlPc.Fdput);
      return true;
    }
    case CtlPc.LoopUnlock:
      // Before 13d518074a95: the ELOOP exit unlocks the global mutex and leaves what the loop check listed.
      // @step EpollCtlLoopUnlock | do_epoll_ctl | fs/eventpoll.c | ELOOP exit before 13d518074a95: mutex_unlock(&epmutex)
      //   without clear_tfile_check_list()
      label(Step.EpollCtlLoopUnlock);
      fpWrite(FP_GLOBAL);
      store<u8>(gAddr(G_LOOPGEN), load<u8>(gAddr(G_LOOPGEN)) + 1);
      release(EPMUTEX);
      setPc(CtlPc.Fdput);
      return true;
    default:
      return fdputTarget();
  }
}

/** Before 67347fe4e632 every ADD took epmutex before ep->mtx (since 28d82dc1c4ed; before that, only the ADD of
 *  an epoll file, since 22bacca48a17). */
function earlyFullCheck(): bool {
  if (r(CtlR.Op) != EpollCtlOp.Add || toggle(Toggle.FullCheckNarrow)) return false;
  return toggle(Toggle.LimitPaths) || (toggle(Toggle.LoopCheck) && tepOf() >= 0);
}

/** ep_find, then the operation itself (ep->mtx held). */
function dispatch(): bool {
  if (needsNestedTep()) {
    // @step EpollCtlLockTep | do_epoll_ctl | fs/eventpoll.c | mutex_lock_nested(&tep->mtx, 1): target is an epoll
    //   (every op, before 4ff36ee94d93)
    label(Step.EpollCtlLockTep);
    mightSleep();
    if (!acquire(lockId(LockClass.EpMtx, tepOf()))) return false;
    setR(CtlR.FullCheck, r(CtlR.FullCheck) | TEP_HELD);
    setPc(CtlPc.Dispatch);
    return true;
  }
  // @step EpFind | do_epoll_ctl | fs/eventpoll.c | epi = ep_find(ep, tf.file, fd), then dispatch on op
  label(Step.EpFind);
  const ep = epOf();
  const TF = fileOf(r(CtlR.Target));
  const fd = r(CtlR.Fd);
  const i = epFind(ep, TF, fd);
  setPc(CtlPc.Unlock);
  const op = r(CtlR.Op);
  if (op == EpollCtlOp.Add) {
    if (i >= 0) setR(CtlR.Errno, EEXIST);
    else {
      setR(CtlR.Errno, RV_PENDING);
      push(Routine.EpInsert, ep, TF, fd, r(CtlR.Events) | ERR_HUP, r(CtlR.Data), r(CtlR.FullCheck));
    }
  } else if (op == EpollCtlOp.Del) {
    if (i < 0) setR(CtlR.Errno, ENOENT);
    else {
      setR(CtlR.Errno, RV_PENDING);
      callEpRemove(ep, i, 0, epRemoveMode());
    }
  } else {
    // ep_modify under ep->mtx: the new mask and data replace the old ones (re-arming a disarmed ONESHOT).
    if (i < 0) setR(CtlR.Errno, ENOENT);
    else {
      // @step EpModify | ep_modify | fs/eventpoll.c | epi->event.events = event->events; epi->event.data =
      //   event->data
      label(Step.EpModify);
      itemSetRbr(i, I_EVENTS, r(CtlR.Events) | ERR_HUP);
      itemSetRbr(i, I_DATA, r(CtlR.Data));
      setR(CtlR.Errno, 0);
    }
  }
  return true;
}

/** fdput(tf) then fdput(f). A borrowed file (fdget on an unshared table) has nothing to put. */
function fdputTarget(): bool {
  const tfv = r(CtlR.Target);
  if (tfv != 0 && (tfv & BORROWED) == 0) {
    setR(CtlR.Target, 0);
    setPc(CtlPc.Fdput); // back here with r5 cleared, to put F
    return callNow(Routine.Fput, fileOf(tfv), 0, 0);
  }
  return fdputEpoll();
}

function fdputEpoll(): bool {
  const fv = r(CtlR.Epoll);
  setOpret(r(CtlR.Errno) != 0 ? -r(CtlR.Errno) : 0);
  if ((fv & BORROWED) == 0) return tailNow(Routine.Fput, fileOf(fv), 0, 0);
  // @step EpollCtlReturn | do_epoll_ctl | fs/eventpoll.c | fdput(f) (borrowed: nothing to put); return
  label(Step.EpollCtlReturn);
  opReturn(r(CtlR.Errno) != 0 ? -r(CtlR.Errno) : 0);
  return true;
}
