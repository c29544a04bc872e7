import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** fput(): drop the reference of this thread's most recent `fget` still held. */
export const fputOp = {
  name: 'fput',
  opKind: OpKind.Fput,
  args: [],
  enter: { routine: 'Routine.FputOp', registers: [] },
  functions: { fput: [Routine.FputOp, Routine.Fput] },
  routines: [{ routine: Routine.FputOp, step: 'stepFputOp', file: 'routines/fdtable' }],
} as const satisfies OpDescriptor;
