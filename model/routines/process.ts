// File references crossing processes: fork without CLONE_FILES (dup_fd copies the table, one get_file per slot),
// pidfd_getfd (fget_task in the target's table, then receive_fd into ours), and epoll_create1.
// Kernel sources: kernel/fork.c (copy_files), fs/file.c (dup_fd, receive_fd), kernel/pid.c (pidfd_getfd),
// fs/eventpoll.c (do_epoll_create).

import { EpLife, LockClass, Routine } from '../codes';
import { E_LIFE, E_REF, SLOT_EMPTY, SLOT_RESERVED, epAddr, fileEp, nSlots, threadTable } from '../layout';
import { cur, dropRef, FaultSite, faultPoint, holdRef, label, opReturn, pc, r, rv, setOpret, setPc, setR } from '../frame';
import { acquire, lockId, release } from '../locks';
import { ref, setLife, setRef, setSlot, setSlotUnpublished, slot } from '../objects';
import { Life } from '../codes';
import { fileAllocReuse } from '../memory';
import { Step } from '../steps';
import { callNow, tailNow } from '../dispatch';
import { FGET_REF, fdInstallLock } from './fdtable';
import { NO_FD } from './alloc_fd';
import { EBADF, EMFILE, ENOMEM } from '../errno';

enum ForkPc {
  Lock = 0,
  Copy = 1,
  Unlock = 2,
}
enum ForkR {
  Child = 0,
}

/** fork() without CLONE_FILES: dup_fd(parent) into the child's (empty) table. r0 = child table. */
export function stepFork(): bool {
  const tb = threadTable(cur);
  const ft = lockId(LockClass.FileTable, tb);
  switch (pc()) {
    case ForkPc.Lock:
      // @step DupFdLock | dup_fd | fs/file.c | spin_lock(&oldf->file_lock)
      label(Step.DupFdLock);
      if (!acquire(ft)) return false;
      setPc(ForkPc.Copy);
      return true;
    case ForkPc.Copy: {
      // copy_fd_bitmaps + the pointer copy: every installed file gets a reference; reserved slots stay empty.
      // @step DupFdCopy | dup_fd | fs/file.c | copy the open fds: get_file() for each installed file; reserved slots
      //   stay empty
      label(Step.DupFdCopy);
      const child = r(ForkR.Child);
      for (let i = 0; i < nSlots; i++) {
        const v = slot(tb, i);
        if (v == <u8>SLOT_EMPTY || v == <u8>SLOT_RESERVED) continue;
        setRef(v - 1, ref(v - 1) + 1);
        setSlotUnpublished(child, i, v);
      }
      setPc(ForkPc.Unlock);
      return true;
    }
    default:
      // @step DupFdUnlock | dup_fd | fs/file.c | spin_unlock(&oldf->file_lock); the child has its own table
      label(Step.DupFdUnlock);
      release(ft);
      opReturn(1); // the child's pid, as seen by the parent
      return true;
  }
}

enum GetfdPc {
  Fget = 0,
  AllocFd = 1,
  Install = 2,
}
enum GetfdR {
  Table = 0,
  Fd = 1,
  File = 2,
}

/** pidfd_getfd(pidfd of Q, n): r0 = Q's table, r1 = n, r2 = file + 1. */
export function stepPidfdGetfd(): bool {
  const tb = threadTable(cur);
  switch (pc()) {
    case GetfdPc.Fget:
      setPc(GetfdPc.AllocFd);
      return callNow(Routine.Fget, r(GetfdR.Fd), 0, FGET_REF, r(GetfdR.Table) + 1);
    case GetfdPc.AllocFd:
      if (rv() == 0) {
        // @step PidfdGetfdBadFd | pidfd_getfd | kernel/pid.c | fget_task found nothing: -EBADF
        label(Step.PidfdGetfdBadFd);
        opReturn(-EBADF);
        return true;
      }
      setR(GetfdR.File, rv());
      setPc(GetfdPc.Install);
      return callNow(Routine.AllocFd, 0, 0, 0); // receive_fd -> get_unused_fd_flags
    default: {
      const f = r(GetfdR.File) - 1;
      if (rv() == NO_FD) {
        setOpret(-EMFILE);
        return tailNow(Routine.Fput, f, 0, 0);
      }
      // receive_fd: get_file + fd_install (that reference becomes the table's); then pidfd_getfd's fput.
      // @step ReceiveFdInstall | receive_fd | fs/file.c | get_file(file); fd_install(new_fd, file); then
      //   pidfd_getfd's fput
      label(Step.ReceiveFdInstall);
      if (!fdInstallLock(tb)) return false;
      setRef(f, ref(f) + 1);
      setSlot(tb, rv(), <u8>(f + 1));
      setOpret(rv());
      return tailNow(Routine.Fput, f, 0, 0);
    }
  }
}

enum CreatePc {
  Alloc = 0,
  File = 1,
  Install = 2,
}
enum CreateR {
  File = 0,
  Fd = 1,
}

/** epoll_create1(0): ep_alloc, reserve an fd, the "[eventpoll]" file, fd_install. r0 = the epoll file,
 *  r1 = the reserved fd. */
export function stepEpollCreate(): bool {
  const tb = threadTable(cur);
  const f = r(CreateR.File);
  const ep = fileEp(f);
  switch (pc()) {
    case CreatePc.Alloc:
      // @step EpAlloc | ep_alloc | fs/eventpoll.c | ep = kzalloc(sizeof(*ep), GFP_KERNEL); refcount = 1
      label(Step.EpAlloc);
      if (faultPoint(FaultSite.EpAlloc)) {
        opReturn(-ENOMEM);
        return true;
      }
      setPc(CreatePc.File);
      return callNow(Routine.AllocFd, 0, 0, 0);
    case CreatePc.File:
      if (rv() == NO_FD) {
        // @step EpollCreateNoFd | do_epoll_create | fs/eventpoll.c | get_unused_fd_flags failed: -EMFILE; the
        //   unpublished eventpoll is freed
        label(Step.EpollCreateNoFd);
        opReturn(-EMFILE); // ep_clear_and_put / ep_free of the unpublished eventpoll: nothing else saw it
        return true;
      }
      // @step EpollCreateFile | do_epoll_create | fs/eventpoll.c | anon_inode_getfile("[eventpoll]", &eventpoll_fops,
      //   ep)
      label(Step.EpollCreateFile);
      setR(CreateR.Fd, rv());
      if (faultPoint(FaultSite.AnonInodeGetfile)) {
        setSlot(tb, r(CreateR.Fd), <u8>SLOT_EMPTY); // put_unused_fd
        opReturn(-ENOMEM);
        return true;
      }
      fileAllocReuse(f); // alloc_file: kmem_cache_zalloc(filp_cachep)
      setRef(f, 1);
      setLife(f, Life.Live);
      store<u8>(epAddr(ep) + E_LIFE, <u8>EpLife.Live);
      store<u8>(epAddr(ep) + E_REF, 1);
      holdRef(f);
      setPc(CreatePc.Install);
      return true;
    default:
      label(Step.FdInstall);
      if (!fdInstallLock(tb)) return false;
      setSlot(tb, r(CreateR.Fd), <u8>(f + 1));
      dropRef(f);
      opReturn(r(CreateR.Fd));
      return true;
  }
}
