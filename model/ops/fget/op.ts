import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** fget(fd): take a reference and keep it (an in-flight holder); released by the next `fput()`. */
export const fgetOp = {
  name: 'fget',
  opKind: OpKind.Fget,
  args: [{ field: 'fd', kind: 'fd', what: "an fd number after 'fget('", after: 'after the fd number' }],
  enter: { routine: 'Routine.Fget', registers: ['a', '0', 'FGET_USER'] },
  functions: { fget: [Routine.FgetOp, Routine.Fget] },
  routines: [{ routine: Routine.Fget, step: 'stepFget', file: 'routines/fdtable' }],
} as const satisfies OpDescriptor;
