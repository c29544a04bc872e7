import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** io_uring fixed files: I/O through slot K. */
export const iouringioOp = {
  name: 'io_uring_io',
  opKind: OpKind.IoUringIo,
  args: [{ field: 'slot', kind: 'slot', what: "a fixed-file slot number after 'io_uring_io('", after: 'after the slot number' }],
  enter: { routine: 'Routine.IoUring', registers: ['UringOp.Io', 'a'] },
  functions: { io_uring: [Routine.IoUring] },
  routines: [{ routine: Routine.IoUring, step: 'stepIoUring', file: 'routines/iouring' }],
} as const satisfies OpDescriptor;
