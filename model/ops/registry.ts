// The op registry: one line per operation a scenario thread can perform. Registration order is the order the
// parser lists operations in and the order of the `T at FUNCTION` names; the numbers that reach the kernel are the
// descriptors' OpKind values (model/codes.ts), not positions here. docs/adding-an-op.md is the procedure.

import { closeOp } from './close/op.ts';
import { dupOp } from './dup/op.ts';
import { dup2Op } from './dup2/op.ts';
import { replaceOp } from './replace/op.ts';
import { epollctlOp } from './epoll_ctl/op.ts';
import { fgetOp } from './fget/op.ts';
import { fputOp } from './fput/op.ts';
import { epollwaitOp } from './epoll_wait/op.ts';
import { epollcreateOp } from './epoll_create/op.ts';
import { forkOp } from './fork/op.ts';
import { pidfdgetfdOp } from './pidfd_getfd/op.ts';
import { seccomptrapOp } from './seccomp_trap/op.ts';
import { recvOp } from './recv/op.ts';
import { addfdOp } from './addfd/op.ts';
import { sendOp } from './send/op.ts';
import { kcmpOp } from './kcmp/op.ts';
import { iouringregisterOp } from './io_uring_register/op.ts';
import { iouringunregisterOp } from './io_uring_unregister/op.ts';
import { iouringioOp } from './io_uring_io/op.ts';
import { expandfdtableOp } from './expand_fdtable/op.ts';

export const OPS = [
  closeOp,
  dupOp,
  dup2Op,
  replaceOp,
  epollctlOp,
  fgetOp,
  fputOp,
  epollwaitOp,
  epollcreateOp,
  forkOp,
  pidfdgetfdOp,
  seccomptrapOp,
  recvOp,
  addfdOp,
  sendOp,
  kcmpOp,
  iouringregisterOp,
  iouringunregisterOp,
  iouringioOp,
  expandfdtableOp,
] as const;
