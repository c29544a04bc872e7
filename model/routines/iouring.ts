// io_uring's fixed-file table (io_uring/rsrc.c: io_sqe_files_register / __io_sqe_files_update) and kcmp.
// IORING_REGISTER_FILES takes fget(fd) and the ring's slot owns that reference until it is unregistered or
// updated; requests with IOSQE_FIXED_FILE use the slot, never the fd table — so nothing that replaces an fd
// (dup2, ADDFD+SETFD, the RFC) reaches it (docs/model.md §B.3). One ring per scenario, U_SLOTS fixed slots.

import { Routine } from '../codes';
import { SLOT_EMPTY, SLOT_RESERVED, U_SLOTS, threadTable, uringAddr } from '../layout';
import { FP_GLOBAL, cur, dropRef, fpRead, fpWrite, holdRef, label, opReturn, pc, r, rv, setOpret, setPc } from '../frame';
import { slot } from '../objects';
import { Access, MemField } from '../codes';
import { fileAccess } from '../memory';
import { Step } from '../steps';
import { callNow, tailNow } from '../dispatch';
import { EBADF, EBUSY, ENXIO } from '../errno';
import { FGET_REF } from './fdtable';

enum UringPc {
  Fget = 0,
  Register = 1,
}
/** io_uring ops carried in r0 (model/dispatch.ts pushes them). */
export enum UringOp {
  Register = 0,
  Unregister = 1,
  Io = 2,
}
enum UringR {
  Op = 0,
  Slot = 1,
  Fd = 2,
}

/** r0 = op (0 register, 1 unregister, 2 I/O), r1 = slot, r2 = fd (register). */
export function stepIoUring(): bool {
  const k = r(UringR.Slot);
  const u = uringAddr(k);
  if (k >= U_SLOTS) {
    // @step UringBadSlot | io_sqe_files_register | io_uring/rsrc.c | slot out of range or busy
    label(Step.UringBadSlot);
    opReturn(-ENXIO);
    return true;
  }
  fpRead(FP_GLOBAL);
  switch (r(UringR.Op)) {
    case UringOp.Register:
      if (pc() == UringPc.Fget) {
        if (load<u8>(u) != 0) {
          label(Step.UringBadSlot);
          opReturn(-EBUSY);
          return true;
        }
        setPc(UringPc.Register);
        return callNow(Routine.Fget, r(UringR.Fd), 0, FGET_REF);
      }
      // @step UringRegister | io_sqe_files_register | io_uring/rsrc.c | file = fget(fd); the fixed slot owns the
      //   reference
      label(Step.UringRegister);
      if (rv() == 0) {
        opReturn(-EBADF);
        return true;
      }
      // The fget reference now belongs to the ring's slot.
      fpWrite(FP_GLOBAL);
      dropRef(rv() - 1);
      store<u8>(u, <u8>rv());
      store<u8>(u + 1, <u8>r(UringR.Fd));
      store<u8>(u + 2, <u8>threadTable(cur));
      opReturn(0);
      return true;
    case UringOp.Unregister: {
      // @step UringUnregister | io_sqe_files_unregister | io_uring/rsrc.c | the slot's reference is put
      label(Step.UringUnregister);
      const v = <i32>load<u8>(u);
      if (v == 0) {
        opReturn(-ENXIO);
        return true;
      }
      fpWrite(FP_GLOBAL);
      memory.fill(u, 0, 4);
      holdRef(v - 1); // io_rsrc_put: the slot's reference, dropped now
      setOpret(0);
      return tailNow(Routine.Fput, v - 1, 0, 0);
    }
    default: {
      // UringOp.Io
      // @step UringFixedIo | io_file_get_fixed | io_uring/io_uring.c | IOSQE_FIXED_FILE: the request uses the ring's
      //   slot, not the fd table
      label(Step.UringFixedIo);
      const v = <i32>load<u8>(u);
      if (v == 0) {
        opReturn(-EBADF);
        return true;
      }
      fileAccess(v - 1, MemField.FOp, Access.Read); // the request reads the fixed file (f_op->read_iter)
      opReturn(0);
      return true;
    }
  }
}

enum KcmpR {
  Table = 0,
  Fd = 1,
  OwnFd = 2,
}

/** kcmp(pid_of_table r0, self, KCMP_FILE, fd r1, own fd r2): 0 if both fds refer to the same struct file. */
export function stepKcmp(): bool {
  // @step KcmpFile | kcmp | kernel/kcmp.c | KCMP_FILE: compare the two struct file pointers (get_file_raw_ptr)
  label(Step.KcmpFile);
  const a = slot(r(KcmpR.Table), r(KcmpR.Fd));
  const b = slot(threadTable(cur), r(KcmpR.OwnFd));
  if (a == <u8>SLOT_EMPTY || a == <u8>SLOT_RESERVED || b == <u8>SLOT_EMPTY || b == <u8>SLOT_RESERVED) {
    opReturn(-EBADF);
    return true;
  }
  opReturn(a == b ? 0 : 1);
  return true;
}
