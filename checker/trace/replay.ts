// Replay a path (the vector of choices) through the kernel, producing a Trace. This is the only way traces are
// made: search results, `fdrace replay` and the web viewer's shareable links all come through here, so a trace is
// always exactly what the kernel does on that path.

import { StepStatus } from '../../model/codes.ts';
import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { startAtInitial } from '../kernel/configure.ts';
import { describeViolation } from '../search/collect.ts';
import { VIOL_PROPERTY, formatPath } from '../search/result.ts';
import { decodeState, opText } from './decode.ts';
import { Step } from '../../model/steps.ts';
import { stepLabel } from './labels.ts';
import { diffStates } from './diff.ts';
import { deadlockScenario } from './lockdep-rows.ts';
import { variantText } from './sources.ts';
import { TRACE_FORMAT, type DecodedState, type Trace, type TraceStep, type TraceViolation, type ViolationSubject } from './types.ts';
import { heldLockFreedReport, kasanReport, type MemAccess } from './memory.ts';
import { Viol } from '../../model/codes.ts';

export class ReplayError extends Error {
  constructor(
    message: string,
    readonly step: number,
  ) {
    super(message);
    this.name = 'ReplayError';
  }
}

function opOf(prev: DecodedState, t: number): string {
  const th = prev.threads[t]!;
  if (th.status === 'user' && th.pendingFput.length > 0) return `__fput(${th.pendingFput[0]}) (task_work)`;
  return th.op ?? '(finished)';
}

/** At a terminal state: the at-end expectation named `property` if it fails, else the first failing one. */
function judgeEnd(x: FdraceExports, c: Compiled, addr: number, step: number, property?: string): TraceViolation | null {
  let first: TraceViolation | null = null;
  for (let k = 0; k < c.expectations.length; k++) {
    const e = c.expectations[k]!;
    if (e.modality !== 'at-end' || x.kEvalExpect(addr, k) !== 0) continue;
    const v = { property: e.label, kind: e.modality, message: `at end ${e.text}`, step };
    if (e.label === property) return v;
    first ??= v;
  }
  return first;
}

const FILE_KINDS = ['UafFile', 'RefUnderflow', 'RefMismatch', 'CloseZeroCount', 'DanglingFile', 'RefLeak', 'PollDeadFile', 'PathLimit'];
const ITEM_KINDS = ['UafItem', 'Watchers', 'DuplicateKey', 'Livelock'];
const EPOLL_KINDS = ['UafEp', 'EpRefcount', 'OrphanInsert', 'EpollCycle', 'Capacity'];
const THREAD_KINDS = ['LockHeldAtReturn', 'SleepInAtomic'];

/** The object an invariant's code names (model/invariants.ts and the routines' violate() calls say which). */
export function violationSubject(c: Compiled, kind: string, obj: number): ViolationSubject | undefined {
  const at = (names: string[], k: ViolationSubject['kind']) => (names[obj] === undefined ? undefined : { kind: k, name: names[obj]! });
  if (FILE_KINDS.includes(kind)) return at(c.ix.fileNames, 'file');
  if (ITEM_KINDS.includes(kind)) return { kind: 'epitem', name: `#${obj}` };
  if (EPOLL_KINDS.includes(kind)) return at(c.ix.epollNames, 'epoll');
  if (THREAD_KINDS.includes(kind)) return at(c.ix.threadNames, 'thread');
  if (kind === 'UafFdt') return at(c.ix.tableNames, 'fdtable');
  return undefined;
}

/** Everything wrong in the state at `addr`: every invariant (kernel bitmask), then always/never expectations. */
function judge(x: FdraceExports, c: Compiled, addr: number, step: number): { all: TraceViolation[]; fatal: boolean } {
  const all: TraceViolation[] = [];
  let fatal = false;
  let m = x.kCheckMask(addr) >>> 0;
  while (m !== 0) {
    const v = 31 - Math.clz32(m & -m);
    m &= m - 1;
    const info = VIOL_PROPERTY[v];
    const obj = x.kViolObjOf(v);
    const kind = info?.name ?? `code${v}`;
    const subject = violationSubject(c, kind, obj);
    const tv: TraceViolation = { property: info?.property ?? 'kernel', kind, message: describeViolation(c, v, obj), step, ...(subject ? { subject } : {}) };
    if (v === Viol.FreeWhileLocked) lockedObject.set(tv, obj);
    all.push(tv);
    if (x.kIsFatal(v) !== 0) fatal = true;
  }
  for (let k = 0; k < c.expectations.length; k++) {
    const e = c.expectations[k]!;
    const holds = x.kEvalExpect(addr, k) !== 0;
    if ((e.modality === 'always' && !holds) || (e.modality === 'never' && holds)) {
      const word = e.when ? `when ${e.when}:` : e.modality;
      all.push({ property: e.label, kind: e.when ? 'when' : e.modality, message: `${word} ${e.text}`, step });
    }
  }
  return { all, fatal };
}

/** Attach the KASAN / lockdep report to a memory finding. */
function withMemoryReport(v: TraceViolation, c: Compiled, initial: DecodedState, steps: TraceStep[], accesses: MemAccess[]): TraceViolation {
  if (v.step === 0) return v;
  const ctx = { initial, steps, files: c.ix.fileNames, epolls: c.ix.epollNames, processes: c.scenario.processes.map((p) => p.name) };
  const a = accesses.find((m) => m.step === v.step);
  if (a && v.property === 'no-uaf') return { ...v, memory: kasanReport(ctx, a) };
  const obj = lockedObject.get(v);
  if (obj !== undefined) return { ...v, memory: heldLockFreedReport(ctx, v.step, obj) };
  return v;
}

/** The object of each free-while-locked finding (file index, or 16 + epoll index). */
const lockedObject = new WeakMap<TraceViolation, number>();

/** Replay `moves`. The trace's violation is the one named by `property` if it shows on the path (the last
 *  occurrence, which is where a search's path ends), else the first found. The search goes on past non-fatal
 *  findings, so a path may pass through other properties' violations on the way. */
export function replay(
  x: FdraceExports,
  c: Compiled,
  moves: number[],
  file = c.scenario.name,
  property?: string,
  onProgress?: (done: number, total: number) => void,
): Trace {
  const { a, b, size } = startAtInitial(x, c);
  const mem = () => new Uint8Array(x.memory.buffer);
  const initial = decodeState(x, c, a);
  let prev = initial;
  const steps: TraceStep[] = [];
  const seen: TraceViolation[] = [];
  const accesses: MemAccess[] = [];
  const stop: { at: TraceViolation | null } = { at: null }; // the search does not expand past these (isFatal)
  const note = (v: TraceViolation | null) => {
    if (v) seen.push(v);
  };
  const check = (step: number) => {
    const j = judge(x, c, a, step);
    seen.push(...j.all);
    if (j.fatal) stop.at ??= j.all[0] ?? null;
  };
  check(0);
  // Raw states after each step, for a livelock's lasso (where the path returns to a state it already had).
  const raw: Uint8Array[] = property === 'livelock' ? [mem().slice(a, a + size)] : [];
  for (let i = 0; i < moves.length; i++) {
    if (onProgress && i % 500 === 0) onProgress(i, moves.length);
    const f = stop.at;
    if (f) throw new ReplayError(`the path continues after ${f.property} (${f.kind}) at step ${f.step}`, i + 1);
    const mv = moves[i]!;
    const t = mv >> 1;
    const fault = (mv & 1) === 1;
    const name = c.ix.threadNames[t];
    if (name === undefined) throw new ReplayError(`step ${i + 1}: there is no thread ${t}`, i + 1);
    if (fault && x.kFaultsUsed(a) >= x.kFaultBudget()) {
      throw new ReplayError(`step ${i + 1}: fault injected beyond the scenario's budget (option faults ${x.kFaultBudget()})`, i + 1);
    }
    const op = opOf(prev, t);
    const st = x.kStep(a, b, t, fault ? 1 : 0);
    const labelId = x.kLastLabel();
    const memKind = x.kMemReport(0);
    if (memKind !== 0) {
      accesses.push({ step: i + 1, thread: name, kind: memKind, obj: x.kMemReport(1), idx: x.kMemReport(2), field: x.kMemReport(3) });
    }
    const sawFault = x.kSawFaultPoint() !== 0;
    if (st === StepStatus.Blocked) throw new ReplayError(`step ${i + 1}: thread ${name} is blocked and cannot move`, i + 1);
    if (st === StepStatus.Finished) throw new ReplayError(`step ${i + 1}: thread ${name} has finished`, i + 1);
    if (fault && !sawFault) throw new ReplayError(`step ${i + 1}: thread ${name}'s step has no allocation to fail`, i + 1);
    mem().copyWithin(a, b, b + size);
    const state = decodeState(x, c, a);
    const l = stepLabel(labelId);
    steps.push({
      step: i + 1,
      thread: name,
      threadIndex: t,
      fault,
      op,
      function: variantText(l.fn, c.toggles),
      source: variantText(l.file, c.toggles),
      text: fault ? `${l.text} — allocation fails (injected)` : l.text,
      changes: diffStates(prev, state),
      state,
      ...(Step[labelId] !== undefined && Step[labelId] !== 'None' ? { label: Step[labelId] } : {}),
    });
    prev = state;
    check(i + 1);
    if (property === 'livelock') raw.push(mem().slice(a, a + size));
  }
  const lasso = property === 'livelock' ? lassoOf(raw) : null;
  if (lasso) {
    const stuck = prev.threads.filter((th) => th.status !== 'done').map((th) => th.name);
    seen.push({
      property: 'livelock',
      kind: 'cycle',
      message: `steps ${lasso.cycleStart + 1}..${moves.length} return to the state after step ${lasso.cycleStart} and can repeat forever; ${stuck.join(', ')} never finish${stuck.length === 1 ? 'es' : ''}`,
      step: moves.length,
    });
  }
  const terminal = prev.threads.every((th) => th.status === 'done' || th.status === 'blocked');
  if (terminal) {
    if (prev.threads.some((th) => th.status === 'blocked')) {
      const sc = deadlockScenario(initial, steps);
      note({
        property: 'deadlock',
        kind: 'deadlock',
        message: 'no thread can move and some have not finished',
        step: moves.length,
        ...(sc ? { scenario: sc } : {}),
      });
    } else if (property === 'linearizable') {
      // Judged against the sequential outcomes by checker/props/linearizable.ts, not by a state predicate: the
      // search's violation carries the nearest sequential outcome.
      note({
        property,
        kind: 'outcome',
        message: 'this outcome is not the outcome of any sequential order of the syscalls that keeps their real-time order',
        step: moves.length,
      });
    } else note(judgeEnd(x, c, a, moves.length, property));
  }
  const named = property ? seen.filter((v) => v.property === property) : [];
  const found = named[named.length - 1] ?? seen[0] ?? null;
  const violation = found ? withMemoryReport(found, c, initial, steps, accesses) : null;
  return {
    format: TRACE_FORMAT,
    tool: 'fdrace',
    scenario: c.scenario.name,
    title: c.scenario.title,
    file,
    variant: c.variant,
    path: formatPath(moves),
    threads: c.scenario.threads.map((t) => ({ name: t.name, process: t.process, ops: t.ops.map(opText) })),
    initial,
    steps,
    violation,
    ...(lasso ? { lasso } : {}),
    source: c.scenario.source,
  };
}

/** The lasso of a path whose last state repeats an earlier one: the earliest such step starts the cycle. */
function lassoOf(raw: Uint8Array[]): { prefixSteps: number; cycleStart: number; cycleSteps: number } | null {
  const n = raw.length - 1;
  if (n < 1) return null;
  const last = raw[n]!;
  for (let i = 0; i < n; i++) {
    const r = raw[i]!;
    if (r.length === last.length && r.every((v, j) => v === last[j])) return { prefixSteps: i, cycleStart: i, cycleSteps: n - i };
  }
  return null;
}
