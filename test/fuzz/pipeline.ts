// What the fuzzer does with one input, in-process: parse, compile every variant, bounded checks with the input's
// plans, replay of every reported path (it must show the reported property), the trace validator on each trace
// and on mutated copies of it. A user error (ScenarioError, VariantError, UsageError) is a fine outcome; any
// other exception, or a check that does not hold, is a FuzzFailure — a crash or a lie.

import { compileScenario, type Compiled } from '../../checker/compile/config.ts';
import { UsageError } from '../../checker/cli/exit.ts';
import type { FdraceExports } from '../../checker/kernel/exports.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import { ScenarioError } from '../../checker/scenario/types.ts';
import type { SearchOptions } from '../../checker/search/options.ts';
import { parsePath, type SearchResult } from '../../checker/search/result.ts';
import { search } from '../../checker/search/run.ts';
import { withLockOrder } from '../../checker/lockdep.ts';
import { replay } from '../../checker/trace/replay.ts';
import { VariantError, checkVariantSpec, parseVariant } from '../../checker/variants.ts';
import { TraceError, parseTraceText, validateTrace } from '../../web/src/validate.ts';
import type { CheckPlan, FuzzInput } from './gen.ts';

export class FuzzFailure extends Error {
  constructor(
    readonly stage: string,
    message: string,
    readonly detail = '',
  ) {
    super(`${stage}: ${message}`);
    this.name = 'FuzzFailure';
  }
}

export interface Outcome {
  parsed: boolean;
  compiled: number;
  checks: number;
  replays: number;
  traces: number;
}

const userError = (e: unknown) => e instanceof ScenarioError || e instanceof VariantError || e instanceof UsageError;

function fail(stage: string, e: unknown): never {
  if (e instanceof FuzzFailure) throw e;
  const err = e instanceof Error ? e : new Error(String(e));
  throw new FuzzFailure(stage, `${err.name}: ${err.message}`.slice(0, 500), err.stack ?? '');
}

export function optionsOf(p: CheckPlan): SearchOptions {
  return {
    strategy: p.strategy,
    storage: p.storage,
    por: p.por,
    symmetry: p.symmetry,
    walks: p.walks,
    walkDepth: p.walkDepth,
    seed: p.seed,
    ...(p.maxPreemptions !== undefined ? { maxPreemptions: p.maxPreemptions } : {}),
  };
}

/** Every strategy with and without reductions, small limits: what the corpus replay runs on each input. */
export const ALL_PLANS: CheckPlan[] = (['bfs', 'dfs', 'random', 'pb'] as const).flatMap((strategy) =>
  [false, true].map((reduce) => ({
    strategy,
    storage: strategy === 'pb' ? ('full' as const) : reduce ? ('fingerprint' as const) : ('full' as const),
    por: reduce,
    symmetry: reduce,
    maxStates: 400,
    walks: 4,
    walkDepth: 100,
    seed: 1,
  })),
);

export interface Instances {
  /** The searching instance and the replaying one (replay resets the engine). */
  x: FdraceExports;
  xr: FdraceExports;
}

/** A trace's JSON text mutated in one small way (chosen by `salt`) that the validator must survive: accept it or
 *  refuse it with a TraceError that locates the problem in the text. */
function traceMutant(text: string, salt: number): string {
  const values: unknown[] = [null, -1, 2 ** 53, 'x'.repeat(300), [], {}, [[[[[]]]]], true, 1.5];
  const v = values[(salt >> 3) % values.length];
  switch (salt % 7) {
    case 0:
      return text.slice(0, (salt * 7919) % (text.length + 1));
    case 1:
      return `\ufeff${text}`;
    case 2:
      return text.replace(/"format": 1/, '"format": "1"');
    default: {
      const j = JSON.parse(text) as Record<string, unknown>;
      const keys = Object.keys(j);
      const k = keys[salt % keys.length]!;
      if (salt % 7 === 3) return JSON.stringify({ ...j, [k]: v });
      if (salt % 7 === 4) {
        const { [k]: _drop, ...rest } = j;
        return JSON.stringify(rest);
      }
      const steps = Array.isArray(j.steps) ? [...(j.steps as unknown[])] : [];
      if (steps.length === 0) return JSON.stringify({ ...j, steps: v });
      if (salt % 7 === 5) steps[salt % steps.length] = v;
      else steps.push(...steps);
      return JSON.stringify({ ...j, steps });
    }
  }
}

function checkTrace(text: string, salt: number): number {
  try {
    validateTrace(JSON.parse(text));
  } catch (e) {
    fail('trace validator rejected a trace fdrace wrote', e);
  }
  // One mutated copy per trace (which one rotates with the salt): the validator is a small part of the pipeline.
  const m = traceMutant(text, salt);
  try {
    parseTraceText(m);
  } catch (e) {
    if (!(e instanceof TraceError)) fail('trace validator (mutated trace)', e);
    // A refusal of text says where: a line and column inside the text.
    const lines = m.split('\n');
    const loc = e.loc;
    if (!loc || loc.line > lines.length || loc.col < 1 || loc.col > (lines[loc.line - 1]?.length ?? 0) + 1) {
      fail('trace validator (mutated trace)', new Error(`refusal without a position in the text: ${e.message} at ${JSON.stringify(loc)}`));
    }
  }
  return 2;
}

function replayAll(inst: Instances, c: Compiled, r: SearchResult, out: Outcome, salt: number): void {
  for (const v of r.violations) {
    if (v.kind === 'sometimes' || v.kind === 'inversion') continue;
    if (v.path === '' && v.steps === 0 && v.message.includes('path unavailable')) continue;
    let tr;
    try {
      tr = replay(inst.xr, c, parsePath(v.path, c.ix.threadNames.length), 'fuzz.fdr', v.property);
    } catch (e) {
      fail(`replay of ${v.property} path '${v.path}'`, e);
    }
    out.replays++;
    if (tr.violation?.property !== v.property) {
      throw new FuzzFailure(
        'replay',
        `the search reported ${v.property} (${v.kind}) on path '${v.path}', its replay shows ${tr.violation ? tr.violation.property : 'no violation'}`,
      );
    }
    out.traces += checkTrace(JSON.stringify(tr), salt + out.replays);
  }
}

/** Run one input through everything: every variant is compiled, `maxVariants` of them are checked with `plans`
 *  (by default the input's own plan; the corpus replay passes ALL_PLANS and every variant). */
export function runInput(inst: Instances, input: FuzzInput, plans: CheckPlan[] = input.checks, maxVariants = 1): Outcome {
  const out: Outcome = { parsed: false, compiled: 0, checks: 0, replays: 0, traces: 0 };
  let s;
  try {
    s = parseScenario(input.text, 'fuzz.fdr', { variants: checkVariantSpec });
  } catch (e) {
    if (userError(e)) return out;
    fail('parse', e);
  }
  out.parsed = true;
  try {
    JSON.stringify(s);
  } catch (e) {
    fail('JSON of the parsed scenario', e);
  }
  const compiled: Compiled[] = [];
  for (const label of s.variants) {
    try {
      const v = parseVariant(label);
      compiled.push(compileScenario(s, v.label, v.toggles, 'fuzz.fdr'));
      out.compiled++;
    } catch (e) {
      if (!userError(e)) fail(`compile on ${label}`, e);
    }
  }
  let salt = input.text.length;
  // Which variants get the bounded checks rotates with the input, so every variant of a base is checked.
  const first = compiled.length ? input.text.length % compiled.length : 0;
  const chosen = [...compiled.slice(first), ...compiled.slice(0, first)].slice(0, maxVariants);
  for (const c of chosen) {
    for (const p of plans) {
      let r: SearchResult;
      const limits = { maxStates: p.maxStates, maxDepth: p.maxDepth, maxMemoryBytes: p.maxMemoryMiB ? p.maxMemoryMiB * 2 ** 20 : 0 };
      try {
        r = search(inst.x, c, limits, optionsOf(p), 'fuzz.fdr', (res, xs) => withLockOrder(res, xs, c));
      } catch (e) {
        if (userError(e)) continue;
        fail(`check on ${c.variant} (${JSON.stringify(p)})`, e);
      }
      out.checks++;
      if (!['pass', 'violation', 'deadlock', 'incomplete'].includes(r.verdict)) throw new FuzzFailure('check', `verdict ${String(r.verdict)}`);
      if (r.verdict === 'pass' && r.incomplete) throw new FuzzFailure('check', `PASS although incomplete (${r.incomplete})`);
      replayAll(inst, c, r, out, salt++);
    }
  }
  return out;
}
