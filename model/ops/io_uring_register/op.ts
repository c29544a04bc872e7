import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** io_uring fixed files: register fd N in slot K (the slot holds a reference). */
export const iouringregisterOp = {
  name: 'io_uring_register',
  opKind: OpKind.IoUringRegister,
  args: [
    { field: 'slot', kind: 'slot', what: "a fixed-file slot number after 'io_uring_register('", after: 'after the slot number' },
    { field: 'fd', kind: 'fd', what: "an fd number after ','", after: 'after the fd number' },
  ],
  enter: { routine: 'Routine.IoUring', registers: ['UringOp.Register', 'a', 'b'] },
  functions: { io_uring: [Routine.IoUring] },
  routines: [{ routine: Routine.IoUring, step: 'stepIoUring', file: 'routines/iouring' }],
} as const satisfies OpDescriptor;
