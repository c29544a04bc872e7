// npm run ops: the parts of model/dispatch.ts that follow from the op registry are written from it, between
// `// @generated` marker lines (AssemblyScript has no registry at run time):
//   - enterKernel's `switch`, which starts a thread's next op (which routine it pushes, which argument bytes go
//     into which registers), from each op's `enter` in model/ops/<op>/op.ts;
//   - runTop's `switch`, `case Routine.X: return stepX();` for every step program, and the imports of those step
//     functions, from each op's `routines` and the registry's SHARED_ROUTINES.
// runTop's cases keep the order they already have in the file and new routines are appended: the order of the
// cases is the order asc compiles the step functions in (and the import lines the order it reads their files), so
// an added op leaves the layout of the existing code alone.
// `npm run ops -- --check` and test/op-registry.test.ts fail when a region is stale.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpKind, Routine } from '../model/codes.ts';
import type { RoutineImpl } from '../model/ops/descriptor.ts';
import { OPS, SHARED_ROUTINES } from '../model/ops/registry.ts';
import { CODES_FILE, codesSource } from './enum-append.ts';

const ROOT = join(import.meta.dirname, '..');
export const DISPATCH_FILE = join(ROOT, 'model', 'dispatch.ts');
const ENTER = { begin: '    // @generated begin: enterKernel cases (npm run ops, from model/ops/registry.ts)', end: '    // @generated end' };
const RUN = { begin: '    // @generated begin: runTop cases (npm run ops, from model/ops/registry.ts)', end: '    // @generated end' };
const IMPORTS = { begin: '// @generated begin: step function imports (npm run ops, from model/ops/registry.ts)', end: '// @generated end' };
const REGISTERS = 6;

function caseLine(d: (typeof OPS)[number]): string {
  const regs = [...d.enter.registers, ...Array<string>(REGISTERS).fill('0')].slice(0, REGISTERS);
  if (d.enter.registers.length > REGISTERS) throw new Error(`${d.name}: a frame has ${REGISTERS} registers`);
  return `    case OpKind.${OpKind[d.opKind]}: push(${d.enter.routine}, ${regs.join(', ')}); break;`;
}

/** Every step program runTop dispatches to, once each, in registry order (ops, then the shared callees). */
export function stepRoutines(
  ops: readonly { name: string; routines: readonly RoutineImpl[] }[] = OPS,
  shared: readonly RoutineImpl[] = SHARED_ROUTINES,
): RoutineImpl[] {
  const byRoutine = new Map<Routine, RoutineImpl & { owner: string }>();
  const owned = ops.flatMap((d) => d.routines.map((r) => ({ ...r, owner: d.name })));
  for (const r of [...owned, ...shared.map((r) => ({ ...r, owner: 'SHARED_ROUTINES' }))]) {
    const name = Routine[r.routine];
    if (name === undefined || r.routine === Routine.None) throw new Error(`${r.owner}: routine ${r.routine} is not in model/codes.ts`);
    const seen = byRoutine.get(r.routine);
    if (seen && (seen.step !== r.step || seen.file !== r.file))
      throw new Error(`${r.owner}: Routine.${name} runs ${r.step} from ${r.file}, but ${seen.owner} says ${seen.step} from ${seen.file}`);
    if (!seen) byRoutine.set(r.routine, r);
  }
  return [...byRoutine.values()].map(({ routine, step, file }) => ({ routine, step, file }));
}

function runCase(r: RoutineImpl): string {
  return `    case Routine.${Routine[r.routine]}: return ${r.step}();`;
}

/** The region between a begin and an end marker: [index of begin, index of its end]. */
function region(lines: string[], m: { begin: string; end: string }): [number, number] {
  const b = lines.indexOf(m.begin);
  const e = b < 0 ? -1 : lines.indexOf(m.end, b + 1);
  if (b < 0 || e < 0) throw new Error(`model/dispatch.ts: the lines '${m.begin.trim()}' and '${m.end.trim()}' must enclose the generated lines`);
  return [b, e];
}

function replaceRegion(lines: string[], m: { begin: string; end: string }, body: (old: string[]) => string[]): string[] {
  const [b, e] = region(lines, m);
  return [...lines.slice(0, b + 1), ...body(lines.slice(b + 1, e)), ...lines.slice(e)];
}

/** runTop's routines: those already in the file keep their place, the rest follow in registry order. */
function ordered(old: string[], routines: RoutineImpl[]): RoutineImpl[] {
  const rank = new Map(old.map((l, i) => [/case Routine\.(\w+):/.exec(l)?.[1], i]));
  const at = (r: RoutineImpl) => rank.get(Routine[r.routine]) ?? Number.MAX_SAFE_INTEGER;
  return routines
    .map((r, i) => ({ r, i }))
    .sort((x, y) => at(x.r) - at(y.r) || x.i - y.i)
    .map(({ r }) => r);
}

/** One import line per file, files already imported keeping their place (asc reads the files in this order). */
function importLines(old: string[], routines: RoutineImpl[]): string[] {
  const rank = new Map(old.map((l, i) => [/from '\.\/(.+)';$/.exec(l)?.[1], i]));
  const byFile = new Map<string, string[]>();
  for (const r of routines) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r.step]);
  const files = [...byFile.keys()]
    .map((f, i) => ({ f, i }))
    .sort((x, y) => (rank.get(x.f) ?? Number.MAX_SAFE_INTEGER) - (rank.get(y.f) ?? Number.MAX_SAFE_INTEGER) || x.i - y.i);
  return files.map(({ f }) => `import { ${[...new Set(byFile.get(f))].sort().join(', ')} } from './${f}';`);
}

/** model/dispatch.ts with its generated regions rewritten from the registry. */
export function dispatchSource(current = readFileSync(DISPATCH_FILE, 'utf8'), all = stepRoutines()): string {
  let lines = current.split('\n');
  lines = replaceRegion(lines, ENTER, () => OPS.map(caseLine));
  const [rb, re] = region(lines, RUN);
  const routines = ordered(lines.slice(rb + 1, re), all);
  lines = replaceRegion(lines, RUN, () => routines.map(runCase));
  lines = replaceRegion(lines, IMPORTS, (old) => importLines(old, routines));
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // First the OpKind/Routine members a new descriptor names; this process loaded the old enums, so a fresh one
  // generates the rest.
  const codes = readFileSync(CODES_FILE, 'utf8');
  const freshCodes = codesSource(codes);
  if (freshCodes !== codes) {
    if (process.argv.includes('--check')) {
      console.error('model/codes.ts: an OpKind or Routine member the op registry names is missing; run npm run ops');
      process.exit(1);
    }
    writeFileSync(CODES_FILE, freshCodes);
    const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
    process.exit(again.status ?? 1);
  }
  const current = readFileSync(DISPATCH_FILE, 'utf8');
  const fresh = dispatchSource(current);
  if (process.argv.includes('--check')) {
    if (fresh !== current) console.error('model/dispatch.ts: the generated enterKernel/runTop cases or imports are stale; run npm run ops');
    process.exit(fresh === current ? 0 : 1);
  }
  if (fresh !== current) writeFileSync(DISPATCH_FILE, fresh);
}
