// Replay a path (the vector of choices) through the kernel, producing a Trace. This is the only way traces are
// made: search results, `fdrace replay` and the web viewer's shareable links all come through here, so a trace is
// always exactly what the kernel does on that path.

import { StepStatus } from '../../model/codes.ts';
import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { describeViolation, load } from '../search/bfs.ts';
import { VIOL_PROPERTY, formatPath } from '../search/result.ts';
import { decodeState, opText } from './decode.ts';
import { stepLabel } from './labels.ts';
import { diffStates } from './diff.ts';
import { TRACE_FORMAT, type DecodedState, type Trace, type TraceStep, type TraceViolation } from './types.ts';

export class ReplayError extends Error {
  constructor(message: string, readonly step: number) {
    super(message);
    this.name = 'ReplayError';
  }
}

function opOf(prev: DecodedState, t: number): string {
  const th = prev.threads[t]!;
  if (th.status === 'user' && th.pendingFput.length > 0) return `__fput(${th.pendingFput[0]}) (task_work)`;
  return th.op ?? '(finished)';
}

/** What is wrong in the state at `addr`, if anything (invariants, then always/never expectations). */
function judge(x: FdraceExports, c: Compiled, addr: number, terminal: boolean, step: number): TraceViolation | null {
  const v = x.kCheck(addr);
  if (v !== 0) {
    const info = VIOL_PROPERTY[v];
    return { property: info?.property ?? 'kernel', kind: info?.name ?? `code${v}`, message: describeViolation(c, v, x.kViolObj()), step };
  }
  for (let k = 0; k < c.expectations.length; k++) {
    const e = c.expectations[k]!;
    const holds = x.kEvalExpect(addr, k) !== 0;
    const bad =
      (e.modality === 'always' && !holds) || (e.modality === 'never' && holds) || (terminal && e.modality === 'at-end' && !holds);
    if (bad) return { property: e.label, kind: e.modality, message: `${e.modality === 'at-end' ? 'at end' : e.modality} ${e.text}`, step };
  }
  return null;
}

export function replay(x: FdraceExports, c: Compiled, moves: number[], file = c.scenario.name): Trace {
  load(x, c);
  const a = x.eScratch(0);
  const b = x.eScratch(1);
  const size = x.kStateSize();
  const mem = () => new Uint8Array(x.memory.buffer);
  mem().copyWithin(a, x.eStateAddr(0), x.eStateAddr(0) + size);
  const initial = decodeState(x, c, a);
  let prev = initial;
  const steps: TraceStep[] = [];
  let violation: TraceViolation | null = judge(x, c, a, false, 0);
  for (let i = 0; i < moves.length; i++) {
    if (violation) throw new ReplayError(`the path continues after a violation at step ${violation.step}`, i + 1);
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
      function: l.fn,
      source: l.file,
      text: fault ? `${l.text} — allocation fails (injected)` : l.text,
      changes: diffStates(prev, state),
      state,
    });
    prev = state;
    violation = judge(x, c, a, false, i + 1);
  }
  const terminal = prev.threads.every((th) => th.status === 'done' || th.status === 'blocked');
  if (!violation && terminal) {
    if (prev.threads.some((th) => th.status === 'blocked')) {
      violation = { property: 'deadlock', kind: 'deadlock', message: 'no thread can move and some have not finished', step: moves.length };
    } else violation = judge(x, c, a, true, moves.length);
  }
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
    source: c.scenario.source,
  };
}
