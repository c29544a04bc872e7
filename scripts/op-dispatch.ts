// npm run ops: the `switch` with which model/dispatch.ts's enterKernel starts a thread's next op (which routine
// it pushes, which argument bytes go into which registers) is written from the op registry, each op's `enter`
// in model/ops/<op>/op.ts. AssemblyScript has no registry at run time, so the case lines are generated between
// two marker lines of model/dispatch.ts; `npm run ops -- --check` and test/op-registry.test.ts fail when they are
// stale.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpKind } from '../model/codes.ts';
import { OPS } from '../model/ops/registry.ts';

const ROOT = join(import.meta.dirname, '..');
export const DISPATCH_FILE = join(ROOT, 'model', 'dispatch.ts');
const BEGIN = '    // @generated begin: enterKernel cases (npm run ops, from model/ops/registry.ts)';
const END = '    // @generated end';
const REGISTERS = 6;

function caseLine(d: (typeof OPS)[number]): string {
  const regs = [...d.enter.registers, ...Array<string>(REGISTERS).fill('0')].slice(0, REGISTERS);
  if (d.enter.registers.length > REGISTERS) throw new Error(`${d.name}: a frame has ${REGISTERS} registers`);
  return `    case OpKind.${OpKind[d.opKind]}: push(${d.enter.routine}, ${regs.join(', ')}); break;`;
}

/** model/dispatch.ts with its generated region rewritten from the registry. */
export function dispatchSource(current = readFileSync(DISPATCH_FILE, 'utf8')): string {
  const lines = current.split('\n');
  const b = lines.indexOf(BEGIN);
  const e = lines.indexOf(END);
  if (b < 0 || e < b) throw new Error(`model/dispatch.ts: the lines '${BEGIN.trim()}' and '${END.trim()}' must enclose the generated cases`);
  return [...lines.slice(0, b + 1), ...OPS.map(caseLine), ...lines.slice(e)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const current = readFileSync(DISPATCH_FILE, 'utf8');
  const fresh = dispatchSource(current);
  if (process.argv.includes('--check')) {
    if (fresh !== current) console.error('model/dispatch.ts: the enterKernel cases are stale; run npm run ops');
    process.exit(fresh === current ? 0 : 1);
  }
  if (fresh !== current) writeFileSync(DISPATCH_FILE, fresh);
}
