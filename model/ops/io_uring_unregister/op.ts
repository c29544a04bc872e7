import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** io_uring fixed files: unregister slot K (the slot's reference is put). */
export const iouringunregisterOp = {
  name: 'io_uring_unregister',
  opKind: OpKind.IoUringUnregister,
  args: [{ field: 'slot', kind: 'slot', what: "a fixed-file slot number after 'io_uring_unregister('", after: 'after the slot number' }],
  enter: { routine: 'Routine.IoUring', registers: ['UringOp.Unregister', 'a'] },
  functions: { io_uring: [Routine.IoUring] },
  routines: [{ routine: Routine.IoUring, step: 'stepIoUring', file: 'routines/iouring' }],
} as const satisfies OpDescriptor;
