// One verdict from the parts of a split question (shards of one exhaustive search, or members of a swarm). Pure
// functions over validated parts; reading files and exit codes are checker/cli/merge.ts.
//
// Shards: pass only if every shard is present and passed; violations deduplicated by property, keeping the shortest
// path (ties: the lexicographically least move sequence); `sometimes` expectations concluded unsatisfied only when
// every shard is present, complete and exhaustive and none saw them satisfied; lock-order inversions recomputed on
// the union of the shards' edges (an inversion may take one edge from each shard). Swarm: the same union of
// findings, but never a pass.

import type { Compiled } from '../compile/config.ts';
import type { Verdict } from '../scenario/types.ts';
import { cycles, splat, type Edge } from '../lockdep.ts';
import type { SearchInfo, Stats, Violation } from './result.ts';
import { partLockName, type Part, type PartEdge, type PartResult } from './shard-result.ts';

export interface MergedStats {
  /** Sums over the parts present. */
  states: number;
  transitions: number;
  terminal: number;
  maxDepth: number;
  /** The slowest part (what a batch engine with one machine per part waits for), and the total CPU time. */
  seconds: number;
  secondsTotal: number;
  /** The largest part's memory (what each machine needs). */
  memoryBytes: number;
  /** Distinct states over all parts (the union of their state hashes), when every part wrote them. */
  distinctStates?: number;
  /** states - distinctStates: states stored by more than one part. */
  overlap?: number;
  overlapRatio?: number;
  /** Shards: the prefix every shard stored (frontier included); (count - 1) * prefixStates of the overlap is this. */
  prefixStates?: number;
}

export interface Merged {
  scenario: string;
  file: string;
  variant: string;
  verdict: Verdict;
  incomplete?: string;
  merged: {
    kind: 'shards' | 'swarm';
    count: number;
    present: number[];
    missing: number[];
    question: string;
    /** Per part: index, verdict, states, seconds, and for shards what it owned. */
    parts: {
      index: number;
      verdict: Verdict;
      states: number;
      seconds: number;
      memoryBytes: number;
      owned?: number;
      cut?: number | null;
      member?: string;
      incomplete?: string;
    }[];
    notProof?: string;
  };
  stats: MergedStats;
  violations: Violation[];
  search?: SearchInfo;
}

/** Moves of a formatted path, for tie-breaking ("0.1!.2*3"). */
function expand(path: string): number[] {
  if (path === '') return [];
  const out: number[] = [];
  for (const part of path.split('.')) {
    const m = /^(\d+)(!?)(?:\*(\d+))?$/.exec(part);
    if (!m) return [Number.MAX_SAFE_INTEGER];
    const mv = Number(m[1]) * 2 + (m[2] ? 1 : 0);
    for (let k = 0; k < Number(m[3] ?? 1); k++) out.push(mv);
  }
  return out;
}

function lessPath(a: Violation, b: Violation): boolean {
  if (a.steps !== b.steps) return a.steps < b.steps;
  const x = expand(a.path);
  const y = expand(b.path);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return x.length < y.length;
}

/** Lock-order edges of several parts: one witness per (from, to) (the first part's), gated only if every part that
 *  recorded it saw it gated (the kernel's own rule within one search, model/locks.ts recordEdges). */
function unionEdges(parts: Part[]): PartEdge[] {
  const m = new Map<string, PartEdge>();
  for (const p of parts) {
    for (const e of p.lockEdges) {
      const k = `${e.from}>${e.to}`;
      const have = m.get(k);
      if (!have) m.set(k, { ...e });
      else if (!e.gated) have.gated = false;
    }
  }
  return [...m.values()];
}

function inversions(parts: PartResult[]): Violation[] {
  const first = parts[0]!;
  const names = first.part.names;
  const c = {
    scenario: { name: first.scenario },
    variant: first.variant,
    toggles: names.toggles,
    ix: { tableNames: names.tables, fileNames: names.files, epollNames: names.epolls, threadNames: names.threads },
  } as unknown as Compiled;
  const edges = unionEdges(parts.map((p) => p.part)) as Edge[];
  return cycles(edges)
    .filter((cyc) => !cyc.every((e) => e.gated))
    .map((cyc) => {
      const cycle = cyc.map((e) => partLockName(names, e.from));
      return {
        property: 'lock-order',
        kind: 'inversion',
        message: `possible circular locking dependency: ${cycle.join(' -> ')} -> ${cycle[0]}`,
        path: '',
        steps: 0,
        splat: splat(c, cyc),
      };
    });
}

function sumStats(parts: PartResult[]): MergedStats {
  const s = (f: (x: Stats) => number) => parts.reduce((n, p) => n + f(p.stats), 0);
  const mx = (f: (x: Stats) => number) => parts.reduce((n, p) => Math.max(n, f(p.stats)), 0);
  return {
    states: s((x) => x.states),
    transitions: s((x) => x.transitions),
    terminal: s((x) => x.terminal),
    maxDepth: mx((x) => x.maxDepth),
    seconds: mx((x) => x.seconds),
    secondsTotal: s((x) => x.seconds),
    memoryBytes: mx((x) => x.memoryBytes),
  };
}

/** Merge parts that answer one question (the caller checked it). `distinct`: the union's size when known. */
export function mergeParts(parts: PartResult[], distinct?: number): Merged {
  const first = parts[0]!;
  const kind: 'shards' | 'swarm' = first.part.swarm ? 'swarm' : 'shards';
  const idx = (p: PartResult) => (kind === 'swarm' ? p.part.swarm!.index : p.part.shard!.index);
  const count = kind === 'swarm' ? first.part.swarm!.count : first.part.shard!.count;
  const sorted = [...parts].sort((a, b) => idx(a) - idx(b));
  const present = sorted.map(idx);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !present.includes(i));

  // Findings: the shortest path per property (lock-order inversions are recomputed from the edges).
  const best = new Map<string, Violation>();
  for (const p of sorted) {
    for (const v of p.violations) {
      if (v.property === 'lock-order') continue;
      if (v.kind === 'sometimes' && v.path === '' && v.steps === 0 && / no reachable state satisfies it$/.test(v.message)) continue;
      const have = best.get(v.property);
      if (!have || lessPath(v, have)) best.set(v.property, v);
    }
  }
  const violations = [...best.values()];
  violations.push(...inversions(sorted));

  const incompleteParts = sorted.filter((p) => p.verdict === 'incomplete' || p.incomplete);
  const storage = first.search?.storage;
  const exhaustive = kind === 'shards' && storage?.mode !== 'bitstate';
  if (exhaustive && missing.length === 0 && incompleteParts.length === 0) {
    const seen = new Set(sorted.flatMap((p) => p.part.sometimes.satisfied));
    for (const { label, text } of first.part.sometimes.expectations) {
      if (seen.has(label)) continue;
      violations.push({ property: label, kind: 'sometimes', message: `sometimes ${text}: no reachable state satisfies it`, path: '', steps: 0 });
    }
  }

  const reasons: string[] = [];
  if (missing.length > 0) reasons.push(`${kind === 'swarm' ? 'members' : 'shards'} ${missing.join(', ')} of ${count} missing`);
  for (const p of incompleteParts) reasons.push(`${kind === 'swarm' ? 'member' : 'shard'} ${idx(p)}: ${p.incomplete ?? 'incomplete'}`);
  const notProof = kind === 'swarm' ? `swarm verification (${present.length} of ${count} members): bounded, diversified searches, not a proof` : undefined;

  let verdict: Verdict = 'pass';
  if (violations.some((v) => v.property !== 'deadlock' && v.property !== 'lock-order')) verdict = 'violation';
  else if (violations.length > 0) verdict = 'deadlock';
  else if (kind === 'swarm' || reasons.length > 0) verdict = 'incomplete';
  const incomplete = kind === 'swarm' ? [notProof!, ...reasons.filter((r) => !/not a proof/.test(r))].join('; ') : reasons.join('; ');

  const stats = sumStats(sorted);
  if (kind === 'shards') stats.prefixStates = first.part.shard!.prefixStates;
  if (distinct !== undefined) {
    stats.distinctStates = distinct;
    stats.overlap = stats.states - distinct;
    stats.overlapRatio = distinct > 0 ? stats.overlap / distinct : 0;
  }
  return {
    scenario: first.scenario,
    file: first.file,
    variant: first.variant,
    verdict,
    ...(incomplete && (verdict === 'incomplete' || reasons.length > 0 || kind === 'swarm') ? { incomplete } : {}),
    merged: {
      kind,
      count,
      present,
      missing,
      question: first.part.question,
      parts: sorted.map((p) => ({
        index: idx(p),
        verdict: p.verdict,
        states: p.stats.states,
        seconds: p.stats.seconds,
        memoryBytes: p.stats.memoryBytes,
        ...(p.part.shard ? { owned: p.part.shard.ownedStates, cut: p.part.shard.cutLevel } : {}),
        ...(p.part.swarm ? { member: p.part.swarm.member } : {}),
        ...(p.incomplete ? { incomplete: p.incomplete } : {}),
      })),
      ...(notProof ? { notProof } : {}),
    },
    stats,
    violations,
    ...(first.search ? { search: first.search } : {}),
  };
}
