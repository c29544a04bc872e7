import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** dup(N): ksys_dup (fs/file.c) installs the file at fd N in the lowest free fd; returns it. */
export const dupOp = {
  name: 'dup',
  opKind: OpKind.Dup,
  args: [{ field: 'fd', kind: 'fd', what: "an fd number after 'dup('", after: 'after the fd number' }],
  enter: { routine: 'Routine.Dup', registers: ['a'] },
  functions: { ksys_dup: [Routine.Dup] },
  routines: [{ routine: Routine.Dup, step: 'stepDup', file: 'routines/fdtable' }],
} as const satisfies OpDescriptor;
