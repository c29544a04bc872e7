import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** close(N): close_fd (fs/file.c) takes fd N out of the table and filp_close()s the file. */
export const closeOp = {
  name: 'close',
  opKind: OpKind.Close,
  args: [{ field: 'fd', kind: 'fd', what: "an fd number after 'close('", after: 'after the fd number' }],
  enter: { routine: 'Routine.Close', registers: ['a'] },
  functions: { close_fd: [Routine.Close] },
  routines: [{ routine: Routine.Close, step: 'stepClose', file: 'routines/fdtable' }],
} as const satisfies OpDescriptor;
