// fd-table step programs: close, dup, dup2, fget/fdget and seccomp's ADDFD+SETFD (replace_fd).
// Kernel sources: fs/file.c (close_fd, file_close_fd_locked, alloc_fd, fd_install, ksys_dup3, do_dup2,
// replace_fd, __fget_files_rcu, __fget_light), kernel/seccomp.c (seccomp_notify_addfd, seccomp_handle_addfd).

import { Access, MemField, Routine, Toggle, Viol } from '../codes';
import { fileAccess, occupant, rcuDrop } from '../memory';
import { SLOT_EMPTY, SLOT_RESERVED, T_UHELD, nSlots, threadAddr, threadTable, toggle, tableUsers } from '../layout';
import { LockClass } from '../codes';
import {
  cur, dropRef, holdRef, label, opReturn, pc, push, r, ret, rv, setOpret, setPc, setR, violate,
} from '../frame';
import { acquire, lockId, release } from '../locks';
import { canPoll, life, ref, setRef, setSlot, slot, watched } from '../objects';
import { Step } from '../steps';
import { callNow, tailNow } from '../dispatch';
import { Life } from '../codes';
import { EBADF, EBUSY, EMFILE } from '../errno';
import { NO_FD } from './alloc_fd';
import { REPLACE_REQUEST } from './seccomp';

/** rv() flag from Fget: the file was borrowed by fdget (unshared table), no reference was taken. */
export const BORROWED: i32 = 0x40;
/** Fget modes (r2). */
export const FGET_REF: i32 = 0;
export const FGET_LIGHT: i32 = 1;
/** The scenario's own fget(N): keep the reference past the syscall. */
export const FGET_USER: i32 = 2;

function ft(): i32 {
  return lockId(LockClass.FileTable, threadTable(cur));
}

function isFile(v: u8): bool {
  return v != SLOT_EMPTY && v != SLOT_RESERVED;
}

enum ClosePc {
  Lock = 0,
  CloseFdLocked = 1,
  Unlock = 2,
}
enum CloseR {
  Fd = 0,
  File = 1,
}

/** close(fd): close_fd -> file_close_fd_locked under file_lock, then filp_close outside it. */
export function stepClose(): bool {
  const tb = threadTable(cur);
  const fd = r(CloseR.Fd);
  switch (pc()) {
    case ClosePc.Lock:
      // @step CloseLock | close_fd | fs/file.c | spin_lock(&files->file_lock)
      label(Step.CloseLock);
      if (!acquire(ft())) return false;
      setPc(ClosePc.CloseFdLocked);
      return true;
    case ClosePc.CloseFdLocked: {
      // @step CloseFileCloseFdLocked | file_close_fd_locked | fs/file.c | file = fd[fd]; rcu_assign_pointer(fd[fd],
      //   NULL); __put_unused_fd
      label(Step.CloseFileCloseFdLocked);
      const v = slot(tb, fd);
      if (isFile(v)) {
        setSlot(tb, fd, <u8>SLOT_EMPTY);
        holdRef(v - 1); // the table's reference now belongs to this task
        setR(CloseR.File, v);
      } else setR(CloseR.File, 0);
      setPc(ClosePc.Unlock);
      return true;
    }
    default: {
      // @step CloseUnlock | close_fd | fs/file.c | spin_unlock(&files->file_lock); the table's reference now belongs
      //   to the caller
      label(Step.CloseUnlock);
      release(ft());
      const v = r(CloseR.File);
      if (v == 0) {
        opReturn(-EBADF);
        return true;
      }
      setOpret(0);
      ret(0);
      push(Routine.FilpClose, v - 1, 0, 0, 0, 0, 0);
      return true;
    }
  }
}

enum DupPc {
  Fget = 0,
  AllocFd = 1,
  Install = 2,
}
enum DupR {
  Fd = 0,
  File = 1,
}

/** dup(fd): fget_raw, alloc_fd (reserve), fd_install — the new number is reserved before it is filled.
 *  r1 = file + 1, r2 = the reserved fd. */
export function stepDup(): bool {
  const tb = threadTable(cur);
  switch (pc()) {
    case DupPc.Fget:
      setPc(DupPc.AllocFd);
      return callNow(Routine.Fget, r(DupR.Fd), 0, FGET_REF);
    case DupPc.AllocFd: {
      const v = rv();
      if (v == 0) {
        // @step DupBadFd | ksys_dup | fs/file.c | fget_raw(fildes) found nothing: return -EBADF
        label(Step.DupBadFd);
        opReturn(-EBADF);
        return true;
      }
      setR(DupR.File, v);
      setPc(DupPc.Install);
      return callNow(Routine.AllocFd, 0, 0, 0);
    }
    default: {
      const f = r(DupR.File) - 1;
      if (rv() == NO_FD) {
        setOpret(-EMFILE);
        return tailNow(Routine.Fput, f, 0, 0);
      }
      // @step FdInstall | fd_install | fs/file.c | rcu_assign_pointer(fdt->fd[fd], file): the caller's reference
      //   becomes the table's
      label(Step.FdInstall);
      setSlot(tb, rv(), <u8>(f + 1));
      dropRef(f); // fd_install consumes the caller's reference: it is now the table's
      opReturn(rv());
      return true;
    }
  }
}

enum Dup2Pc {
  Lock = 0,
  DoDup2 = 1,
  Unlock = 2,
}
enum Dup2R {
  OldFd = 0,
  NewFd = 1,
  Displaced = 2,
  Errno = 3,
}

/** dup2(oldfd, newfd): do_dup2 swaps the slot under file_lock; the displaced file is closed afterwards. */
export function stepDup2(): bool {
  const tb = threadTable(cur);
  const oldfd = r(Dup2R.OldFd);
  const newfd = r(Dup2R.NewFd);
  switch (pc()) {
    case Dup2Pc.Lock:
      if (oldfd == newfd) {
        // @step Dup2Same | ksys_dup2 | fs/file.c | oldfd == newfd: only check that oldfd is open
        label(Step.Dup2Same);
        opReturn(isFile(slot(tb, oldfd)) ? newfd : -EBADF);
        return true;
      }
      if (newfd >= nSlots) {
        // @step Dup2Range | ksys_dup3 | fs/file.c | newfd >= rlimit(RLIMIT_NOFILE): -EBADF
        label(Step.Dup2Range);
        opReturn(-EBADF); // newfd >= rlimit(RLIMIT_NOFILE)
        return true;
      }
      // @step Dup2Lock | ksys_dup3 | fs/file.c | spin_lock(&files->file_lock)
      label(Step.Dup2Lock);
      if (!acquire(ft())) return false;
      setPc(Dup2Pc.DoDup2);
      return true;
    case Dup2Pc.DoDup2: {
      // @step DoDup2 | do_dup2 | fs/file.c | tofree = fd[newfd]; get_file(file); rcu_assign_pointer(fd[newfd], file)
      label(Step.DoDup2);
      const v = slot(tb, oldfd);
      const old = slot(tb, newfd);
      if (!isFile(v)) setR(Dup2R.Errno, EBADF);
      else if (old == SLOT_RESERVED) setR(Dup2R.Errno, EBUSY);
      else {
        setRef(v - 1, ref(v - 1) + 1);
        setSlot(tb, newfd, v);
        if (old != SLOT_EMPTY) holdRef(old - 1);
        setR(Dup2R.Displaced, old);
      }
      setPc(Dup2Pc.Unlock);
      return true;
    }
    default: {
      // @step Dup2Unlock | do_dup2 | fs/file.c | spin_unlock(&files->file_lock); the displaced file is closed outside
      //   the lock
      label(Step.Dup2Unlock);
      release(ft());
      if (r(Dup2R.Errno) != 0) {
        opReturn(-r(Dup2R.Errno));
        return true;
      }
      if (r(Dup2R.Displaced) == 0) {
        opReturn(newfd);
        return true;
      }
      setOpret(newfd);
      const f = r(Dup2R.Displaced) - 1;
      ret(0);
      push(Routine.FilpClose, f, 0, 0, 0, 0, 0);
      return true;
    }
  }
}

enum FgetPc {
  Read = 0,
  IncNotZero = 1,
  Recheck = 2,
}
enum FgetR {
  Fd = 0,
  File = 1,
  Mode = 2,
  Table = 3,
  Reused = 4,
}

/** fget(fd) / fdget(fd): __fget_files_rcu's three steps (read the slot, increment-if-not-zero, re-check the
 *  slot), or __fget_light's borrow when the table has a single user. r0 = fd, r1 = file seen, r2 = mode,
 *  r3 = table + 1 when looking into another task's table (fget_task).
 *  Returns file + 1 (| BORROWED), or 0 for EBADF. */
export function stepFget(): bool {
  // r3 = another task's table + 1 (fget_task, for pidfd_getfd), 0 = our own.
  const tb = r(FgetR.Table) != 0 ? r(FgetR.Table) - 1 : threadTable(cur);
  const fd = r(FgetR.Fd);
  const mode = r(FgetR.Mode);
  switch (pc()) {
    case FgetPc.Read: {
      const v = slot(tb, fd);
      if (mode == FGET_LIGHT && tableUsers(tb) == 1) {
        // @step FdgetLight | __fget_light | fs/file.c | files->count == 1: borrow fd[fd] without taking a reference
        label(Step.FdgetLight);
        ret(isFile(v) ? <i32>v | BORROWED : 0);
        return true;
      }
      // @step FgetRead | __fget_files_rcu | fs/file.c | rcu_read_lock(); file = rcu_dereference_raw(fdt->fd[fd]) (no
      //   reference yet: only RCU keeps the memory valid)
      label(Step.FgetRead);
      if (!isFile(v)) return fgetDone(0);
      setR(FgetR.File, v - 1);
      setPc(FgetPc.IncNotZero);
      return true;
    }
    case FgetPc.IncNotZero: {
      // get_file_rcu(file): atomic_long_inc_not_zero(&file->f_count) on memory that may be freed since the read.
      // Legal inside this read-side section (call_rcu delays the free; SLAB_TYPESAFE_BY_RCU keeps it a struct
      // file, but maybe another one: the object that reused the memory is the one whose count is taken).
      // @step FgetIncNotZero | __fget_files_rcu | fs/file.c | file_ref_get(&file->f_ref): increment unless zero (else
      //   retry)
      label(Step.FgetIncNotZero);
      const seen = r(FgetR.File);
      if (!fileAccess(seen, MemField.Count, Access.Write)) return fgetDone(0);
      const f = occupant(seen);
      rcuDrop(seen); // from here a reference (or nothing) keeps the pointer valid
      if (ref(f) == 0) {
        setPc(FgetPc.Read); // dying or freed: look again
        return true;
      }
      setRef(f, ref(f) + 1);
      holdRef(f);
      setR(FgetR.File, f);
      setR(FgetR.Reused, f != seen ? 1 : 0);
      setPc(FgetPc.Recheck);
      return true;
    }
    default: {
      // @step FgetRecheck | __fget_files_rcu | fs/file.c | file != fdt->fd[fd] ? fput(file) and retry : return file;
      //   rcu_read_unlock()
      label(Step.FgetRecheck);
      const f = r(FgetR.File);
      if (!toggle(Toggle.FgetRecheck)) {
        // Before 054aa8d439b9 nothing compares the slot with the file just referenced: with the memory reused
        // under the reader, it now holds a reference on an object it never looked up.
        if (r(FgetR.Reused) != 0 && slot(tb, fd) != <u8>(f + 1)) violate(Viol.RcuIdentity, f);
        return fgetDone(f + 1);
      }
      if (slot(tb, fd) != <u8>(f + 1)) {
        setPc(FgetPc.Read); // the slot changed under us: put the reference back and retry
        push(Routine.Fput, f, 0, 0, 0, 0, 0);
        return true;
      }
      return fgetDone(f + 1);
    }
  }
}

function fgetDone(v: i32): bool {
  if (r(FgetR.Mode) == FGET_USER) {
    // The scenario's fget(): the reference outlives the syscall as an explicit holder.
    if (v != 0) {
      dropRef(v - 1);
      store<u8>(threadAddr(cur) + T_UHELD, <u8>v);
    }
    opReturn(v != 0 ? 0 : -EBADF);
    return true;
  }
  ret(v);
  return true;
}

/** The scenario's fput(): drop the reference its fget() kept. */
export function stepFputOp(): bool {
  const u = load<u8>(threadAddr(cur) + T_UHELD);
  if (u == 0) {
    // @step FputNothingHeld | fput | fs/file_table.c | scenario fput() with no reference held: nothing to put
    label(Step.FputNothingHeld);
    opReturn(-EBADF);
    return true;
  }
  store<u8>(threadAddr(cur) + T_UHELD, 0);
  holdRef(u - 1);
  setOpret(0);
  return tailNow(Routine.Fput, u - 1, 0, 0);
}

enum ReplacePc {
  Fget = 0,
  Lock = 1,
  DoDup2 = 2,
  Unlock = 3,
  DoReplace = 4,
  FdWalk = 5,
  FilpClose = 6,
  Return = 7,
  V7FgetOld = 10,
  V7ReplaceFile = 11,
  V7Result = 12,
  V7PutOld = 13,
  V7Undone = 14,
}
enum ReplaceR {
  Fd = 0,
  New = 1,
  Displaced = 2,
  Errno = 3,
  Old = 4,
  Request = 5,
}

/** seccomp ADDFD with SETFD, run by the target: receive_fd_replace -> replace_fd -> do_dup2. On rfc-v4
 *  replace_fd hands the displaced file to do_replace instead of closing it (docs/model.md §C.1); on rfc-v7
 *  seccomp_handle_addfd first moves the epitems with eventpoll_replace_file (docs/model.md §C.2).
 *  r0 = fd, r1 = new file, r2 = displaced file + 1, r3 = errno, r4 = OLD + 1 (rfc-v7's fget), r5 = REPLACE_REQUEST
 *  when the target serves a supervisor's queued request (the supervisor owns the kfile reference). */
export function stepReplace(): bool {
  const tb = threadTable(cur);
  const fd = r(ReplaceR.Fd);
  const nf = r(ReplaceR.New);
  const v7 = toggle(Toggle.RfcV7);
  switch (pc()) {
    case ReplacePc.Fget:
      if (r(ReplaceR.Request) == REPLACE_REQUEST) {
        // replace_fd(): an fd at or above RLIMIT_NOFILE (here: the table's slots) is EBADF before anything else.
        if (fd >= nSlots) {
          setR(ReplaceR.Errno, EBADF);
          setPc(ReplacePc.Return);
          return stepReplace();
        }
        setPc(v7 ? ReplacePc.V7FgetOld : ReplacePc.Lock);
        return stepReplace();
      }
      // @step AddfdFget | seccomp_notify_addfd | kernel/seccomp.c | kaddfd.file = fget(addfd.srcfd): the supervisor
      //   pins the new file
      label(Step.AddfdFget);
      if (fd >= nSlots || life(nf) != Life.Live || ref(nf) == 0) {
        opReturn(-EBADF);
        return true;
      }
      setRef(nf, ref(nf) + 1);
      holdRef(nf);
      setPc(v7 ? ReplacePc.V7FgetOld : ReplacePc.Lock);
      return true;
    case ReplacePc.V7FgetOld:
      // rfc-v7 S1: OLD = fget(addfd.fd) in the target's table.
      setPc(ReplacePc.V7ReplaceFile);
      return callNow(Routine.Fget, fd, 0, FGET_REF);
    case ReplacePc.V7ReplaceFile: {
      if (rv() == 0) {
        // @step RfcV7NoOld | seccomp_handle_addfd (RFC v7) | kernel/seccomp.c (RFC v7 patch) | fget(addfd->fd) found
        //   nothing: -EBADF
        label(Step.RfcV7NoOld);
        setR(ReplaceR.Errno, EBADF);
        setPc(ReplacePc.Return);
        return true;
      }
      // @step RfcV7ReplaceFile | seccomp_handle_addfd (RFC v7) | kernel/seccomp.c (RFC v7 patch) | err =
      //   eventpoll_replace_file(old, addfd->file, addfd->fd)
      label(Step.RfcV7ReplaceFile);
      setR(ReplaceR.Old, rv());
      setPc(ReplacePc.V7Result);
      push(Routine.RfcV7EpReplace, rv() - 1, nf, fd, 0, 0, 0);
      return true;
    }
    case ReplacePc.V7Result:
      if (rv() != 0) {
        // @step RfcV7Failed | seccomp_handle_addfd (RFC v7) | kernel/seccomp.c (RFC v7 patch) | eventpoll_replace_file
        //   failed: the request fails
        label(Step.RfcV7Failed);
        setR(ReplaceR.Errno, rv());
        setPc(ReplacePc.V7PutOld);
        return true;
      }
      setPc(ReplacePc.Lock);
      return stepReplace();
    case ReplacePc.Lock:
      // @step ReplaceFdLock | replace_fd | fs/file.c | spin_lock(&files->file_lock); expand_files(files, fd)
      label(Step.ReplaceFdLock);
      if (!acquire(ft())) return false;
      setPc(ReplacePc.DoDup2);
      return true;
    case ReplacePc.DoDup2: {
      // @step ReplaceDoDup2 | do_dup2 | fs/file.c | tofree = fd[fd]; get_file(file); rcu_assign_pointer(fd[fd], file)
      label(Step.ReplaceDoDup2);
      const old = slot(tb, fd);
      if (old == SLOT_RESERVED) setR(ReplaceR.Errno, EBUSY);
      else {
        setRef(nf, ref(nf) + 1);
        setSlot(tb, fd, <u8>(nf + 1));
        if (old != SLOT_EMPTY) holdRef(old - 1);
        setR(ReplaceR.Displaced, old);
      }
      setPc(ReplacePc.Unlock);
      return true;
    }
    case ReplacePc.Unlock: {
      // @step ReplaceFdUnlock | do_dup2 | fs/file.c | spin_unlock(&files->file_lock); then filp_close(tofree)
      label(Step.ReplaceFdUnlock);
      release(ft());
      const failed = r(ReplaceR.Errno) != 0;
      if (!failed && toggle(Toggle.RfcV4Replace)) {
        setPc(ReplacePc.DoReplace);
        return true;
      }
      if (v7 && failed) {
        // S4: undo the epitem move; an error of the undo replaces the result.
        setPc(ReplacePc.V7Undone);
        push(Routine.RfcV7EpReplace, nf, r(ReplaceR.Old) - 1, fd, 0, 0, 0);
        return true;
      }
      setPc(v7 ? ReplacePc.V7PutOld : ReplacePc.Return);
      if (!failed && r(ReplaceR.Displaced) != 0) push(Routine.FilpClose, r(ReplaceR.Displaced) - 1, 0, 0, 0, 0, 0);
      return true;
    }
    case ReplacePc.DoReplace: {
      // do_replace (RFC): eventpoll_replace_file(tofree, file) if tofree->f_ep (an unlocked read).
      // @step RfcDoReplace | do_replace | fs/file.c (RFC v4 patch) | if (tofree && tofree->f_ep)
      //   eventpoll_replace_file(tofree, file)
      label(Step.RfcDoReplace);
      const old = r(ReplaceR.Displaced) - 1;
      if (r(ReplaceR.Displaced) == 0) {
        setPc(ReplacePc.Return);
        return true;
      }
      setPc(ReplacePc.FdWalk);
      if (watched(old) && canPoll(nf)) push(Routine.RfcEpReplace, old, nf, 0, 0, 0, 0);
      return true;
    }
    case ReplacePc.FdWalk:
      setPc(ReplacePc.FilpClose);
      return callNow(Routine.RfcFdWalk, r(ReplaceR.Displaced) - 1, nf, fd);
    case ReplacePc.FilpClose:
      setPc(ReplacePc.Return);
      return callNow(Routine.FilpClose, r(ReplaceR.Displaced) - 1, 0, 0);
    case ReplacePc.V7Undone:
      // @step RfcV7Undone | seccomp_handle_addfd (RFC v7) | kernel/seccomp.c (RFC v7 patch) | receive_fd_replace
      //   failed: eventpoll_replace_file(addfd->file, old, fd) to undo
      label(Step.RfcV7Undone);
      if (rv() != 0) setR(ReplaceR.Errno, rv());
      setPc(ReplacePc.V7PutOld);
      return true;
    case ReplacePc.V7PutOld:
      // rfc-v7 S5: fput(OLD), the reference S1 took.
      setPc(ReplacePc.Return);
      return callNow(Routine.Fput, r(ReplaceR.Old) - 1, 0, 0);
    default: {
      const result = r(ReplaceR.Errno) != 0 ? -r(ReplaceR.Errno) : fd;
      if (r(ReplaceR.Request) == REPLACE_REQUEST) {
        // @step HandleAddfdResult | receive_fd_replace | fs/file.c | return the fd (or the error) to
        //   seccomp_handle_addfd
        label(Step.HandleAddfdResult);
        ret(result & 0xff); // complete(&addfd->completion) with this result; the supervisor puts kfile
        return true;
      }
      // seccomp_notify_addfd: the supervisor's request reference on the new file is dropped.
      setOpret(result);
      return tailNow(Routine.Fput, nf, 0, 0);
    }
  }
}
