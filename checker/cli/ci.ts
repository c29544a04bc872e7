// fdrace ci [FILES|DIRS]: every scenario on every variant it names, compared with its `result` lines. One line per
// scenario x variant, a summary table (scenarios x variants, ✓/✗ against the stated result), optional JUnit XML and
// SARIF reports, and exit 0 only if everything matched (10: a mismatch, 2: a scenario error, 12: only runs stopped
// by a limit, 1: an internal error). One scenario's error never stops the run: it becomes an error row.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { scenarioPaths } from '../load.ts';
import { runCi, type CiRow } from '../report/ci-run.ts';
import { junitXml } from '../report/junit.ts';
import { sarifLog } from '../report/sarif.ts';
import { ciTable } from '../report/table.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';

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
      console.log(
        JSON.stringify({
          file: row.file,
          scenario: row.scenario,
          variant: row.variant,
          error: row.error,
          ...row.result,
          expected: row.cmp?.expected,
          matchesExpected: row.cmp?.matches ?? false,
        }),
      );
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
    console.log(
      `${mark} ${row.scenario.padEnd(34)} ${row.variant.padEnd(8)} ${detail.padEnd(44)} ${String(r.stats.states).padStart(9)} states ${r.stats.seconds.toFixed(2).padStart(7)} s`,
    );
  });
  process.off('SIGINT', onSigint);
  const seconds = (performance.now() - t0) / 1000;
  const code = interrupted && ciExitCode(rows) === EXIT.ok ? EXIT.incomplete : ciExitCode(rows);
  const bad = rows.filter((r) => r.error || !r.cmp?.matches);
  if (!opts.json) {
    if (!opts['no-table']) console.log(`\n${ciTable(rows)}`);
    console.log(`\n${rows.length - bad.length}/${rows.length} scenario x variant runs as expected (${paths.length} files, ${seconds.toFixed(1)} s)`);
    for (const b of bad)
      console.log(
        `  mismatch: ${b.error ?? `${b.scenario} [${b.variant}]: expected ${b.cmp?.expected}, got ${b.cmp?.actual} (${b.file}:${b.cmp?.line ?? 1})`}`,
      );
  }
  if (junit) writeReport(junit, junitXml(rows, seconds));
  if (sarif) writeReport(sarif, `${JSON.stringify(sarifLog(rows, code), null, 1)}\n`);
  return code;
}
