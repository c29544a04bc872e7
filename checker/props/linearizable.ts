// `check linearizable`: every outcome of the concurrent run — each syscall's return value, the final fd tables
// and the epolls' interest lists — must be the outcome of some sequential order of the same syscalls, each run
// atomically (alone, to completion), that keeps the real-time order: an op that returned before another began
// stays before it (Herlihy & Wing 1990). Sequential outcomes come from the same kernel: each permitted order is
// run one op at a time. The concurrent side is searched op-event by op-event with the real-time precedence it has
// accumulated, memoised on (state, precedence) like Wing & Gong's checker prunes repeated configurations; Lowe
// (2017) describes the same just-in-time search. docs/linearizability.md has the definitions and the limits.

import { StepStatus } from '../../model/codes.ts';
import { T_DEPTH, T_OPIDX, T_PENDING, T_RETS } from '../../model/fields.ts';
import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { loadConfig } from '../kernel/configure.ts';
import { formatPath, type SearchResult, type Violation } from '../search/result.ts';
import { decodeState } from '../trace/decode.ts';

/** Return slot of an op that has not returned (model/init.ts NOT_RETURNED). */
const NOT_RETURNED = 127;
/** Concurrent configurations (state x precedence) visited at most; beyond, the check reports incomplete. */
export const MAX_CONFIGS = 400_000;
/** Sequential schedules run at most. */
export const MAX_SCHEDULES = 100_000;

/** An op of the scenario: thread index and 0-based op index. */
type OpId = number; // t * 64 + k
const opId = (t: number, k: number): OpId => t * 64 + k;

export interface Outcome {
  /** Field -> value: `T.op[1].ret`, `P.fd[3]`, `E (X, 3)`. */
  fields: Record<string, string>;
  key: string;
}

export interface SequentialRun {
  /** The ops in the order they ran (thread, 1-based op), e.g. "T2.op[1]". */
  order: OpId[];
  outcome: Outcome;
}

export interface Difference {
  field: string;
  concurrent: string;
  sequential: string;
}

export interface LinearizabilityFinding {
  moves: number[];
  outcome: Outcome;
  /** The real-time precedences the concurrent run fixed ("T1.op[1] < T2.op[1]"). */
  precedence: string[];
  nearest: { order: string[]; differences: Difference[] } | null;
}

export interface LinearizabilityCheck {
  finding: LinearizabilityFinding | null;
  /** Distinct sequential outcomes, concurrent configurations visited, terminal outcomes checked. */
  sequentialOutcomes: number;
  configurations: number;
  incomplete?: string;
}

export class Kernel {
  readonly size: number;
  readonly a: number;
  readonly b: number;
  readonly initial: Uint8Array;
  readonly offThreads: number;
  readonly stride: number;
  readonly nThreads: number;
  readonly nOps: number[];

  constructor(
    readonly x: FdraceExports,
    readonly c: Compiled,
  ) {
    loadConfig(x, c);
    this.size = x.kStateSize();
    this.a = x.eScratch(0);
    this.b = x.eScratch(1);
    const s0 = x.eStateAddr(0);
    this.initial = new Uint8Array(x.memory.buffer, s0, this.size).slice();
    this.offThreads = x.kLayout(5);
    this.stride = x.kLayout(6);
    this.nThreads = c.ix.threadNames.length;
    this.nOps = c.scenario.threads.map((t) => t.ops.length);
  }

  step(st: Uint8Array, t: number, fault: boolean): { next: Uint8Array; sawFault: boolean } | null {
    const mem = new Uint8Array(this.x.memory.buffer);
    mem.set(st, this.a);
    if (this.x.kStep(this.a, this.b, t, fault ? 1 : 0) !== StepStatus.Ok) return null;
    const sawFault = this.x.kSawFaultPoint() !== 0;
    return { next: new Uint8Array(this.x.memory.buffer, this.b, this.size).slice(), sawFault };
  }

  canFault(st: Uint8Array): boolean {
    const mem = new Uint8Array(this.x.memory.buffer);
    mem.set(st, this.a);
    return this.x.kFaultsUsed(this.a) < this.x.kFaultBudget();
  }

  th(st: Uint8Array, t: number): { opIdx: number; depth: number; pending: number } {
    const o = this.offThreads + t * this.stride;
    return { opIdx: st[o + T_OPIDX]!, depth: st[o + T_DEPTH]!, pending: st[o + T_PENDING]! | (st[o + T_PENDING + 1]! << 8) };
  }

  ret(st: Uint8Array, t: number, k: number): number | null {
    const v = st[this.offThreads + t * this.stride + T_RETS + k]!;
    const s = v > 127 ? v - 256 : v;
    return s === NOT_RETURNED ? null : s;
  }

  done(st: Uint8Array, t: number): boolean {
    const h = this.th(st, t);
    return h.depth === 0 && h.pending === 0 && h.opIdx >= this.nOps[t]!;
  }

  opName(id: OpId): string {
    return `${this.c.ix.threadNames[Math.floor(id / 64)]}.op[${(id % 64) + 1}]`;
  }

  outcome(st: Uint8Array): Outcome {
    const mem = new Uint8Array(this.x.memory.buffer);
    mem.set(st, this.a);
    const d = decodeState(this.x, this.c, this.a, false);
    const fields: Record<string, string> = {};
    for (let t = 0; t < this.nThreads; t++) {
      for (let k = 0; k < this.nOps[t]!; k++) {
        const r = this.ret(st, t, k);
        fields[`${this.opName(opId(t, k))}.ret`] = r === null ? 'not run' : String(r);
      }
    }
    for (const p of d.processes) for (const f of p.fds) fields[`${p.name}.fd[${f.fd}]`] = f.file;
    for (const e of d.epolls) {
      for (const i of e.items) {
        if (!i.inRbr) continue;
        fields[`${e.name} (${i.file}, ${i.fd})`] = `${i.events.join('|')} data=${i.data}`;
      }
    }
    const key = JSON.stringify(Object.entries(fields).sort(([x], [y]) => (x < y ? -1 : 1)));
    return { fields, key };
  }
}

/** Run thread t's next op alone to completion (its task_work included), from st. Every fault choice the
 *  scenario's budget allows is a separate run. null entries: the op cannot complete alone (it waits for
 *  another thread). */
function runOpAlone(K: Kernel, st: Uint8Array, t: number): { state: Uint8Array; op: OpId }[] | null {
  const k = K.th(st, t).opIdx;
  const out: { state: Uint8Array; op: OpId }[] = [];
  let blocked = false;
  const go = (s: Uint8Array, guard: number): void => {
    if (guard > 4096) {
      blocked = true; // a loop that never completes alone
      return;
    }
    for (const fault of [false, true]) {
      if (fault && !K.canFault(s)) continue;
      const r = K.step(s, t, fault);
      if (!r) {
        if (!fault) blocked = true;
        return;
      }
      if (fault && !r.sawFault) continue;
      const h = K.th(r.next, t);
      if (K.ret(r.next, t, k) !== null && h.depth === 0 && h.pending === 0) out.push({ state: r.next, op: opId(t, k) });
      else go(r.next, guard + 1);
      if (!r.sawFault) break; // no fault point in this step: the failing branch does not exist
    }
  };
  go(st, 0);
  return blocked && out.length === 0 ? null : out;
}

/** Every sequential schedule's outcome. */
export function sequentialRuns(K: Kernel): { runs: SequentialRun[]; infeasible: string | null; truncated: boolean } {
  const runs: SequentialRun[] = [];
  let infeasible: string | null = null;
  let truncated = false;
  const dfs = (st: Uint8Array, order: OpId[]): void => {
    if (runs.length >= MAX_SCHEDULES) {
      truncated = true;
      return;
    }
    let any = false;
    for (let t = 0; t < K.nThreads; t++) {
      if (K.done(st, t)) continue;
      any = true;
      const r = runOpAlone(K, st, t);
      if (r === null) {
        infeasible ??= `${K.opName(opId(t, K.th(st, t).opIdx))} cannot run alone to completion (it waits for another thread)`;
        continue;
      }
      for (const { state, op } of r) dfs(state, [...order, op]);
    }
    if (!any) runs.push({ order, outcome: K.outcome(st) });
  };
  dfs(K.initial, []);
  return { runs, infeasible, truncated };
}

/** Does a sequential order keep every real-time precedence (a returned before b began => a before b)? */
export function respects(order: OpId[], prec: [OpId, OpId][]): boolean {
  const pos = new Map(order.map((o, i) => [o, i]));
  return prec.every(([a, b]) => {
    const pa = pos.get(a);
    const pb = pos.get(b);
    return pa === undefined || pb === undefined || pa < pb;
  });
}

function differences(conc: Outcome, seq: Outcome): Difference[] {
  const keys = [...new Set([...Object.keys(conc.fields), ...Object.keys(seq.fields)])].sort();
  const out: Difference[] = [];
  for (const f of keys) {
    const a = conc.fields[f] ?? 'none';
    const b = seq.fields[f] ?? 'none';
    if (a !== b) out.push({ field: f, concurrent: a, sequential: b });
  }
  return out;
}

export function checkLinearizable(x: FdraceExports, c: Compiled): LinearizabilityCheck {
  const K = new Kernel(x, c);
  const seq = sequentialRuns(K);
  if (seq.runs.length === 0) {
    return {
      finding: null,
      sequentialOutcomes: 0,
      configurations: 0,
      incomplete: `no sequential order runs to completion: ${seq.infeasible ?? 'no schedule'}`,
    };
  }
  const seen = new Set<string>();
  const verdicts = new Map<string, boolean>();
  let finding: LinearizabilityFinding | null = null;
  let configurations = 0;
  let incomplete: string | undefined = seq.truncated ? `more than ${MAX_SCHEDULES} sequential schedules` : undefined;
  if (seq.infeasible) incomplete = `some sequential orders cannot run: ${seq.infeasible}`;
  const moves: number[] = [];
  const keyOf = (st: Uint8Array): string => {
    let s = '';
    for (let i = 0; i < st.length; i += 4096) s += String.fromCharCode(...st.subarray(i, i + 4096));
    return s;
  };
  const dfs = (st: Uint8Array, prec: [OpId, OpId][]): void => {
    if (finding || incomplete?.startsWith('more than')) return;
    const key = `${keyOf(st)}|${prec.map(([a, b]) => `${a}<${b}`).join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (++configurations > MAX_CONFIGS) {
      incomplete = `more than ${MAX_CONFIGS} concurrent configurations (state x real-time order)`;
      return;
    }
    let moved = false;
    for (let t = 0; t < K.nThreads; t++) {
      const before = K.th(st, t);
      for (const fault of [false, true]) {
        if (fault && !K.canFault(st)) continue;
        const r = K.step(st, t, fault);
        if (!r) break;
        if (fault && !r.sawFault) continue;
        moved = true;
        let next = prec;
        const after = K.th(r.next, t);
        if (before.depth === 0 && before.pending === 0 && after.opIdx === before.opIdx + 1) {
          // Op `before.opIdx` of t begins: every op of another thread that has returned precedes it.
          const b = opId(t, before.opIdx);
          const add: [OpId, OpId][] = [];
          for (let u = 0; u < K.nThreads; u++) {
            if (u === t) continue;
            for (let k = 0; k < K.nOps[u]!; k++) if (K.ret(st, u, k) !== null) add.push([opId(u, k), b]);
          }
          if (add.length) next = [...prec, ...add].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
        }
        moves.push(t * 2 + (fault ? 1 : 0));
        dfs(r.next, next);
        moves.pop();
        if (finding) return;
        if (!r.sawFault) break;
      }
    }
    if (moved) return;
    for (let t = 0; t < K.nThreads; t++) if (!K.done(st, t)) return; // a deadlock: not an outcome
    const out = K.outcome(st);
    const vkey = `${out.key}|${prec.map(([a, b]) => `${a}<${b}`).join(',')}`;
    let ok = verdicts.get(vkey);
    if (ok === undefined) {
      ok = seq.runs.some((s) => s.outcome.key === out.key && respects(s.order, prec));
      verdicts.set(vkey, ok);
    }
    if (ok) return;
    let best: SequentialRun | null = null;
    let bestDiff: Difference[] = [];
    for (const s of seq.runs) {
      if (!respects(s.order, prec)) continue;
      const d = differences(out, s.outcome);
      if (best === null || d.length < bestDiff.length) {
        best = s;
        bestDiff = d;
      }
    }
    finding = {
      moves: [...moves],
      outcome: out,
      precedence: prec.map(([a, b]) => `${K.opName(a)} < ${K.opName(b)}`),
      nearest: best ? { order: best.order.map((o) => K.opName(o)), differences: bestDiff } : null,
    };
  };
  dfs(K.initial, []);
  const outcomes = new Set(seq.runs.map((r) => r.outcome.key)).size;
  return { finding, sequentialOutcomes: outcomes, configurations, ...(incomplete ? { incomplete } : {}) };
}

/** The finding as a violation of `linearizable`. */
export function linearizabilityViolation(f: LinearizabilityFinding): Violation {
  const near = f.nearest;
  const diff = near
    ? near.differences.map((d) => `${d.field}: ${d.concurrent} (sequential: ${d.sequential})`).join('; ')
    : 'no sequential order respects the real-time order';
  const order = near ? near.order.join(', ') : '-';
  const prec = f.precedence.length ? `; real-time order: ${f.precedence.join(', ')}` : '';
  return {
    property: 'linearizable',
    kind: 'outcome',
    qualified: 'linearizable.outcome',
    message: `no sequential order of the syscalls gives this outcome${prec}; nearest sequential outcome (order ${order}) differs in ${diff}`,
    path: formatPath(f.moves),
    steps: f.moves.length,
    linearizability: { precedence: f.precedence, nearest: near },
  };
}

/** Add the linearizability finding of a scenario that checks it to a search result. */
export function withLinearizability(r: SearchResult, x: FdraceExports, c: Compiled): SearchResult {
  if (!c.scenario.checks.some((k) => k.name === 'linearizable')) return r;
  const res = checkLinearizable(x, c);
  const notes = [...(r.search?.notes ?? [])];
  notes.push(
    `linearizable: ${res.sequentialOutcomes} sequential outcome${res.sequentialOutcomes === 1 ? '' : 's'}, ${res.configurations} concurrent configurations${res.incomplete ? ` (incomplete: ${res.incomplete})` : ''}`,
  );
  const search = r.search ? { ...r.search, notes } : r.search;
  if (!res.finding) {
    if (res.incomplete && r.verdict === 'pass')
      return { ...r, verdict: 'incomplete', incomplete: `linearizable: ${res.incomplete}`, ...(search ? { search } : {}) };
    return { ...r, ...(search ? { search } : {}) };
  }
  const violations = [...r.violations, linearizabilityViolation(res.finding)];
  return { ...r, violations, verdict: 'violation', ...(search ? { search } : {}) };
}
