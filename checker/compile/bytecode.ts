// Pieces of the expectation bytecode shared by the expression compiler (predicates.ts) and the atoms (atoms.ts):
// the comparison opcodes and how a constant is written (opcodes in model/codes.ts PredOp).

import { PredOp } from '../../model/codes.ts';
import type { Cmp } from '../scenario/types.ts';

export const CMP: Readonly<Record<Cmp, PredOp>> = {
  '==': PredOp.Eq,
  '!=': PredOp.Ne,
  '<': PredOp.Lt,
  '<=': PredOp.Le,
  '>': PredOp.Gt,
  '>=': PredOp.Ge,
};

/** A 16-bit constant, little-endian after its opcode. */
export function constant(out: number[], v: number): void {
  const u = v & 0xffff;
  out.push(PredOp.Const, u & 0xff, u >> 8);
}
