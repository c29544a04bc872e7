// get_unused_fd_flags -> alloc_fd (fs/file.c): reserve the lowest free slot under file_lock. The slot is then
// "reserved" (open bit set, fd[n] still NULL) until the caller's fd_install fills it: dup2 onto it meanwhile gets
// EBUSY, and walkers of the table see an empty slot.

import { LockClass } from '../codes';
import { SLOT_EMPTY, SLOT_RESERVED, nSlots, threadTable } from '../layout';
import { cur, label, pc, r, ret, setPc, setR } from '../frame';
import { acquire, lockId, release } from '../locks';
import { setSlot, slot } from '../objects';
import { Step } from '../steps';

/** Returned instead of an fd when the table is full (EMFILE). */
export const NO_FD: i32 = 0xff;

enum AllocPc {
  Lock = 0,
  Alloc = 1,
  Unlock = 2,
}
enum AllocR {
  Fd = 0,
}

/** r0 = the reserved fd (NO_FD if none). Returns it. */
export function stepAllocFd(): bool {
  const tb = threadTable(cur);
  const ft = lockId(LockClass.FileTable, tb);
  switch (pc()) {
    case AllocPc.Lock:
      // @step AllocFdLock | alloc_fd | fs/file.c | spin_lock(&files->file_lock)
      label(Step.AllocFdLock);
      if (!acquire(ft)) return false;
      setPc(AllocPc.Alloc);
      return true;
    case AllocPc.Alloc: {
      // @step AllocFd | alloc_fd | fs/file.c | find_next_fd: reserve the lowest free slot (open bit set, fd[n] still
      //   NULL)
      label(Step.AllocFd);
      let fd = NO_FD;
      for (let i = 0; i < nSlots; i++) {
        if (slot(tb, i) == <u8>SLOT_EMPTY) {
          fd = i;
          break;
        }
      }
      if (fd != NO_FD) setSlot(tb, fd, <u8>SLOT_RESERVED);
      setR(AllocR.Fd, fd);
      setPc(AllocPc.Unlock);
      return true;
    }
    default:
      // @step AllocFdUnlock | alloc_fd | fs/file.c | spin_unlock(&files->file_lock)
      label(Step.AllocFdUnlock);
      release(ft);
      ret(r(AllocR.Fd));
      return true;
  }
}
