// The op registry (model/ops/registry.ts) is the one place an operation is described: these tests pin that it
// covers every OpKind, that its kernel-function names reach every routine, and that what a descriptor prints,
// parses and encodes agree (a printed op parses back to itself and encodes to [OpKind, args...]).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EpollCtlOp, OpKind, Routine } from '../model/codes.ts';
import type { ArgSpec, OpDescriptor } from '../model/ops/descriptor.ts';
import { OPS } from '../model/ops/registry.ts';
import { buildIndexes } from '../checker/compile/indexes.ts';
import { encodeOp, opFds } from '../checker/compile/ops.ts';
import { eventsToByte, parseScenario } from '../checker/scenario/parse.ts';
import { KERNEL_FUNCTIONS } from '../checker/scenario/functions.ts';
import { opText } from '../checker/trace/decode.ts';
import { readFileSync } from 'node:fs';
import { DISPATCH_FILE, dispatchSource, stepRoutines } from '../scripts/op-dispatch.ts';
import { SHARED_ROUTINES } from '../model/ops/registry.ts';
import { CODES_FILE, codesSource, mentioned, withMembers } from '../scripts/enum-append.ts';
import type { EventName, Op } from '../checker/scenario/types.ts';

const numbers = (e: object) => Object.values(e).filter((v): v is number => typeof v === 'number');

describe('registry coverage', () => {
  it('registers every OpKind exactly once, under distinct names', () => {
    const kinds = OPS.map((d) => d.opKind as number).sort((a, b) => a - b);
    expect(kinds).toEqual(numbers(OpKind).sort((a, b) => a - b));
    expect(new Set(OPS.map((d) => d.name)).size).toBe(OPS.length);
  });

  it('names a kernel function for every routine, and only routines that exist', () => {
    const routines = new Set(Object.values(KERNEL_FUNCTIONS).flat());
    expect([...routines].sort((a, b) => a - b)).toEqual(numbers(Routine).sort((a, b) => a - b));
    for (const d of OPS) for (const rs of Object.values(d.functions)) for (const r of rs) expect(Routine[r], `${d.name}: routine ${r}`).toBeDefined();
  });

  it("model/dispatch.ts's enterKernel cases are the ones npm run ops writes from the registry", () => {
    const current = readFileSync(DISPATCH_FILE, 'utf8');
    expect(dispatchSource(current)).toBe(current);
    for (const d of OPS) expect(current).toContain(`case OpKind.${OpKind[d.opKind]}: push(${d.enter.routine}, `);
  });

  it("runTop's cases and their imports are the ones npm run ops writes from the descriptors' routines", () => {
    const current = readFileSync(DISPATCH_FILE, 'utf8');
    const routines = stepRoutines();
    for (const r of routines) {
      expect(current).toContain(`    case Routine.${Routine[r.routine]}: return ${r.step}();`);
      expect(current).toMatch(new RegExp(`^import \\{ [^}]*\\b${r.step}\\b[^}]*\\} from './${r.file}';$`, 'm'));
    }
    // Every routine an op enters or a `T at` name reaches runs a step program, except the two tags that name a
    // kernel function without a program of their own (fget()'s and __fdget's frames are Fget's).
    const dispatched = new Set(routines.map((r) => r.routine));
    expect(
      numbers(Routine)
        .filter((r) => r !== Routine.None && !dispatched.has(r))
        .map((r) => Routine[r]),
    ).toEqual(['FgetOp', 'Fdget']);
    for (const d of OPS) expect(dispatched.has(Routine[d.enter.routine.replace('Routine.', '') as keyof typeof Routine]), d.name).toBe(true);
    // Shared callees are not also owned by an op.
    const owned = new Set(OPS.flatMap((d) => d.routines.map((r) => r.routine)));
    for (const r of SHARED_ROUTINES) expect(owned.has(r.routine), Routine[r.routine]).toBe(false);
  });

  it('npm run ops finds any one runTop case or step import line removed from model/dispatch.ts and writes it back', () => {
    const current = readFileSync(DISPATCH_FILE, 'utf8');
    const lines = current.split('\n');
    const generated = lines.flatMap((l, i) => (/^\s*case Routine\.\w+: return step\w+\(\);$/.test(l) || /^import \{ [^}]*\bstep\w+/.test(l) ? [i] : []));
    expect(generated.length).toBeGreaterThan(30);
    for (const i of generated) {
      const stale = [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
      const fixed = dispatchSource(stale);
      expect(fixed).not.toBe(stale);
      // Written back at the end of its region (a place the file does not hold any more is not known).
      expect(fixed.split('\n').sort()).toEqual(lines.slice().sort());
      expect(dispatchSource(fixed)).toBe(fixed);
    }
  });

  it("a new op's routine is appended after the existing cases, its file's import after the existing imports", () => {
    const current = readFileSync(DISPATCH_FILE, 'utf8');
    const fresh = { routine: Routine.Fdget, step: 'stepNewSyscall', file: 'ops/new_syscall/new_syscall' };
    const shared = { routine: Routine.FgetOp, step: 'stepFdtableHelper', file: 'routines/fdtable' };
    const out = dispatchSource(current, stepRoutines([...OPS, { name: 'new_syscall', routines: [fresh] }], [...SHARED_ROUTINES, shared]));
    const added = out.split('\n').filter((l) => !current.split('\n').includes(l));
    expect(added).toEqual([
      "import { stepClose, stepDup, stepDup2, stepFdtableHelper, stepFget, stepFputOp, stepReplace } from './routines/fdtable';",
      "import { stepNewSyscall } from './ops/new_syscall/new_syscall';",
      '    case Routine.Fdget: return stepNewSyscall();',
      '    case Routine.FgetOp: return stepFdtableHelper();',
    ]);
    const lines = out.split('\n');
    expect(lines[lines.indexOf('    case Routine.Fdget: return stepNewSyscall();') + 2]).toBe('    // @generated end');
    expect(lines[lines.indexOf("import { stepNewSyscall } from './ops/new_syscall/new_syscall';") + 1]).toBe('// @generated end');
  });

  it('refuses two descriptors that run one routine with different step functions, and unknown routines', () => {
    const a = { name: 'a', routines: [{ routine: Routine.IoUring, step: 'stepIoUring', file: 'routines/iouring' }] };
    const b = { name: 'b', routines: [{ routine: Routine.IoUring, step: 'stepOther', file: 'routines/iouring' }] };
    expect(stepRoutines([a, a], [])).toHaveLength(1);
    expect(() => stepRoutines([a, b], [])).toThrow('b: Routine.IoUring runs stepOther from routines/iouring, but a says stepIoUring from routines/iouring');
    expect(() => stepRoutines([], [{ routine: 99 as Routine, step: 'x', file: 'y' }])).toThrow('SHARED_ROUTINES: routine 99 is not in model/codes.ts');
  });

  it('model/codes.ts has every OpKind and Routine member the descriptors name; new ones are appended, numbered on', () => {
    const codes = readFileSync(CODES_FILE, 'utf8');
    expect(codesSource(codes)).toBe(codes);
    const op = 'opKind: OpKind.NewSyscall, functions: { f: [Routine.Close, Routine.NewSyscall] }, routines: [{ routine: Routine.NewHelper }]';
    expect(mentioned([op], 'Routine')).toEqual(['Close', 'NewSyscall', 'NewHelper']);
    const out = codesSource(codes, [op]);
    const added = out.split('\n').filter((l) => !codes.split('\n').includes(l));
    const top = (e: object) => Math.max(...numbers(e));
    expect(added).toEqual([`  NewSyscall = ${top(OpKind) + 1},`, `  NewSyscall = ${top(Routine) + 1},`, `  NewHelper = ${top(Routine) + 2},`]);
    expect(codesSource(out, [op])).toBe(out);
    const tiny = ['export enum Routine {', '  None = 0,', '  A = 254,', '}'].join('\n');
    expect(() => withMembers(tiny, 'Routine', ['B', 'C'])).toThrow('Routine is a byte in the state');
    expect(() => withMembers(tiny, 'OpKind', ['B'])).toThrow("no 'export enum OpKind {'");
  });

  it('gives every argument a field of its own', () => {
    for (const d of OPS as readonly OpDescriptor[]) expect(new Set(d.args.map((a) => a.field)).size, d.name).toBe(d.args.length);
  });
});

// A scenario that declares every name an argument can take: files A and B, epolls E and G, processes P (owner of
// table 0), Q (sharing P's table) and C (table 1). An fput() under test follows an fget(0), which makes it legal.
const FILES = ['A', 'B', 'E', 'G'];
const EPOLLS = ['E', 'G'];
const PROCESSES = ['P', 'Q', 'C'];
const HEADER = ['scenario registry', 'file A socket', 'file B regular', 'epoll E', 'epoll G', 'process P', 'process Q shares P', 'process C'];

function parseLine(line: string, afterFget = false): { op: Op; ix: ReturnType<typeof buildIndexes> } {
  const s = parseScenario(
    [...HEADER, 'thread T in P', ...(afterFget ? ['  fget(0)'] : []), `  ${line}`, 'variants current', 'result current pass', ''].join('\n'),
    'registry.fdr',
  );
  return { op: s.threads[0]!.ops[afterFget ? 1 : 0]!, ix: buildIndexes(s) };
}

function argValue(a: ArgSpec): fc.Arbitrary<number | string> {
  switch (a.kind) {
    case 'fd':
      return fc.integer({ min: 0, max: 255 });
    case 'slot':
      return fc.integer({ min: 0, max: 3 });
    case 'file':
      return fc.constantFrom(...FILES);
    case 'epoll':
      return fc.constantFrom(...EPOLLS);
    case 'process':
      return fc.constantFrom(...PROCESSES);
  }
}

/** The encoding the kernel's enterKernel expects, written out independently of checker/compile/ops.ts. */
function expectedArg(a: ArgSpec, v: number | string): number {
  if (a.kind === 'fd' || a.kind === 'slot') return v as number;
  if (a.kind === 'process') return v === 'C' ? 1 : 0;
  return FILES.indexOf(v as string);
}

const GENERIC = (OPS as readonly OpDescriptor[]).filter((d) => !d.custom);

const genericOp = fc
  .constantFrom(...GENERIC)
  .chain((d) => fc.tuple(fc.constant(d), fc.tuple(...d.args.map(argValue)), fc.boolean()))
  .map(([d, values, elseSkip]) => ({ d, values: values as (number | string)[], elseSkip }));

describe('descriptor round trip', () => {
  it('a generic op prints, parses back to the same fields and encodes to [OpKind, args...]', () => {
    fc.assert(
      fc.property(genericOp, ({ d, values, elseSkip }) => {
        const line = `${d.name}(${values.join(', ')})${elseSkip ? ' else skip' : ''}`;
        const { op, ix } = parseLine(line, d.name === 'fput');
        const fields = op as unknown as Record<string, unknown>;
        expect(Object.keys(fields)).toEqual(['kind', ...d.args.map((a) => a.field), 'loc', ...(elseSkip ? ['elseSkip'] : [])]);
        d.args.forEach((a, i) => expect(fields[a.field]).toBe(values[i]));
        expect(opText(op)).toBe(d.printsElseSkip || !elseSkip ? line : line.replace(' else skip', ''));
        expect(encodeOp(op, ix)).toEqual([d.opKind, ...d.args.map((a, i) => expectedArg(a, values[i]!))]);
        expect(opFds(op)).toEqual(d.args.flatMap((a, i) => (a.kind === 'fd' ? [values[i] as number] : [])));
      }),
      { numRuns: 400 },
    );
  });

  const EVENTS: EventName[] = ['IN', 'OUT', 'ERR', 'HUP', 'ET', 'ONESHOT'];
  it('epoll_ctl (its own codec) prints, parses back and encodes to [EpollCtl, epfd, op, fd, events, data]', () => {
    const ctl = fc.record({
      epfd: fc.integer({ min: 0, max: 255 }),
      op: fc.constantFrom('ADD', 'DEL', 'MOD'),
      fd: fc.integer({ min: 0, max: 255 }),
      events: fc.subarray(EVENTS, { minLength: 1 }),
      data: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(ctl, (c) => {
        const { op } = parseLine(opText({ kind: 'epoll_ctl', ...c, loc: { line: 1, col: 1 } }));
        if (op.kind !== 'epoll_ctl') throw new Error(op.kind);
        const events = c.op === 'DEL' ? [] : c.events;
        const data = c.op === 'DEL' ? c.fd : c.data;
        expect({ ...op, loc: undefined }).toEqual({ kind: 'epoll_ctl', epfd: c.epfd, op: c.op, fd: c.fd, events, data, loc: undefined });
        const code = { ADD: EpollCtlOp.Add, DEL: EpollCtlOp.Del, MOD: EpollCtlOp.Mod }[c.op];
        expect(
          encodeOp(
            op,
            buildIndexes(parseScenario([...HEADER, 'thread T in P', '  expand_fdtable()', 'variants current', 'result current pass', ''].join('\n'))),
          ),
        ).toEqual([OpKind.EpollCtl, c.epfd, code, c.fd, eventsToByte(events), data]);
        expect(opFds(op)).toEqual([c.epfd, c.fd]);
      }),
      { numRuns: 300 },
    );
  });

  it('a registered op with a missing argument fails at the argument with the descriptor message', () => {
    for (const d of GENERIC.filter((x) => x.args.length > 0)) {
      expect(() => parseLine(`${d.name}()`, d.name === 'fput')).toThrow(`expected ${d.args[0]!.what}, found ')'`);
    }
  });
});
