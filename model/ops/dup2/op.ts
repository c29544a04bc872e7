import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** dup2(OLD, NEW): ksys_dup3 -> do_dup2 (fs/file.c) replaces fd NEW with the file at OLD (closing what NEW held). */
export const dup2Op = {
  name: 'dup2',
  opKind: OpKind.Dup2,
  args: [
    { field: 'oldfd', kind: 'fd', what: "an fd number after 'dup2('", after: 'after the old fd number' },
    { field: 'newfd', kind: 'fd', what: "the new fd number after ','", after: 'after the new fd number' },
  ],
  enter: { routine: 'Routine.Dup2', registers: ['a', 'b'] },
  functions: { ksys_dup3: [Routine.Dup2] },
  routines: [{ routine: Routine.Dup2, step: 'stepDup2', file: 'routines/fdtable' }],
} as const satisfies OpDescriptor;
