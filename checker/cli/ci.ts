// fdrace ci [FILES|DIRS]: every scenario on every variant it names, compared with its `result` lines. One line per
// scenario x variant, a summary table (scenarios x variants, ✓/✗ against the stated result), optional JUnit XML and
// SARIF reports, and exit 0 only if everything matched (10: a mismatch, 2: a scenario error, 12: only runs stopped
// by a limit, 1: an internal error). One scenario's error never stops the run: it becomes an error row.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { compileScenario } from '../compile/config.ts';
import { compare, type Comparison } from '../expected.ts';
import { loadKernel } from '../kernel/load-node.ts';
import { readScenario, scenarioPaths } from '../load.ts';
import { searchAsync } from '../search/run.ts';
import { withLockOrder } from '../lockdep.ts';
import type { SearchResult } from '../search/result.ts';
import { ScenarioError, type Loc, type Scenario } from '../scenario/types.ts';
import { parseVariant } from '../variants.ts';
import { counterexamples, type Counterexample } from '../report/counterexamples.ts';
import { junitXml } from '../report/junit.ts';
import { sarifLog } from '../report/sarif.ts';
import { ciTable } from '../report/table.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';
import { internalLine, isUserError, shellArg } from './internal.ts';

export const CI_OPTIONS: Record<string, OptSpec> = {
  'max-states': { kind: 'int', value: 'N', min: 1, max: 2 ** 31, help: 'per-run state limit (a run that hits it is incomplete)' },
  timeout: { kind: 'number', value: 'S', min: 0.001, max: 1e7, help: 'per-run time limit in seconds' },
  json: { kind: 'flag', help: 'one JSON object per scenario x variant' },
  junit: { kind: 'string', value: 'FILE', help: 'write a JUnit XML report (a testsuite per scenario file, a testcase per variant)' },
  sarif: { kind: 'string', value: 'FILE', help: 'write a SARIF 2.1.0 report (mismatches as errors at the result line, violations with traces)' },
  'no-table': { kind: 'flag', help: 'do not print the summary table' },
  help: { kind: 'flag', help: 'show this help' },
};
export const CI_USAGE = 'usage: fdrace ci [FILES|DIRS...] [options]   (default: scenarios/)';

export interface CiRow {
  file: string;
  scenario: string;
  variant: string;
  /** The parsed scenario (absent when it could not be read). */
  s?: Scenario;
  result?: SearchResult;
  cmp?: Comparison;
  error?: string;
  errorLoc?: Loc;
  /** The error is fdrace's own (a bug), not the scenario's: exit 1, reported as an internal error. */
  internal?: boolean;
  /** Each violation replayed (only when runCi is asked for traces). */
  counterexamples?: Counterexample[];
}

export interface CiOptions {
  maxStates?: number;
  timeout?: number;
  /** Replay every violation into a trace (reports need them; the plain listing does not). */
  traces?: boolean;
  /** Checked between batches (Ctrl-C): the current run ends incomplete and no further run starts. */
  interrupted?: () => boolean;
}

export async function runCi(paths: string[], opts: CiOptions, each?: (row: CiRow) => void): Promise<CiRow[]> {
  const x = await loadKernel();
  // Replays get their own instance, so that the search's lock graph and store are never disturbed by them.
  const xr = opts.traces ? await loadKernel() : undefined;
  const rows: CiRow[] = [];
  const push = (row: CiRow) => {
    rows.push(row);
    each?.(row);
  };
  for (const file of paths) {
    if (opts.interrupted?.()) break;
    let s: Scenario;
    try {
      s = readScenario(file);
    } catch (e) {
      push(errorRow(e, { file, scenario: file, variant: '-' }));
      continue;
    }
    for (const variant of s.variants) {
      if (opts.interrupted?.()) break;
      let row: CiRow;
      try {
        const v = parseVariant(variant);
        const c = compileScenario(s, v.label, v.toggles, file);
        const limits = { maxStates: opts.maxStates, timeoutSeconds: opts.timeout, interrupted: opts.interrupted };
        const result = await searchAsync(x, c, limits, { strategy: 'bfs', por: false, symmetry: false }, 1, file, (r, xs) => withLockOrder(r, xs, c));
        row = { file, scenario: s.name, variant, s, result, cmp: compare(s, result, variant) };
        if (xr) row.counterexamples = counterexamples(xr, c, result, file);
      } catch (e) {
        row = errorRow(e, { file, scenario: s.name, variant, s });
      }
      push(row);
    }
  }
  return rows;
}

/** A run that failed: a scenario error (located), or an internal error (one line naming what reproduces it). */
function errorRow(e: unknown, row: CiRow): CiRow {
  if (e instanceof ScenarioError) return { ...row, error: e.format(), errorLoc: e.loc };
  if (isUserError(e)) return { ...row, error: `${row.file}: ${(e as Error).message}` };
  const variant = row.variant === '-' ? undefined : row.variant;
  const command = ['fdrace', 'check', row.file, ...(variant ? ['--variant', variant] : [])].map(shellArg).join(' ');
  return { ...row, internal: true, error: internalLine(e, { file: row.file, variant, command }).replace(/^fdrace: /, '') };
}

/** Exit code of a ci run: internal errors 1; scenario errors 2; an outcome that differs from the stated one 10; runs stopped by a
 *  limit (and nothing worse) 12; else 0. */
export function ciExitCode(rows: CiRow[]): number {
  if (rows.some((r) => r.internal)) return EXIT.internal;
  if (rows.some((r) => r.error)) return EXIT.usage;
  const bad = rows.filter((r) => !r.cmp?.matches);
  if (bad.some((r) => !r.result?.incomplete && r.result?.verdict !== 'incomplete')) return EXIT.violation;
  return bad.length > 0 ? EXIT.incomplete : EXIT.ok;
}

function writeReport(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`${file}: cannot write the report (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export async function ciCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, CI_OPTIONS);
  if (opts.help) {
    console.log(helpText(CI_USAGE, CI_OPTIONS));
    return EXIT.ok;
  }
  const paths = scenarioPaths(positional.length > 0 ? positional : ['scenarios']);
  const junit = opts.junit as string | undefined;
  const sarif = opts.sarif as string | undefined;
  const t0 = performance.now();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  const runOpts = {
    maxStates: opts['max-states'] as number | undefined,
    timeout: opts.timeout as number | undefined,
    traces: Boolean(junit || sarif),
    interrupted: () => interrupted,
  };
  process.on('SIGINT', onSigint);
  const rows = await runCi(paths, runOpts, (row) => {
    if (opts.json) {
      console.log(JSON.stringify({ file: row.file, scenario: row.scenario, variant: row.variant, error: row.error, ...row.result, expected: row.cmp?.expected, matchesExpected: row.cmp?.matches ?? false }));
      return;
    }
    if (row.error) {
      if (row.internal) console.error(`fdrace: ${row.error}`);
      console.log(`ERROR ${row.error}`);
      return;
    }
    const r = row.result!;
    const cmp = row.cmp!;
    const mark = cmp.matches ? 'ok  ' : 'FAIL';
    const detail = cmp.matches ? cmp.actual : `expected ${cmp.expected}, got ${cmp.actual} (${row.file}:${cmp.line ?? 1})`;
    console.log(`${mark} ${row.scenario.padEnd(34)} ${row.variant.padEnd(8)} ${detail.padEnd(44)} ${String(r.stats.states).padStart(9)} states ${r.stats.seconds.toFixed(2).padStart(7)} s`);
  });
  process.off('SIGINT', onSigint);
  const seconds = (performance.now() - t0) / 1000;
  const code = interrupted && ciExitCode(rows) === EXIT.ok ? EXIT.incomplete : ciExitCode(rows);
  const bad = rows.filter((r) => r.error || !r.cmp?.matches);
  if (!opts.json) {
    if (!opts['no-table']) console.log(`\n${ciTable(rows)}`);
    console.log(`\n${rows.length - bad.length}/${rows.length} scenario x variant runs as expected (${paths.length} files, ${seconds.toFixed(1)} s)`);
    for (const b of bad) console.log(`  mismatch: ${b.error ?? `${b.scenario} [${b.variant}]: expected ${b.cmp?.expected}, got ${b.cmp?.actual} (${b.file}:${b.cmp?.line ?? 1})`}`);
  }
  if (junit) writeReport(junit, junitXml(rows, seconds));
  if (sarif) writeReport(sarif, `${JSON.stringify(sarifLog(rows, code), null, 1)}\n`);
  return code;
}
