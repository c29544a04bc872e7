// File references crossing processes: fork without CLONE_FILES (dup_fd copies the table, one get_file per slot),
// pidfd_getfd (fget_task in the target's table, then receive_fd into ours), and epoll_create1.
// Kernel sources: kernel/fork.c (copy_files), fs/file.c (dup_fd, receive_fd), kernel/pid.c (pidfd_getfd),
// fs/eventpoll.c (do_epoll_create).

import { EpLife, LockClass, Routine } from '../codes';
import { E_LIFE, E_REF, SLOT_EMPTY, SLOT_RESERVED, epAddr, fileEp, nSlots, threadTable } from '../layout';
import { cur, dropRef, FaultSite, faultPoint, holdRef, label, opReturn, pc, r, rv, setOpret, setPc, setR } from '../frame';
import { acquire, lockId, release } from '../locks';
import { ref, setLife, setRef, setSlot, slot } from '../objects';
import { Life } from '../codes';
import { fileAllocReuse } from '../memory';
import { Step } from '../steps';
import { callNow, tailNow } from '../dispatch';
import { FGET_REF } from './fdtable';
import { NO_FD } from './alloc_fd';
import { EBADF, EMFILE, ENOMEM } from '../errno';

/** fork() without CLONE_FILES: dup_fd(parent) into the child's (empty) table. r0 = child table. */
export function stepFork(): bool {
  const tb = threadTable(cur);
  const ft = lockId(LockClass.FileTable, tb);
  switch (pc()) {
    case 0:
      label(Step.DupFdLock);
      if (!acquire(ft)) return false;
      setPc(1);
      return true;
    case 1: {
      // copy_fd_bitmaps + the pointer copy: every installed file gets a reference; reserved slots stay empty.
      label(Step.DupFdCopy);
      const child = r(0);
      for (let i = 0; i < nSlots; i++) {
        const v = slot(tb, i);
        if (v == <u8>SLOT_EMPTY || v == <u8>SLOT_RESERVED) continue;
        setRef(v - 1, ref(v - 1) + 1);
        setSlot(child, i, v);
      }
      setPc(2);
      return true;
    }
    default:
      label(Step.DupFdUnlock);
      release(ft);
      opReturn(1); // the child's pid, as seen by the parent
      return true;
  }
}

/** pidfd_getfd(pidfd of Q, n): r0 = Q's table, r1 = n, r2 = file + 1. */
export function stepPidfdGetfd(): bool {
  const tb = threadTable(cur);
  switch (pc()) {
    case 0:
      setPc(1);
      return callNow(Routine.Fget, r(1), 0, FGET_REF, r(0) + 1);
    case 1:
      if (rv() == 0) {
        label(Step.PidfdGetfdBadFd);
        opReturn(-EBADF);
        return true;
      }
      setR(2, rv());
      setPc(2);
      return callNow(Routine.AllocFd, 0, 0, 0); // receive_fd -> get_unused_fd_flags
    default: {
      const f = r(2) - 1;
      if (rv() == NO_FD) {
        setOpret(-EMFILE);
        return tailNow(Routine.Fput, f, 0, 0);
      }
      // receive_fd: get_file + fd_install (that reference becomes the table's); then pidfd_getfd's fput.
      label(Step.ReceiveFdInstall);
      setRef(f, ref(f) + 1);
      setSlot(tb, rv(), <u8>(f + 1));
      setOpret(rv());
      return tailNow(Routine.Fput, f, 0, 0);
    }
  }
}

/** epoll_create1(0): ep_alloc, reserve an fd, the "[eventpoll]" file, fd_install. r0 = the epoll file,
 *  r1 = the reserved fd. */
export function stepEpollCreate(): bool {
  const tb = threadTable(cur);
  const f = r(0);
  const ep = fileEp(f);
  switch (pc()) {
    case 0:
      label(Step.EpAlloc);
      if (faultPoint(FaultSite.EpAlloc)) {
        opReturn(-ENOMEM);
        return true;
      }
      setPc(1);
      return callNow(Routine.AllocFd, 0, 0, 0);
    case 1:
      if (rv() == NO_FD) {
        label(Step.EpollCreateNoFd);
        opReturn(-EMFILE); // ep_clear_and_put / ep_free of the unpublished eventpoll: nothing else saw it
        return true;
      }
      label(Step.EpollCreateFile);
      setR(1, rv());
      if (faultPoint(FaultSite.AnonInodeGetfile)) {
        setSlot(tb, r(1), <u8>SLOT_EMPTY); // put_unused_fd
        opReturn(-ENOMEM);
        return true;
      }
      fileAllocReuse(f); // alloc_file: kmem_cache_zalloc(filp_cachep)
      setRef(f, 1);
      setLife(f, Life.Live);
      store<u8>(epAddr(ep) + E_LIFE, <u8>EpLife.Live);
      store<u8>(epAddr(ep) + E_REF, 1);
      holdRef(f);
      setPc(2);
      return true;
    default:
      label(Step.FdInstall);
      setSlot(tb, r(1), <u8>(f + 1));
      dropRef(f);
      opReturn(r(1));
      return true;
  }
}
