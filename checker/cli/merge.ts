// fdrace merge RESULT.json... : one verdict from the parts of a split question — the shards of `check --shard i/n`
// or the members of `check --swarm K --swarm-index j`, each written with --json (one JSON object per line).
// Exit 0 pass, 10 violation, 11 deadlock, 12 incomplete (a part missing or stopped early; a swarm without a
// finding); 2 when the files are unreadable, malformed, or answer different questions.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { mergeParts, type Merged } from '../search/shard-merge.ts';
import { PART_FORMAT, stateHashCount, unionCount, type PartResult } from '../search/shard-result.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';
import { bytes } from './report.ts';

export const MERGE_OPTIONS: Record<string, OptSpec> = {
  json: { kind: 'flag', help: 'print the merged result as one JSON object' },
  'no-state-hashes': { kind: 'flag', help: "do not read the shards' state hash files (no union, no exact overlap)" },
  help: { kind: 'flag', help: 'show this help' },
};

export const MERGE_USAGE = 'usage: fdrace merge RESULT.json... [--json]   (the --json output of check --shard or --swarm-index)';

const MAX_FILE = 256 * 1024 * 1024;
const MAX_EDGES = 200;
const VERDICTS = new Set(['pass', 'violation', 'deadlock', 'incomplete']);

interface Loaded {
  r: PartResult;
  where: string;
  dir: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';

/** The shape merge relies on; anything else is refused with the file and line. */
function validate(v: unknown): string | undefined {
  if (!isObj(v)) return 'not a JSON object';
  const p = v.part;
  if (!isObj(p)) return "no 'part': not the --json output of check --shard or --swarm-index";
  if (p.format !== PART_FORMAT) return `part format ${JSON.stringify(p.format)} is not ${PART_FORMAT} (written by another fdrace version)`;
  if (!isStr(p.question) || !/^[0-9a-f]{64}$/.test(p.question)) return 'part.question is not a sha256';
  const split = p.shard ?? p.swarm;
  if (!isObj(split) || (p.shard !== undefined) === (p.swarm !== undefined)) return 'part needs exactly one of shard, swarm';
  if (!isNat(split.index) || !isNat(split.count) || split.count < 1 || split.count > 65536 || split.index >= split.count) {
    return 'part shard/swarm index and count are not 0 <= index < count <= 65536';
  }
  if (p.shard !== undefined && !isNat((p.shard as Record<string, unknown>).prefixStates)) return 'part.shard.prefixStates is not a count';
  if (!isStr(v.scenario) || !isStr(v.variant) || !isStr(v.file)) return 'scenario, variant and file must be strings';
  if (!isStr(v.verdict) || !VERDICTS.has(v.verdict)) return `verdict ${JSON.stringify(v.verdict)} is not one of ${[...VERDICTS].join(', ')}`;
  if (v.incomplete !== undefined && !isStr(v.incomplete)) return 'incomplete must be a string';
  const s = v.stats;
  if (!isObj(s)) return 'no stats';
  for (const k of ['states', 'transitions', 'terminal', 'maxDepth', 'seconds', 'memoryBytes']) {
    if (typeof s[k] !== 'number' || !Number.isFinite(s[k]) || (s[k] as number) < 0) return `stats.${k} is not a non-negative number`;
  }
  if (!Array.isArray(v.violations)) return 'violations is not a list';
  for (const [i, x] of v.violations.entries()) {
    if (!isObj(x) || !isStr(x.property) || !isStr(x.kind) || !isStr(x.message) || !isStr(x.path) || !isNat(x.steps)) {
      return `violations[${i}] needs property, kind, message, path (strings) and steps (a count)`;
    }
    if (x.path.length > 1_000_000 || !/^[0-9.!*]*$/.test(x.path)) return `violations[${i}].path is not a path of moves`;
  }
  const sm = p.sometimes;
  if (!isObj(sm) || !Array.isArray(sm.expectations) || !Array.isArray(sm.satisfied) || !sm.satisfied.every(isStr)) return 'part.sometimes is malformed';
  if (!sm.expectations.every((e) => isObj(e) && isStr(e.label) && isStr(e.text))) return 'part.sometimes.expectations is malformed';
  if (!Array.isArray(p.lockEdges)) return 'part.lockEdges is not a list';
  for (const e of p.lockEdges as unknown[]) {
    if (
      !isObj(e) ||
      !isNat(e.from) ||
      !isNat(e.to) ||
      e.from >= 34 ||
      e.to >= 34 ||
      typeof e.gated !== 'boolean' ||
      !isStr(e.thread) ||
      !isStr(e.fn) ||
      !isStr(e.file) ||
      !isStr(e.text)
    ) {
      return 'part.lockEdges has a malformed edge';
    }
  }
  const n = p.names;
  if (!isObj(n) || !['tables', 'files', 'epolls', 'threads'].every((k) => Array.isArray(n[k]) && (n[k] as unknown[]).every(isStr)) || !isNat(n.toggles)) {
    return 'part.names is malformed';
  }
  if (p.stateHashes !== undefined && (!isObj(p.stateHashes) || !isStr(p.stateHashes.file) || !isNat(p.stateHashes.count)))
    return 'part.stateHashes is malformed';
  return undefined;
}

function load(files: string[]): Loaded[] {
  const out: Loaded[] = [];
  for (const f of files) {
    if (!existsSync(f)) throw new UsageError(`${f}: no such file`);
    if (statSync(f).size > MAX_FILE) throw new UsageError(`${f}: larger than 256 MiB: not a result file`);
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        throw new UsageError(`${f}:${i + 1}:1: not JSON (${(e as Error).message.slice(0, 80)})`);
      }
      const bad = validate(v);
      if (bad) throw new UsageError(`${f}:${i + 1}:1: ${bad}`);
      out.push({ r: v as PartResult, where: `${f}:${i + 1}`, dir: dirname(f) });
    });
  }
  if (out.length === 0) throw new UsageError(`no results in ${files.join(', ')}`);
  return out;
}

/** Every part must answer the same question, once per index. */
function checkSame(parts: Loaded[]): void {
  const first = parts[0]!;
  const kind = (l: Loaded) => (l.r.part.shard ? 'shard' : 'swarm member');
  const split = (l: Loaded) => (l.r.part.shard ?? l.r.part.swarm)!;
  const seen = new Map<number, string>();
  for (const l of parts) {
    if (l.r.part.question !== first.r.part.question) {
      const what = (x: Loaded) => `${x.r.scenario} [${x.r.variant}], ${kind(x)} ${split(x).index}/${split(x).count}`;
      throw new UsageError(
        `${l.where} answers a different question than ${first.where} (${what(l)} vs ${what(first)}): ` +
          'the scenario, variant, search options, number of parts or fdrace build differ; merge only the parts of one run',
      );
    }
    if (kind(l) !== kind(first) || split(l).count !== split(first).count) {
      throw new UsageError(
        `${l.where} is ${kind(l)} ${split(l).index}/${split(l).count}, but ${first.where} is ${kind(first)} ${split(first).index}/${split(first).count}`,
      );
    }
    const i = split(l).index;
    const prev = seen.get(i);
    if (prev) throw new UsageError(`${kind(l)} ${i} is given twice (${prev} and ${l.where})`);
    seen.set(i, l.where);
  }
}

/** The union of the shards' states, when every shard of a complete set wrote its hashes and they are readable. */
function union(parts: Loaded[], count: number): { distinct?: number; note?: string } {
  if (parts.length !== count) return {};
  const files: string[] = [];
  for (const l of parts) {
    const h = l.r.part.stateHashes;
    if (!h) return {};
    const candidates = isAbsolute(h.file) ? [h.file] : [join(l.dir, h.file), h.file];
    const found = candidates.find((p) => existsSync(p));
    if (!found) return { note: `state hashes ${h.file} (${l.where}) not found: no union` };
    files.push(found);
  }
  files.forEach((f, i) => {
    let n: number;
    try {
      n = stateHashCount(f);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const want = parts[i]!.r.part.stateHashes!.count;
    if (n !== want) throw new UsageError(`${f}: ${n} hashes, but ${parts[i]!.where} says ${want}`);
  });
  return { distinct: unionCount(files) };
}

const fmt = new Intl.NumberFormat('en-US');

/** The merged result as text: the headline, the parts, the statistics with the overlap, the findings. */
export function mergedLines(m: Merged): string[] {
  const props = [...new Set(m.violations.map((v) => v.property))];
  const what = m.verdict === 'violation' || m.verdict === 'deadlock' ? ` (${props.join(', ')})` : '';
  const lines = [`${m.scenario} [${m.variant}]: ${m.verdict.toUpperCase()}${what}${m.incomplete ? ` [incomplete: ${m.incomplete}]` : ''}`];
  const k = m.merged;
  const noun = k.kind === 'swarm' ? 'members' : 'shards';
  lines.push(`  merged ${k.present.length} of ${k.count} ${noun}${k.missing.length ? ` (missing: ${k.missing.join(', ')})` : ''}`);
  for (const p of k.parts) {
    const owned = p.owned === undefined ? '' : p.cut === null ? ', no cut (explored everything)' : `, owned ${fmt.format(p.owned)} frontier states`;
    const member = p.member ? ` (${p.member})` : '';
    lines.push(
      `    ${k.kind === 'swarm' ? 'member' : 'shard'} ${p.index}${member}: ${p.verdict}, ${fmt.format(p.states)} states, ${p.seconds.toFixed(2)} s, ${bytes(p.memoryBytes)}${owned}`,
    );
  }
  const s = m.stats;
  lines.push(
    `  ${fmt.format(s.states)} states stored in all, ${fmt.format(s.transitions)} transitions, depth ${s.maxDepth}; ` +
      `slowest part ${s.seconds.toFixed(2)} s, ${s.secondsTotal.toFixed(2)} s in all; largest part ${bytes(s.memoryBytes)}`,
  );
  if (s.distinctStates !== undefined) {
    lines.push(
      `  ${fmt.format(s.distinctStates)} distinct states (union of the state hashes); overlap ${fmt.format(s.overlap!)} states (${((s.overlapRatio ?? 0) * 100).toFixed(1)}%)`,
    );
    const largest = Math.max(...k.parts.map((p) => p.states));
    if (k.present.length > 1 && largest >= 0.9 * s.distinctStates) {
      lines.push(
        `  note: the largest shard stored ${((largest / s.distinctStates) * 100).toFixed(1)}% of the states: interleavings converge below the frontier, ` +
          'so more shards do not make this search smaller per machine (docs/scale-out.md)',
      );
    }
  } else if (s.prefixStates !== undefined) {
    lines.push(
      `  shared prefix ${fmt.format(s.prefixStates)} states in every shard (overlap at least ${fmt.format(s.prefixStates * (k.present.length - 1))}; write --state-hashes for the exact union)`,
    );
  }
  if (m.search?.storage.mode === 'bitstate') lines.push('  bitstate: POSSIBLY INCOMPLETE (not a proof)');
  for (const v of m.violations) {
    lines.push(`  ${v.property}: ${v.message}${v.path || v.steps ? ` [${v.steps} steps, path ${v.path || '(initial state)'}]` : ''}`);
    if (v.splat) lines.push(...v.splat.split('\n').map((l) => `    ${l}`));
  }
  return lines;
}

export function exitForVerdict(v: string): number {
  if (v === 'violation') return EXIT.violation;
  if (v === 'deadlock') return EXIT.deadlock;
  if (v === 'incomplete') return EXIT.incomplete;
  return EXIT.ok;
}

export function mergeCommand(argv: string[]): number {
  const { positional, opts } = parseArgs(argv, MERGE_OPTIONS);
  if (opts.help) {
    console.log(helpText(MERGE_USAGE, MERGE_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length === 0) throw new UsageError(`no result files given\n${MERGE_USAGE}`);
  const parts = load(positional);
  checkSame(parts);
  const first = parts[0]!.r.part;
  const count = (first.shard ?? first.swarm)!.count;
  // The lock-order cycle search is exponential in the density of the lock graph; real scenarios record a
  // handful of edges (11 at most in the library), so a union far beyond that is not a result of fdrace check.
  const edges = new Set(parts.flatMap((l) => l.r.part.lockEdges.map((e) => `${e.from}>${e.to}`)));
  if (edges.size > MAX_EDGES) throw new UsageError(`the parts record ${edges.size} distinct lock-order edges, more than merge analyses (${MAX_EDGES})`);
  const u = opts['no-state-hashes'] || first.swarm ? {} : union(parts, count);
  const m = mergeParts(
    parts.map((l) => l.r),
    u.distinct,
  );
  if (opts.json) console.log(JSON.stringify(m));
  else {
    for (const l of mergedLines(m)) console.log(l);
    if (u.note) console.log(`  note: ${u.note}`);
  }
  return exitForVerdict(m.verdict);
}
