// Progress by the graph (livelock): a reachable cycle of states on which some unfinished thread never completes
// while the scheduler is fair — SPIN's non-progress cycles, under fairness as in TLC's liveness checking. The
// fairness is strong (a thread enabled again and again gets to step): the kernel's locks are fair queues
// (qspinlock, mutex handoff), so a retry loop that only spins while another thread waits for the lock it keeps
// taking and dropping ends once that thread gets the lock. Weak fairness (enabled all the time) would report
// such loops. Return values only ever get filled in, so no op returns on a cycle: an unfinished thread on it
// never completes.
//
// The check explores the scenario's whole state graph (every move, no reduction), and looks for a strongly
// connected component (Tarjan) with an edge in which every thread enabled in one of its states steps inside it;
// a component that fails drops the states where such a thread is enabled and is searched again (Emerson-Lei).
// A component that passes contains a cycle through all of its states and edges, which is fair. The report is a
// lasso: the shortest prefix to the component, then a cycle that gives a step to every thread that moves in it.

import { StepStatus } from '../../model/codes.ts';
import { T_DEPTH, T_OPIDX, T_PENDING } from '../../model/fields.ts';
import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { loadConfig } from '../kernel/configure.ts';
import { formatPath, type SearchResult, type Violation } from './result.ts';

/** States the graph check explores at most; beyond, it stops and says so in the search notes. */
export const MAX_PROGRESS_STATES = 100_000;

export interface Lasso {
  /** Moves of the prefix (from the initial state to the cycle's first state). */
  prefix: number[];
  /** Moves of the cycle (back to its first state). */
  cycle: number[];
  /** Threads that never finish on the cycle. */
  stuck: string[];
}

export interface ProgressCheck {
  lasso: Lasso | null;
  states: number;
  components: number;
  incomplete?: string;
}

interface Graph {
  states: Uint8Array[];
  /** Edges: from, to, move (thread * 2 + fault). */
  from: number[];
  to: number[];
  move: number[];
  parent: number[];
  parentMove: number[];
}

/** A 52-bit hash of a state (two FNV-1a-style lanes over its 32-bit words), for the graph's index: states with
 *  equal hashes are told apart by their bytes (StateIndex). Building a string key per successor cost ~25 us each
 *  (10 s on a 100 k-state graph); this costs under 1 us. */
function hashOf(st: Uint8Array): number {
  const w = new Int32Array(st.buffer, st.byteOffset, st.byteLength >> 2);
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x01000193 | 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 ^ v, 0x5bd1e995) ^ (h2 >>> 15);
  }
  for (let i = w.length << 2; i < st.length; i++) h1 = Math.imul(h1 ^ st[i]!, 0x01000193);
  return (h1 >>> 0) * 0x100000 + (h2 >>> 12);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** States of the graph by content: hash buckets of indexes into `states`, compared byte for byte. */
class StateIndex {
  private readonly buckets = new Map<number, number | number[]>();
  constructor(private readonly states: Uint8Array[]) {}
  get(st: Uint8Array, h: number): number | undefined {
    const b = this.buckets.get(h);
    if (b === undefined) return undefined;
    if (typeof b === 'number') return sameBytes(this.states[b]!, st) ? b : undefined;
    return b.find((j) => sameBytes(this.states[j]!, st));
  }
  set(h: number, j: number): void {
    const b = this.buckets.get(h);
    if (b === undefined) this.buckets.set(h, j);
    else if (typeof b === 'number') this.buckets.set(h, [b, j]);
    else b.push(j);
  }
}

export function checkProgress(x: FdraceExports, c: Compiled, maxStates = MAX_PROGRESS_STATES): ProgressCheck {
  loadConfig(x, c);
  const size = x.kStateSize();
  const a = x.eScratch(0);
  const b = x.eScratch(1);
  const nThreads = c.ix.threadNames.length;
  const nOps = c.scenario.threads.map((t) => t.ops.length);
  const offT = x.kLayout(5);
  const stride = x.kLayout(6);
  const mem = () => new Uint8Array(x.memory.buffer);
  const initial = new Uint8Array(x.memory.buffer, x.eStateAddr(0), size).slice();
  const g: Graph = { states: [initial], from: [], to: [], move: [], parent: [-1], parentMove: [-1] };
  const index = new StateIndex(g.states);
  index.set(hashOf(initial), 0);
  const fatal = (st: Uint8Array): boolean => {
    mem().set(st, a);
    let m = x.kCheckMask(a) >>> 0;
    while (m !== 0) {
      const v = 31 - Math.clz32(m & -m);
      m &= m - 1;
      if (x.kIsFatal(v) !== 0) return true;
    }
    return false;
  };
  /** Per state: bit t set if thread t has a move. */
  const enabled: number[] = [];
  let incomplete: string | undefined;
  for (let i = 0; i < g.states.length; i++) {
    const st = g.states[i]!;
    let en = 0;
    if (fatal(st)) {
      enabled.push(0); // the search does not expand a corrupt state; neither does the graph
      continue;
    }
    for (let t = 0; t < nThreads; t++) {
      for (const fault of [false, true]) {
        mem().set(st, a);
        if (fault && x.kFaultsUsed(a) >= x.kFaultBudget()) continue;
        if (x.kStep(a, b, t, fault ? 1 : 0) !== StepStatus.Ok) break;
        const saw = x.kSawFaultPoint() !== 0;
        if (fault && !saw) continue;
        en |= 1 << t;
        const next = new Uint8Array(x.memory.buffer, b, size).slice();
        const k = hashOf(next);
        let j = index.get(next, k);
        if (j === undefined) {
          if (g.states.length >= maxStates) {
            incomplete = `more than ${maxStates} states`;
            continue;
          }
          j = g.states.length;
          index.set(k, j);
          g.states.push(next);
          g.parent.push(i);
          g.parentMove.push(t * 2 + (fault ? 1 : 0));
        }
        g.from.push(i);
        g.to.push(j);
        g.move.push(t * 2 + (fault ? 1 : 0));
        if (!saw) break;
      }
    }
    enabled.push(en);
    if (incomplete) break;
  }
  if (incomplete) return { lasso: null, states: g.states.length, components: 0, incomplete };
  const n = g.states.length;
  const out: number[][] = Array.from({ length: n }, () => []);
  g.from.forEach((f, e) => out[f]!.push(e));
  const done = (st: Uint8Array, t: number) => {
    const o = offT + t * stride;
    return st[o + T_DEPTH] === 0 && st[o + T_PENDING] === 0 && st[o + T_PENDING + 1] === 0 && st[o + T_OPIDX]! >= nOps[t]!;
  };
  const depth = new Array<number>(n).fill(0);
  for (let i = 1; i < n; i++) depth[i] = depth[g.parent[i]!]! + 1;
  let components = 0;
  // Emerson-Lei: a component holds a fair cycle when every thread enabled in one of its states steps inside
  // it; otherwise drop the states where such a thread is enabled and look again inside what is left.
  let work: number[][] = [Array.from({ length: n }, (_, i) => i)];
  const found: number[][] = [];
  while (work.length > 0) {
    const next: number[][] = [];
    for (const set of work) {
      for (const ms of sccs(set, out, g.to)) {
        const inside = new Set(ms);
        const edges: number[] = [];
        for (const s2 of ms) for (const e of out[s2]!) if (inside.has(g.to[e]!)) edges.push(e);
        if (edges.length === 0) continue;
        components++;
        const steppers = new Set(edges.map((e) => g.move[e]! >> 1));
        const unfair = (s2: number) => {
          for (let t = 0; t < nThreads; t++) if ((enabled[s2]! & (1 << t)) !== 0 && !steppers.has(t)) return true;
          return false;
        };
        const keep = ms.filter((s2) => !unfair(s2));
        if (keep.length === ms.length) found.push(ms);
        else if (keep.length > 0) next.push(keep);
      }
    }
    work = next;
  }
  found.sort((p, q) => Math.min(...p.map((i) => depth[i]!)) - Math.min(...q.map((i) => depth[i]!)));
  for (const ms of found) {
    const start = ms.reduce((p, q) => (depth[q]! < depth[p]! ? q : p));
    const stuck = Array.from({ length: nThreads }, (_, t) => t).filter((t) => !done(g.states[start]!, t));
    if (stuck.length === 0) continue;
    const inside = new Set(ms);
    const prefix: number[] = [];
    for (let s2 = start; s2 !== 0; s2 = g.parent[s2]!) prefix.push(g.parentMove[s2]!);
    prefix.reverse();
    const cycle = fairCycle(start, nThreads, inside, out, g);
    return { lasso: { prefix, cycle, stuck: stuck.map((t) => c.ix.threadNames[t]!) }, states: n, components };
  }
  return { lasso: null, states: n, components };
}

/** A cycle from `start` back to it inside the component that gives a step to every thread that steps inside it
 *  (the others cannot move anywhere in it), then returns. */
function fairCycle(start: number, nThreads: number, inside: Set<number>, out: number[][], g: Graph): number[] {
  const moves: number[] = [];
  let cur = start;
  /** Shortest path inside the component from cur to a state/edge satisfying `goal`; appends its moves. */
  const walk = (goal: (edge: number) => boolean, goalState?: (s: number) => boolean): void => {
    const prev = new Map<number, number>([[cur, -1]]);
    const queue = [cur];
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      if (goalState?.(s) && (s !== cur || qi === 0)) {
        if (s === cur) return;
        follow(s, prev);
        return;
      }
      for (const e of out[s]!) {
        const t = g.to[e]!;
        if (!inside.has(t)) continue;
        if (goal(e)) {
          follow(s, prev);
          moves.push(g.move[e]!);
          cur = t;
          return;
        }
        if (!prev.has(t)) {
          prev.set(t, e);
          queue.push(t);
        }
      }
    }
  };
  const follow = (s: number, prev: Map<number, number>): void => {
    const path: number[] = [];
    for (let v = s; prev.get(v)! >= 0; v = g.from[prev.get(v)!]!) path.push(g.move[prev.get(v)!]!);
    moves.push(...path.reverse());
    cur = s;
  };
  const steps = new Set<number>();
  for (const s of inside) for (const e of out[s]!) if (inside.has(g.to[e]!)) steps.add(g.move[e]! >> 1);
  for (let t = 0; t < nThreads; t++) if (steps.has(t)) walk((e) => g.move[e]! >> 1 === t);
  if (cur !== start || moves.length === 0) walk((e) => g.to[e] === start);
  return moves;
}

/** Strongly connected components of the subgraph induced by `set`. */
function sccs(set: number[], out: number[][], to: number[]): number[][] {
  const members = new Set(set);
  const comp = tarjan(set, members, out, to);
  const by = new Map<number, number[]>();
  for (const v of set) {
    const m = by.get(comp.get(v)!) ?? [];
    m.push(v);
    by.set(comp.get(v)!, m);
  }
  return [...by.values()];
}

/** Tarjan's strongly connected components of the subgraph induced by `members`, iterative. */
function tarjan(set: number[], members: Set<number>, out: number[][], to: number[]): Map<number, number> {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const comp = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  let next = 0;
  let nComp = 0;
  for (const root of set) {
    if (index.has(root)) continue;
    const work: [number, number][] = [[root, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      if (i === 0) {
        index.set(v, next);
        low.set(v, next++);
        stack.push(v);
        onStack.add(v);
      }
      if (i < out[v]!.length) {
        top[1] = i + 1;
        const w = to[out[v]![i]!]!;
        if (!members.has(w)) continue;
        if (!index.has(w)) work.push([w, 0]);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const u = work[work.length - 1]![0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.set(w, nComp);
        } while (w !== v);
        nComp++;
      }
    }
  }
  return comp;
}

export function livelockViolation(l: Lasso): Violation {
  const moves = [...l.prefix, ...l.cycle];
  return {
    property: 'livelock',
    kind: 'cycle',
    qualified: 'livelock.cycle',
    message: `a reachable cycle of ${l.cycle.length} steps on which ${l.stuck.join(', ')} never finish${l.stuck.length === 1 ? 'es' : ''} while every thread that can move keeps moving (steps ${l.prefix.length + 1}..${moves.length} repeat forever)`,
    path: formatPath(moves),
    steps: moves.length,
    lasso: { prefixSteps: l.prefix.length, cycleStart: l.prefix.length, cycleSteps: l.cycle.length },
  };
}

/** Add the graph-level progress check to a search result (every scenario; `livelock` is always on). */
export function withProgress(r: SearchResult, x: FdraceExports, c: Compiled, maxStates = MAX_PROGRESS_STATES): SearchResult {
  // The search's own count (reduced or not) is a lower bound of the full graph's: too many already, skip.
  const p: ProgressCheck =
    r.stats.states > maxStates
      ? { lasso: null, states: 0, components: 0, incomplete: `the search stored ${r.stats.states} states, more than ${maxStates}` }
      : checkProgress(x, c, maxStates);
  if (p.incomplete) {
    const notes = [...(r.search?.notes ?? []), `livelock: not checked (${p.incomplete}; the graph check keeps every edge)`];
    return r.search ? { ...r, search: { ...r.search, notes } } : r;
  }
  if (!p.lasso) return r;
  const violations = [...r.violations, livelockViolation(p.lasso)];
  return { ...r, violations, verdict: 'violation' };
}
