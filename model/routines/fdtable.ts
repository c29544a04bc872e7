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

/** close(fd): close_fd -> file_close_fd_locked under file_lock, then filp_close outside it. */
export function stepClose(): bool {
  const tb = threadTable(cur);
  const fd = r(0);
  switch (pc()) {
    case 0:
      label(Step.CloseLock);
      if (!acquire(ft())) return false;
      setPc(1);
      return true;
    case 1: {
      label(Step.CloseFileCloseFdLocked);
      const v = slot(tb, fd);
      if (isFile(v)) {
        setSlot(tb, fd, <u8>SLOT_EMPTY);
        holdRef(v - 1); // the table's reference now belongs to this task
        setR(1, v);
      } else setR(1, 0);
      setPc(2);
      return true;
    }
    default: {
      label(Step.CloseUnlock);
      release(ft());
      const v = r(1);
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

/** dup(fd): fget_raw, alloc_fd (reserve), fd_install — the new number is reserved before it is filled.
 *  r1 = file + 1, r2 = the reserved fd. */
export function stepDup(): bool {
  const tb = threadTable(cur);
  switch (pc()) {
    case 0:
      setPc(1);
      return callNow(Routine.Fget, r(0), 0, FGET_REF);
    case 1: {
      const v = rv();
      if (v == 0) {
        label(Step.DupBadFd);
        opReturn(-EBADF);
        return true;
      }
      setR(1, v);
      setPc(2);
      return callNow(Routine.AllocFd, 0, 0, 0);
    }
    default: {
      const f = r(1) - 1;
      if (rv() == NO_FD) {
        setOpret(-EMFILE);
        return tailNow(Routine.Fput, f, 0, 0);
      }
      label(Step.FdInstall);
      setSlot(tb, rv(), <u8>(f + 1));
      dropRef(f); // fd_install consumes the caller's reference: it is now the table's
      opReturn(rv());
      return true;
    }
  }
}

/** dup2(oldfd, newfd): do_dup2 swaps the slot under file_lock; the displaced file is closed afterwards. */
export function stepDup2(): bool {
  const tb = threadTable(cur);
  const oldfd = r(0);
  const newfd = r(1);
  switch (pc()) {
    case 0:
      if (oldfd == newfd) {
        label(Step.Dup2Same);
        opReturn(isFile(slot(tb, oldfd)) ? newfd : -EBADF);
        return true;
      }
      if (newfd >= nSlots) {
        label(Step.Dup2Range);
        opReturn(-EBADF); // newfd >= rlimit(RLIMIT_NOFILE)
        return true;
      }
      label(Step.Dup2Lock);
      if (!acquire(ft())) return false;
      setPc(1);
      return true;
    case 1: {
      label(Step.DoDup2);
      const v = slot(tb, oldfd);
      const old = slot(tb, newfd);
      if (!isFile(v)) setR(3, EBADF);
      else if (old == SLOT_RESERVED) setR(3, EBUSY);
      else {
        setRef(v - 1, ref(v - 1) + 1);
        setSlot(tb, newfd, v);
        if (old != SLOT_EMPTY) holdRef(old - 1);
        setR(2, old);
      }
      setPc(2);
      return true;
    }
    default: {
      label(Step.Dup2Unlock);
      release(ft());
      if (r(3) != 0) {
        opReturn(-r(3));
        return true;
      }
      if (r(2) == 0) {
        opReturn(newfd);
        return true;
      }
      setOpret(newfd);
      const f = r(2) - 1;
      ret(0);
      push(Routine.FilpClose, f, 0, 0, 0, 0, 0);
      return true;
    }
  }
}

/** fget(fd) / fdget(fd): __fget_files_rcu's three steps (read the slot, increment-if-not-zero, re-check the
 *  slot), or __fget_light's borrow when the table has a single user. r0 = fd, r1 = file seen, r2 = mode,
 *  r3 = table + 1 when looking into another task's table (fget_task).
 *  Returns file + 1 (| BORROWED), or 0 for EBADF. */
export function stepFget(): bool {
  // r3 = another task's table + 1 (fget_task, for pidfd_getfd), 0 = our own.
  const tb = r(3) != 0 ? r(3) - 1 : threadTable(cur);
  const fd = r(0);
  const mode = r(2);
  switch (pc()) {
    case 0: {
      const v = slot(tb, fd);
      if (mode == FGET_LIGHT && tableUsers(tb) == 1) {
        label(Step.FdgetLight);
        ret(isFile(v) ? <i32>v | BORROWED : 0);
        return true;
      }
      label(Step.FgetRead);
      if (!isFile(v)) return fgetDone(0);
      setR(1, v - 1);
      setPc(1);
      return true;
    }
    case 1: {
      // get_file_rcu(file): atomic_long_inc_not_zero(&file->f_count) on memory that may be freed since the read.
      // Legal inside this read-side section (call_rcu delays the free; SLAB_TYPESAFE_BY_RCU keeps it a struct
      // file, but maybe another one: the object that reused the memory is the one whose count is taken).
      label(Step.FgetIncNotZero);
      const seen = r(1);
      if (!fileAccess(seen, MemField.Count, Access.Write)) return fgetDone(0);
      const f = occupant(seen);
      rcuDrop(seen); // from here a reference (or nothing) keeps the pointer valid
      if (ref(f) == 0) {
        setPc(0); // dying or freed: look again
        return true;
      }
      setRef(f, ref(f) + 1);
      holdRef(f);
      setR(1, f);
      setR(4, f != seen ? 1 : 0);
      setPc(2);
      return true;
    }
    default: {
      label(Step.FgetRecheck);
      const f = r(1);
      if (!toggle(Toggle.FgetRecheck)) {
        // Before 054aa8d439b9 nothing compares the slot with the file just referenced: with the memory reused
        // under the reader, it now holds a reference on an object it never looked up.
        if (r(4) != 0 && slot(tb, fd) != <u8>(f + 1)) violate(Viol.RcuIdentity, f);
        return fgetDone(f + 1);
      }
      if (slot(tb, fd) != <u8>(f + 1)) {
        setPc(0); // the slot changed under us: put the reference back and retry
        push(Routine.Fput, f, 0, 0, 0, 0, 0);
        return true;
      }
      return fgetDone(f + 1);
    }
  }
}

function fgetDone(v: i32): bool {
  if (r(2) == FGET_USER) {
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
    label(Step.FputNothingHeld);
    opReturn(-EBADF);
    return true;
  }
  store<u8>(threadAddr(cur) + T_UHELD, 0);
  holdRef(u - 1);
  setOpret(0);
  return tailNow(Routine.Fput, u - 1, 0, 0);
}

/** seccomp ADDFD with SETFD, run by the target: receive_fd_replace -> replace_fd -> do_dup2. On rfc-v4
 *  replace_fd hands the displaced file to do_replace instead of closing it (docs/model.md §C.1); on rfc-v7
 *  seccomp_handle_addfd first moves the epitems with eventpoll_replace_file (docs/model.md §C.2).
 *  r0 = fd, r1 = new file, r2 = displaced file + 1, r3 = errno, r4 = OLD + 1 (rfc-v7's fget), r5 = REPLACE_REQUEST
 *  when the target serves a supervisor's queued request (the supervisor owns the kfile reference). */
export function stepReplace(): bool {
  const tb = threadTable(cur);
  const fd = r(0);
  const nf = r(1);
  const v7 = toggle(Toggle.RfcV7);
  switch (pc()) {
    case 0:
      if (r(5) == REPLACE_REQUEST) {
        // replace_fd(): an fd at or above RLIMIT_NOFILE (here: the table's slots) is EBADF before anything else.
        if (fd >= nSlots) {
          setR(3, EBADF);
          setPc(7);
          return stepReplace();
        }
        setPc(v7 ? 10 : 1);
        return stepReplace();
      }
      label(Step.AddfdFget);
      if (fd >= nSlots || life(nf) != Life.Live || ref(nf) == 0) {
        opReturn(-EBADF);
        return true;
      }
      setRef(nf, ref(nf) + 1);
      holdRef(nf);
      setPc(v7 ? 10 : 1);
      return true;
    case 10:
      // rfc-v7 S1: OLD = fget(addfd.fd) in the target's table.
      setPc(11);
      return callNow(Routine.Fget, fd, 0, FGET_REF);
    case 11: {
      if (rv() == 0) {
        label(Step.RfcV7NoOld);
        setR(3, EBADF);
        setPc(7);
        return true;
      }
      label(Step.RfcV7ReplaceFile);
      setR(4, rv());
      setPc(12);
      push(Routine.RfcV7EpReplace, rv() - 1, nf, fd, 0, 0, 0);
      return true;
    }
    case 12:
      if (rv() != 0) {
        label(Step.RfcV7Failed);
        setR(3, rv());
        setPc(13);
        return true;
      }
      setPc(1);
      return stepReplace();
    case 1:
      label(Step.ReplaceFdLock);
      if (!acquire(ft())) return false;
      setPc(2);
      return true;
    case 2: {
      label(Step.ReplaceDoDup2);
      const old = slot(tb, fd);
      if (old == SLOT_RESERVED) setR(3, EBUSY);
      else {
        setRef(nf, ref(nf) + 1);
        setSlot(tb, fd, <u8>(nf + 1));
        if (old != SLOT_EMPTY) holdRef(old - 1);
        setR(2, old);
      }
      setPc(3);
      return true;
    }
    case 3: {
      label(Step.ReplaceFdUnlock);
      release(ft());
      const failed = r(3) != 0;
      if (!failed && toggle(Toggle.RfcV4Replace)) {
        setPc(4);
        return true;
      }
      if (v7 && failed) {
        // S4: undo the epitem move; an error of the undo replaces the result.
        setPc(14);
        push(Routine.RfcV7EpReplace, nf, r(4) - 1, fd, 0, 0, 0);
        return true;
      }
      setPc(v7 ? 13 : 7);
      if (!failed && r(2) != 0) push(Routine.FilpClose, r(2) - 1, 0, 0, 0, 0, 0);
      return true;
    }
    case 4: {
      // do_replace (RFC): eventpoll_replace_file(tofree, file) if tofree->f_ep (an unlocked read).
      label(Step.RfcDoReplace);
      const old = r(2) - 1;
      if (r(2) == 0) {
        setPc(7);
        return true;
      }
      setPc(5);
      if (watched(old) && canPoll(nf)) push(Routine.RfcEpReplace, old, nf, 0, 0, 0, 0);
      return true;
    }
    case 5:
      setPc(6);
      return callNow(Routine.RfcFdWalk, r(2) - 1, nf, fd);
    case 6:
      setPc(7);
      return callNow(Routine.FilpClose, r(2) - 1, 0, 0);
    case 14:
      label(Step.RfcV7Undone);
      if (rv() != 0) setR(3, rv());
      setPc(13);
      return true;
    case 13:
      // rfc-v7 S5: fput(OLD), the reference S1 took.
      setPc(7);
      return callNow(Routine.Fput, r(4) - 1, 0, 0);
    default: {
      const result = r(3) != 0 ? -r(3) : fd;
      if (r(5) == REPLACE_REQUEST) {
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
