// "Explore from here": a breadth-first search of every continuation of a trace's prefix. The prefix is replayed
// once; from the state it reaches, each thread's next step (and, where the step allocates, its failure within the
// fault budget) is tried, states are deduplicated by their bytes, and every property the kernel checks — the
// invariants, the scenario's expectations, deadlock — is judged as `fdrace check` judges it. Each finding comes
// with the full path (prefix + continuation), so it opens in the viewer by replay like any counterexample.
//
// It runs on the kernel's step function directly, not the search engine: the engine always starts from the
// scenario's initial state, and a bounded search from a mid-trace state needs no reductions.

import { StepStatus } from '../../model/codes.ts';
import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { startAtInitial } from '../kernel/configure.ts';
import { describeViolation } from '../search/collect.ts';
import { VIOL_PROPERTY, formatPath } from '../search/result.ts';

export interface ExploreFinding {
  property: string;
  kind: string;
  message: string;
  /** Full path from the initial state: the prefix, then the continuation. */
  path: string;
  /** Steps after the prefix. */
  extra: number;
}

export interface ExploreResult {
  states: number;
  transitions: number;
  /** null when every continuation was explored; otherwise why the search stopped. */
  incomplete: string | null;
  findings: ExploreFinding[];
  seconds: number;
}

export interface ExploreLimits {
  maxStates: number;
  timeoutSeconds: number;
}

export class ExploreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExploreError';
  }
}

export function exploreFrom(
  x: FdraceExports,
  c: Compiled,
  prefix: number[],
  limits: ExploreLimits,
  onProgress?: (states: number, frontier: number) => void,
): ExploreResult {
  const t0 = performance.now();
  const { a, b, size } = startAtInitial(x, c);
  const mem = () => new Uint8Array(x.memory.buffer);
  for (const [i, mv] of prefix.entries()) {
    if (x.kStep(a, b, mv >> 1, mv & 1) !== StepStatus.Ok) throw new ExploreError(`the prefix does not replay: step ${i + 1} cannot move`);
    mem().copyWithin(a, b, b + size);
  }
  const nThreads = c.ix.threadNames.length;
  const states: Uint8Array[] = [mem().slice(a, a + size)];
  const parent: number[] = [-1];
  const move: number[] = [-1];
  const seen = new Map<string, number>();
  const key = (bytes: Uint8Array): string => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
    return s;
  };
  seen.set(key(states[0]!), 0);
  const findings = new Map<string, ExploreFinding>();
  const pathOf = (id: number): number[] => {
    const out: number[] = [];
    for (let k = id; k > 0; k = parent[k]!) out.push(move[k]!);
    return out.reverse();
  };
  const report = (id: number, property: string, kind: string, message: string) => {
    if (findings.has(property)) return;
    const rest = pathOf(id);
    findings.set(property, { property, kind, message, path: formatPath([...prefix, ...rest]), extra: rest.length });
  };
  /** Judge the state at `addr` (stored as `id`); true when it is fatal (not expanded further). */
  const judge = (addr: number, id: number): boolean => {
    let fatal = false;
    let m = x.kCheckMask(addr) >>> 0;
    while (m !== 0) {
      const v = 31 - Math.clz32(m & -m);
      m &= m - 1;
      const info = VIOL_PROPERTY[v];
      report(id, info?.property ?? 'kernel', info?.name ?? `code${v}`, describeViolation(c, v, x.kViolObjOf(v)));
      if (x.kIsFatal(v) !== 0) fatal = true;
    }
    for (let k = 0; k < c.expectations.length; k++) {
      const e = c.expectations[k]!;
      const holds = x.kEvalExpect(addr, k) !== 0;
      if ((e.modality === 'always' && !holds) || (e.modality === 'never' && holds)) report(id, e.label, e.modality, `${e.modality} ${e.text}`);
    }
    return fatal;
  };
  let transitions = 0;
  let incomplete: string | null = null;
  const expand = [!judge(a, 0)];
  for (let head = 0; head < states.length; head++) {
    if (!expand[head]) continue;
    if (states.length >= limits.maxStates) {
      incomplete = `state limit (${limits.maxStates.toLocaleString('en')})`;
      break;
    }
    if ((head & 1023) === 0) {
      if ((performance.now() - t0) / 1000 > limits.timeoutSeconds) {
        incomplete = `time limit (${limits.timeoutSeconds} s)`;
        break;
      }
      onProgress?.(states.length, states.length - head);
    }
    mem().set(states[head]!, a);
    let moved = false;
    let blocked = false;
    for (let t = 0; t < nThreads; t++) {
      for (let fault = 0; fault < 2; fault++) {
        if (fault === 1 && x.kFaultsUsed(a) >= x.kFaultBudget()) break;
        const st = x.kStep(a, b, t, fault);
        if (st === StepStatus.Blocked) blocked = true;
        if (st !== StepStatus.Ok) break;
        const sawFault = x.kSawFaultPoint() !== 0;
        if (fault === 1 && !sawFault) break;
        moved = true;
        transitions++;
        const bytes = mem().slice(b, b + size);
        const k = key(bytes);
        if (!seen.has(k)) {
          const id = states.length;
          seen.set(k, id);
          states.push(bytes);
          parent.push(head);
          move.push(t * 2 + fault);
          expand.push(!judge(b, id));
        }
        if (!sawFault) break;
      }
    }
    if (!moved) {
      if (blocked) report(head, 'deadlock', 'deadlock', 'no thread can move and some have not finished');
      else {
        for (let k = 0; k < c.expectations.length; k++) {
          const e = c.expectations[k]!;
          if (e.modality === 'at-end' && x.kEvalExpect(a, k) === 0) report(head, e.label, e.modality, `at end ${e.text}`);
        }
      }
    }
  }
  return {
    states: states.length,
    transitions,
    incomplete,
    findings: [...findings.values()],
    seconds: (performance.now() - t0) / 1000,
  };
}
