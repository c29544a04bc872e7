// fdrace check FILE... : search each scenario on each variant (exhaustive breadth-first by default; depth-first,
// random walks and preemption-bounded search on request), a summary per run and a trace of each violation.
// Exit 10 on a violation, 11 on a deadlock, 12 if a limit stopped a search (or it was not exhaustive), else 0.

import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../expected.ts';
import { readScenario } from '../load.ts';
import type { Limits, Progress, SearchOptions, StorageMode, Strategy } from '../search/options.ts';
import type { SearchInfo, SearchResult } from '../search/result.ts';
import { nodeSession } from '../session-node.ts';
import { formatTrace } from '../trace/text.ts';
import { STRATEGIES } from '../search/strategy.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';
import { bytes, headline, statsLine } from './report.ts';
import { isUserError, printInternal, shellArg, type Repro } from './internal.ts';
import { isMerged, partPlan, runPart, type PartPlan } from '../search/shard-run.ts';
import type { PartResult } from '../search/shard-result.ts';
import { mergedLines } from './merge.ts';
import { withSearchDefaults } from '../session.ts';

export const CHECK_OPTIONS: Record<string, OptSpec> = {
  variant: { kind: 'list', value: 'NAME', help: 'variant to check (repeatable); default: every variant the scenario lists' },
  without: { kind: 'list', value: 'TOGGLE', help: 'switch a toggle off in the chosen variants ("what if this fix were missing?")' },
  with: { kind: 'list', value: 'TOGGLE', help: 'switch a toggle on in the chosen variants' },
  strategy: {
    kind: 'string',
    value: 'NAME',
    help: 'bfs (default: breadth-first, shortest counterexamples), dfs (depth-first, least memory), random (seeded random walks), pb (preemption-bounded: fewest preemptions first)',
  },
  storage: {
    kind: 'string',
    value: 'MODE',
    help: 'collapse (default: lossless, states as vectors of interned components, about a tenth of the memory of full), full (whole states), fingerprint (64-bit hashes, 8 B per slot; prints the collision probability), bitstate (k bits per state in a bit array sized by --max-memory; may miss states: a pass is not a proof)',
  },
  por: {
    kind: 'flag',
    help: 'partial-order reduction with sleep sets (default with dfs; off by default with bfs, whose counterexamples are then shortest; see docs/search.md)',
  },
  'no-por': { kind: 'flag', help: 'explore every interleaving (no partial-order reduction, no sleep sets)' },
  symmetry: { kind: 'flag', help: 'symmetry reduction of interchangeable threads (same process, same operations; the default)' },
  'no-symmetry': { kind: 'flag', help: 'no symmetry reduction' },
  reduction: {
    kind: 'string',
    value: 'NAME',
    help: 'transaction: Lipton reduction (bfs, dfs): each lock-delimited transaction of a thread is one move, only its last state is stored (docs/search.md); dpor: dynamic partial-order reduction (source sets + sleep sets) of --strategy dfs with a visited set (full or collapse storage); dpor-stateless: the same without a visited set (every path to a state is walked again); none: off (the default)',
  },
  'check-movers': {
    kind: 'flag',
    help: "with --reduction transaction: check that every step classified as a mover commutes with the other threads' enabled steps; the first that does not is reported as a model bug",
  },
  hashes: { kind: 'int', value: 'K', min: 1, max: 16, help: 'bitstate: hash functions (bits) per state (default 3)' },
  seed: {
    kind: 'int',
    value: 'S',
    min: 0,
    max: 2 ** 53 - 2 ** 32,
    help: 'random: base seed (default 0); walk i uses seed S+i, reproducible with --seed S+i --walks 1',
  },
  walks: { kind: 'int', value: 'N', min: 1, max: 1e9, help: 'random: number of walks (default 1000)' },
  'walk-depth': { kind: 'int', value: 'D', min: 1, max: 1_000_000, help: 'random: steps per walk at most (default 10000)' },
  'max-preemptions': {
    kind: 'int',
    value: 'K',
    min: 0,
    max: 254,
    help: 'pb: stop after bound K (incomplete if interleavings with more preemptions exist); default: raise the bound until everything is explored',
  },
  'max-states': { kind: 'int', value: 'N', min: 1, max: 2 ** 31, help: 'stop after storing N states (result: incomplete, exit 12)' },
  'max-depth': { kind: 'int', value: 'N', min: 1, max: 65535, help: 'do not expand states N steps deep (incomplete if any had successors)' },
  timeout: { kind: 'number', value: 'S', min: 0.001, max: 1e7, help: 'stop after S seconds (incomplete, exit 12)' },
  'max-memory': {
    kind: 'int',
    value: 'MIB',
    min: 1,
    max: 4095,
    help: 'cap the search memory at MIB mebibytes (incomplete when reached); bitstate: the bit array takes half',
  },
  workers: { kind: 'int', value: 'N', min: 1, max: 64, help: 'worker threads sharing one visited set (bfs; default 1)' },
  partition: {
    kind: 'flag',
    help: 'with --workers N (2-16): each worker owns a slice of the visited set in its own memory (up to 4 GiB each; full or collapse storage)',
  },
  'check-bounds': { kind: 'flag', help: "check every step against its thread's footprint bound even without reduction (debugging the reduction)" },
  json: { kind: 'flag', help: 'print one JSON object per scenario x variant instead of the summary' },
  'trace-out': {
    kind: 'string',
    value: 'DIR',
    help: 'write each counterexample as Trace JSON (format 1) into DIR, named SCENARIO.VARIANT.PROPERTY.trace.json (a second counterexample of the same property: PROPERTY.2.trace.json, ...)',
  },
  'no-trace': { kind: 'flag', help: 'do not print counterexample traces (summaries only)' },
  quiet: { kind: 'flag', help: 'no progress output on stderr (progress is shown only when stderr is a terminal)' },
  shard: {
    kind: 'string',
    value: 'I/N',
    help: 'run shard I of N (numbered from 0) of one exhaustive bfs; merge the --json results with fdrace merge (docs/scale-out.md)',
  },
  'shard-from-env': {
    kind: 'int',
    value: 'N',
    min: 1,
    max: 65536,
    help: 'run one of N shards, the index from JOB_COMPLETION_INDEX (Kubernetes), SLURM_ARRAY_TASK_ID or FDRACE_SHARD_INDEX',
  },
  'shard-frontier': { kind: 'int', value: 'K', min: 1, max: 1_000_000, help: 'shards: partition the first bfs level with at least K*N states (default 64)' },
  'state-hashes': { kind: 'string', value: 'FILE', help: 'shards: write the hashes of every stored state to FILE (merge computes the union and the overlap)' },
  swarm: {
    kind: 'int',
    value: 'K',
    min: 1,
    max: 10_000,
    help: 'swarm verification: K diversified bounded searches (dfs/random/bfs, bitstate hash families, seeds); not a proof',
  },
  'swarm-index': {
    kind: 'int',
    value: 'J',
    min: 0,
    max: 9_999,
    help: 'run only swarm member J of K (a separate job; merge the --json results with fdrace merge)',
  },
  help: { kind: 'flag', help: 'show this help' },
};

const STRATEGY_NAMES = Object.keys(STRATEGIES) as Strategy[];
const STORAGES: StorageMode[] = ['full', 'collapse', 'fingerprint', 'bitstate'];
/** Command-line spellings of the options a single strategy owns (SearchStrategy.ownOptions). */
const OWN_OPTION_FLAGS: Partial<Record<keyof SearchOptions, string>> = {
  seed: 'seed',
  walks: 'walks',
  walkDepth: 'walk-depth',
  maxPreemptions: 'max-preemptions',
};

/** The search options the command line asks for (validated against what each strategy declares). */
export function searchOptions(opts: Record<string, unknown>): { options: SearchOptions; workers: number } {
  const strategy = (opts.strategy ?? 'bfs') as Strategy;
  if (!STRATEGY_NAMES.includes(strategy)) throw new UsageError(`unknown strategy '${String(opts.strategy)}' (known: ${STRATEGY_NAMES.join(', ')})`);
  const how = STRATEGIES[strategy];
  if (opts.storage !== undefined && !STORAGES.includes(opts.storage as StorageMode)) {
    throw new UsageError(`unknown storage '${String(opts.storage)}' (known: ${STORAGES.join(', ')})`);
  }
  if (opts.storage !== undefined && !how.storages.includes(opts.storage as StorageMode)) {
    throw new UsageError(`--strategy ${strategy} runs with --storage ${how.storages.join(' or ')}, not ${String(opts.storage)}`);
  }
  const storage = (opts.storage as StorageMode | undefined) ?? how.storages[0]!;
  if (opts.por && opts['no-por']) throw new UsageError('--por and --no-por contradict each other');
  if (opts.symmetry && opts['no-symmetry']) throw new UsageError('--symmetry and --no-symmetry contradict each other');
  for (const [key, flag] of Object.entries(OWN_OPTION_FLAGS)) {
    if (opts[flag] === undefined || how.ownOptions.includes(key as keyof SearchOptions)) continue;
    const owners = STRATEGY_NAMES.filter((n) => STRATEGIES[n].ownOptions.includes(key as keyof SearchOptions));
    throw new UsageError(`--${flag} applies to --strategy ${owners.join(' or ')}, not ${strategy}`);
  }
  if (!how.reduces && (opts.por || opts.symmetry)) throw new UsageError(`--strategy ${strategy} explores without reductions: drop --por/--symmetry`);
  const reduction = opts.reduction as string | undefined;
  if (reduction !== undefined && !['transaction', 'dpor', 'dpor-stateless', 'none'].includes(reduction)) {
    throw new UsageError(`unknown reduction '${reduction}' (known: transaction, dpor, dpor-stateless, none)`);
  }
  const dpor = reduction === 'dpor' ? 'stateful' : reduction === 'dpor-stateless' ? 'stateless' : undefined;
  if (dpor && strategy !== 'dfs') throw new UsageError(`--reduction ${reduction} is a depth-first search: add --strategy dfs (not ${strategy})`);
  if (dpor && (opts.por || opts['no-por'])) throw new UsageError(`--reduction ${reduction} replaces the ample sets of --por: drop --por/--no-por`);
  if (dpor && opts.symmetry) throw new UsageError(`--reduction ${reduction} keeps thread identities along the stack: drop --symmetry`);
  if (dpor === 'stateful' && storage !== 'full' && storage !== 'collapse') {
    throw new UsageError(`--reduction dpor keeps sleep sets in its visited set: use --storage full or collapse (or --reduction dpor-stateless)`);
  }
  if (!how.reduces && reduction === 'transaction') throw new UsageError(`--strategy ${strategy} explores without reductions: drop --reduction`);
  if (opts['check-movers'] && reduction !== 'transaction') throw new UsageError('--check-movers checks the transaction reduction: add --reduction transaction');
  if (opts.hashes !== undefined && storage !== 'bitstate') throw new UsageError('--hashes applies to --storage bitstate');
  const workers = (opts.workers as number | undefined) ?? 1;
  if (workers > 1 && strategy !== 'bfs') throw new UsageError(`--workers ${workers} needs --strategy bfs (${strategy} runs in one thread)`);
  if (opts.partition && (workers < 2 || workers > 16)) throw new UsageError('--partition needs --workers between 2 and 16');
  if (opts.partition && storage !== 'full' && storage !== 'collapse') {
    throw new UsageError(`--partition stores whole states: use --storage full or collapse, not ${storage}`);
  }
  const options: SearchOptions = {
    strategy,
    storage,
    // Unset choices take the one set of defaults (checker/session.ts searchDefaults).
    ...(opts.por ? { por: true } : opts['no-por'] ? { por: false } : {}),
    ...(opts.symmetry ? { symmetry: true } : opts['no-symmetry'] ? { symmetry: false } : {}),
    ...(opts.hashes !== undefined ? { hashes: opts.hashes as number } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed as number } : {}),
    ...(opts.walks !== undefined ? { walks: opts.walks as number } : {}),
    ...(opts['walk-depth'] !== undefined ? { walkDepth: opts['walk-depth'] as number } : {}),
    ...(opts['max-preemptions'] !== undefined ? { maxPreemptions: opts['max-preemptions'] as number } : {}),
    ...(opts['check-bounds'] ? { checkBounds: true } : {}),
    ...(reduction === 'transaction' ? { transactions: true } : {}),
    ...(dpor ? { dpor } : {}),
    ...(opts['check-movers'] ? { checkMovers: true } : {}),
    ...(opts.partition ? { partition: true } : {}),
  };
  return { options, workers };
}

const fmt = new Intl.NumberFormat('en-US');

/** The progress line: states, rate, frontier, depth, memory, and what the strategy knows about the rest. */
export function progressLine(p: Progress): string {
  const rate = p.seconds > 0 ? Math.round(p.states / p.seconds) : p.states;
  const rest = p.remaining ? `, ${p.remaining}` : '';
  return `${fmt.format(p.states)} states, ${fmt.format(rate)} states/s, frontier ${fmt.format(p.frontier)}, depth ${p.depth}, ${bytes(p.memoryBytes)}${rest}`;
}

/** How the search ran: strategy, storage (and what it means), reductions, workers. */
export function searchLines(r: SearchResult): string[] {
  const s = r.search;
  if (!s) return [];
  const st = s.storage;
  const red = [
    s.reductions.transactions ? 'transactions' : '',
    s.reductions.dpor ? dporText(s.reductions.dpor) : '',
    s.reductions.por && !s.reductions.dpor ? 'partial-order' : '',
    s.reductions.sleepSets && !s.reductions.dpor ? 'sleep sets' : '',
    s.reductions.symmetry ? 'symmetry' : '',
  ].filter(Boolean);
  const perState = r.stats.bytesPerState ? `, ${r.stats.bytesPerState.toFixed(1)} B/state stored` : '';
  const lines = [
    `search: ${s.strategy}, ${st.mode} storage${perState}, ${red.length ? `reductions: ${red.join(', ')}` : 'no reduction'}, ` +
      `${s.workers} worker${s.workers === 1 ? '' : 's'}, ${fmt.format(r.stats.transitionsPerSecond ?? 0)} transitions/s`,
  ];
  if (st.mode === 'fingerprint') lines.push(`fingerprints: collision probability ~${(st.collisionProbability ?? 0).toExponential(1)} (n^2/2^65)`);
  if (st.mode === 'bitstate') {
    lines.push(
      `bitstate: POSSIBLY INCOMPLETE (not a proof): 2^${Math.log2(st.bits ?? 1)} bits, ${st.hashes} hashes, ` +
        `hash factor ${(st.hashFactor ?? 0).toFixed(1)}, ~${(st.expectedOmissions ?? 0).toPrecision(2)} states expected missed`,
    );
  }
  for (const n of s.notes ?? []) lines.push(`note: ${n}`);
  return lines;
}

export const CHECK_USAGE = 'usage: fdrace check FILE.fdr... [options]';

/** Where --trace-out writes: a directory (created if missing), checked before any search starts. */
export function prepareTraceDir(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new UsageError(`--trace-out ${dir}: exists and is not a directory (--trace-out takes a directory)`);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`--trace-out ${dir}: cannot create or write the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Trace file names: SCENARIO.VARIANT.PROPERTY.trace.json for the first counterexample of a property, then
 *  SCENARIO.VARIANT.PROPERTY.2.trace.json, .3, ... for further ones in the same run (never overwritten). */
export class TraceNames {
  private readonly used = new Set<string>();
  next(scenario: string, variant: string, property: string): string {
    const base = `${scenario}.${variant}.${property}`;
    let name = `${base}.trace.json`;
    for (let k = 2; this.used.has(name); k++) name = `${base}.${k}.trace.json`;
    this.used.add(name);
    return name;
  }
}

/** The command line that reruns one scenario x variant with the same search options (for internal errors). */
function reproCommand(argv: string[], file: string, variant: string): string {
  const keep: string[] = [];
  const { opts } = parseArgs(argv, CHECK_OPTIONS);
  for (const [k, v] of Object.entries(opts)) {
    if (['variant', 'with', 'without', 'json', 'quiet', 'trace-out', 'help'].includes(k)) continue;
    if (v === true) keep.push(`--${k}`);
    else if (Array.isArray(v)) for (const x of v) keep.push(`--${k}`, String(x));
    else keep.push(`--${k}`, String(v));
  }
  return ['fdrace', 'check', file, '--variant', variant, ...keep].map(shellArg).join(' ');
}

export async function checkCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, CHECK_OPTIONS);
  if (opts.help) {
    console.log(helpText(CHECK_USAGE, CHECK_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length === 0) throw new UsageError(`no scenario file given\n${CHECK_USAGE}`);
  // Swarm members pick their own strategies; --seed, --walks and --walk-depth are for its random members.
  const asked = searchOptions(opts.swarm !== undefined && opts.strategy === undefined ? { ...opts, strategy: 'random' } : opts);
  const options = withSearchDefaults(asked.options);
  const workers = asked.workers;
  let plan: PartPlan;
  try {
    plan = partPlan(opts, options, workers);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const traceDir = opts['trace-out'] as string | undefined;
  if (traceDir !== undefined) prepareTraceDir(traceDir);
  const scenarios = positional.map((p) => ({ path: p, s: readScenario(p) }));
  const session = nodeSession();
  // Every variant is resolved before the first search, so a bad --variant/--with is reported at once.
  const runs = scenarios.flatMap(({ path, s }) =>
    ((opts.variant as string[] | undefined) ?? s.variants).map((name) => ({
      path,
      s,
      name,
      v: session.resolve(name, (opts.without as string[]) ?? [], (opts.with as string[]) ?? []),
    })),
  );
  if (opts['state-hashes'] !== undefined && runs.length !== 1) {
    throw new UsageError(`--state-hashes FILE needs exactly one scenario and one variant (this run has ${runs.length})`);
  }
  let interrupted = false;
  const onSigint = () => {
    // The first Ctrl-C ends the search with a labelled incomplete result; a second one leaves at once.
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const showProgress = !opts.quiet && !opts.json && process.stderr.isTTY === true;
  const limits: Limits = {
    maxStates: opts['max-states'] as number | undefined,
    maxDepth: opts['max-depth'] as number | undefined,
    timeoutSeconds: opts.timeout as number | undefined,
    maxMemoryBytes: opts['max-memory'] ? (opts['max-memory'] as number) * 1024 * 1024 : 0,
    interrupted: () => interrupted,
    onProgress: showProgress ? (p) => process.stderr.write(`\r\x1b[K${progressLine(p)}`) : undefined,
  };
  const results: SearchResult[] = [];
  const names = new TraceNames();
  let internal = 0;
  try {
    for (const { path, s, name, v } of runs) {
      if (interrupted) break;
      const repro: Repro = { file: path, variant: v.label, command: reproCommand(argv, path, v.label) };
      try {
        const c = session.compile(s, v, path);
        const part =
          plan.kind === 'none'
            ? undefined
            : await runPart(await session.searchInstance(), c, limits, options, workers, path, plan, (m: PartResult) => {
                if (!opts.json) console.log(`  ${headline(m)}`);
              });
        if (part && isMerged(part)) {
          if (showProgress) process.stderr.write('\r\x1b[K');
          if (opts.json) console.log(JSON.stringify(part));
          else for (const line of mergedLines(part)) console.log(line);
          if (!opts.json && !opts['no-trace']) {
            for (const viol of part.violations) {
              if (viol.kind === 'sometimes' || viol.kind === 'inversion') continue;
              console.log(indent(formatTrace(await session.replay(c, viol.path, path, viol.property), { changesOnly: true })));
            }
          }
          results.push(part as unknown as SearchResult);
          continue;
        }
        const r = part ?? (await session.search(c, path, { search: options, limits, workers }));
        if (showProgress) process.stderr.write('\r\x1b[K');
        results.push(r);
        // A part's verdict covers its part only: it is not compared with the scenario's stated result.
        const cmp = !part && v.label === name ? compare(s, r, name) : undefined;
        if (opts.json) {
          console.log(JSON.stringify({ ...r, ...(cmp ? { expected: cmp.expected, matchesExpected: cmp.matches } : {}) }));
        } else {
          console.log(headline(r, cmp));
          console.log(`  ${statsLine(r)}`);
          for (const line of searchLines(r)) console.log(`  ${line}`);
          if (part) console.log(`  ${partLine(part)}`);
        }
        for (const viol of r.violations) {
          const how = [
            viol.path || viol.steps ? `${viol.steps} steps, path ${viol.path || '(initial state)'}` : '',
            viol.seed !== undefined ? `seed ${viol.seed}` : '',
            viol.preemptions !== undefined ? `${viol.preemptions} preemption${viol.preemptions === 1 ? '' : 's'}` : '',
          ].filter(Boolean);
          if (!opts.json) console.log(`  ${viol.property}: ${viol.message}${how.length ? ` [${how.join(', ')}]` : ''}`);
          if (viol.splat && !opts.json) console.log(indent(viol.splat));
          if (viol.kind === 'sometimes' || viol.kind === 'inversion') continue;
          const needTrace = (!opts.json && !opts['no-trace']) || traceDir !== undefined;
          if (!needTrace) continue;
          repro.path = viol.path;
          repro.seed = viol.seed;
          const tr = await session.replay(c, viol.path, path, viol.property);
          if (!opts.json && !opts['no-trace']) console.log(indent(formatTrace(tr, { changesOnly: true })));
          if (traceDir !== undefined) {
            const f = join(traceDir, names.next(s.name, v.label, viol.property));
            try {
              writeFileSync(f, JSON.stringify(tr, null, 1));
            } catch (e) {
              throw new UsageError(`${f}: cannot write the trace (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
            }
            if (!opts.json) console.log(`  trace written to ${f}`);
          }
        }
      } catch (e) {
        if (isUserError(e)) throw e;
        // One run's internal error does not hide the others: it is reported and the run goes on (exit 1).
        internal++;
        printInternal(e, repro);
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  return internal > 0 ? EXIT.internal : exitFor(results);
}

/** What part of a split question this result answers. */
function partLine(r: PartResult): string {
  const sh = r.part.shard;
  if (sh) {
    const cut =
      sh.cutLevel === null
        ? `no level reached ${sh.frontierFactor * sh.count} states: this shard explored everything`
        : `frontier at depth ${sh.cutLevel}: ${fmt.format(sh.frontierStates)} states, ${fmt.format(sh.ownedStates)} owned; shared prefix ${fmt.format(sh.prefixStates)} states`;
    const hashes = r.part.stateHashes ? `; ${fmt.format(r.part.stateHashes.count)} state hashes in ${r.part.stateHashes.file}` : '';
    return `shard ${sh.index}/${sh.count}: ${cut}${hashes} (merge the --json results: fdrace merge)`;
  }
  const sw = r.part.swarm!;
  return `swarm member ${sw.index} of ${sw.count}: ${sw.member}; not a proof (merge the --json results: fdrace merge)`;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

export function exitFor(results: SearchResult[]): number {
  if (results.some((r) => r.verdict === 'violation')) return EXIT.violation;
  if (results.some((r) => r.verdict === 'deadlock')) return EXIT.deadlock;
  if (results.some((r) => r.verdict === 'incomplete')) return EXIT.incomplete;
  return EXIT.ok;
}

function dporText(d: NonNullable<SearchInfo['reductions']['dpor']>): string {
  return `${d.mode} DPOR (source sets, sleep sets: ${fmt.format(d.traces)} paths, ${fmt.format(d.races)} races, ${fmt.format(d.cuts)} cut states)`;
}
