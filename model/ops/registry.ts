// The op registry: one line per operation a scenario thread can perform. Registration order is the order the
// parser lists operations in and the order of the `T at FUNCTION` names; the numbers that reach the kernel are the
// descriptors' OpKind values (model/codes.ts), not positions here. docs/adding-an-op.md is the procedure.

import { Routine } from '../codes.ts';
import type { RoutineImpl } from './descriptor.ts';
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

/** Step programs no single op owns: callees several ops reach (fput, ep_remove, the eventpoll release paths, the
 *  RFC variants' replacements). With each descriptor's `routines` they make runTop's cases (npm run ops). */
export const SHARED_ROUTINES: readonly RoutineImpl[] = [
  { routine: Routine.Fput, step: 'stepFput', file: 'routines/fput' },
  { routine: Routine.FilpClose, step: 'stepFilpClose', file: 'routines/fput' },
  { routine: Routine.FinalFput, step: 'stepFinalFput', file: 'routines/fput' },
  { routine: Routine.EpInsert, step: 'stepEpInsert', file: 'routines/epitem' },
  { routine: Routine.EpRemove, step: 'stepEpRemove', file: 'routines/epitem' },
  { routine: Routine.EventpollReleaseFile, step: 'stepEventpollReleaseFile', file: 'routines/release' },
  { routine: Routine.EpFree, step: 'stepEpFree', file: 'routines/release' },
  { routine: Routine.RfcEpReplace, step: 'stepRfcEpReplace', file: 'routines/rfc_v4' },
  { routine: Routine.RfcFdWalk, step: 'stepRfcFdWalk', file: 'routines/rfc_v4' },
  { routine: Routine.ReleaseFileRef, step: 'stepReleaseFileRef', file: 'routines/release_ref' },
  { routine: Routine.EpClearAndPut, step: 'stepEpClearAndPut', file: 'routines/release_ref' },
  { routine: Routine.EpScan, step: 'stepEpScan', file: 'routines/epoll_wait' },
  { routine: Routine.EpLoopCheck, step: 'stepEpLoopCheck', file: 'routines/loop_check' },
  { routine: Routine.RfcV7EpReplace, step: 'stepRfcV7EpReplace', file: 'routines/rfc_v7' },
  { routine: Routine.AllocFd, step: 'stepAllocFd', file: 'routines/alloc_fd' },
];
