import { OpKind, Routine } from '../../codes.ts';
import type { OpDescriptor } from '../descriptor.ts';

/** The table grows (expand_files -> expand_fdtable): a new fdtable is published, the old one RCU-freed. */
export const expandfdtableOp = {
  name: 'expand_fdtable',
  opKind: OpKind.ExpandFdtable,
  args: [],
  enter: { routine: 'Routine.ExpandFdtable', registers: [] },
  functions: { expand_fdtable: [Routine.ExpandFdtable] },
  routines: [{ routine: Routine.ExpandFdtable, step: 'stepExpandFdtable', file: 'routines/expand' }],
} as const satisfies OpDescriptor;
