// fdrace ci [FILES|DIRS]: every scenario on every variant it names, compared with its `result` lines. One line per
// scenario x variant, a summary, and exit 0 only if everything matched.

import { compileScenario } from '../compile/config.ts';
import { compare, type Comparison } from '../expected.ts';
import { loadKernel } from '../kernel/load-node.ts';
import { readScenario, scenarioPaths } from '../load.ts';
import { bfs } from '../search/bfs.ts';
import { withLockOrder } from '../lockdep.ts';
import type { SearchResult } from '../search/result.ts';
import { ScenarioError } from '../scenario/types.ts';
import { resolveVariant } from '../variants.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT } from './exit.ts';

export const CI_OPTIONS: Record<string, OptSpec> = {
  'max-states': { kind: 'int', value: 'N', min: 1, max: 2 ** 31, help: 'per-run state limit (a run that hits it is incomplete)' },
  timeout: { kind: 'number', value: 'S', min: 0.001, max: 1e7, help: 'per-run time limit in seconds' },
  json: { kind: 'flag', help: 'one JSON object per scenario x variant' },
  help: { kind: 'flag', help: 'show this help' },
};
export const CI_USAGE = 'usage: fdrace ci [FILES|DIRS...] [options]   (default: scenarios/)';

export interface CiRow {
  file: string;
  scenario: string;
  variant: string;
  result?: SearchResult;
  cmp?: Comparison;
  error?: string;
}

export async function runCi(paths: string[], opts: { maxStates?: number; timeout?: number }, each?: (row: CiRow) => void): Promise<CiRow[]> {
  const x = await loadKernel();
  const rows: CiRow[] = [];
  for (const file of paths) {
    let s;
    try {
      s = readScenario(file);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      const row = { file, scenario: file, variant: '-', error: e.format() };
      rows.push(row);
      each?.(row);
      continue;
    }
    for (const variant of s.variants) {
      const v = resolveVariant(variant);
      const c = compileScenario(s, variant, v.toggles, file);
      const result = withLockOrder(bfs(x, c, { maxStates: opts.maxStates, timeoutSeconds: opts.timeout }, file), x, c);
      const row = { file, scenario: s.name, variant, result, cmp: compare(s, result, variant) };
      rows.push(row);
      each?.(row);
    }
  }
  return rows;
}

export async function ciCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, CI_OPTIONS);
  if (opts.help) {
    console.log(helpText(CI_USAGE, CI_OPTIONS));
    return EXIT.ok;
  }
  const paths = scenarioPaths(positional.length > 0 ? positional : ['scenarios']);
  const t0 = performance.now();
  const rows = await runCi(paths, { maxStates: opts['max-states'] as number | undefined, timeout: opts.timeout as number | undefined }, (row) => {
    if (opts.json) {
      console.log(JSON.stringify({ file: row.file, scenario: row.scenario, variant: row.variant, error: row.error, ...row.result, expected: row.cmp?.expected, matchesExpected: row.cmp?.matches ?? false }));
      return;
    }
    if (row.error) {
      console.log(`ERROR ${row.error}`);
      return;
    }
    const r = row.result!;
    const cmp = row.cmp!;
    const mark = cmp.matches ? 'ok  ' : 'FAIL';
    const detail = cmp.matches ? cmp.actual : `expected ${cmp.expected}, got ${cmp.actual} (${row.file}:${cmp.line ?? 1})`;
    console.log(`${mark} ${row.scenario.padEnd(34)} ${row.variant.padEnd(8)} ${detail.padEnd(44)} ${String(r.stats.states).padStart(9)} states ${r.stats.seconds.toFixed(2).padStart(7)} s`);
  });
  const bad = rows.filter((r) => r.error || !r.cmp?.matches);
  if (!opts.json) {
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`\n${rows.length - bad.length}/${rows.length} scenario x variant runs as expected (${paths.length} files, ${secs} s)`);
    for (const b of bad) console.log(`  mismatch: ${b.error ?? `${b.scenario} [${b.variant}]: expected ${b.cmp?.expected}, got ${b.cmp?.actual}`}`);
  }
  if (rows.some((r) => r.error)) return EXIT.usage;
  if (bad.some((r) => r.result?.verdict === 'incomplete')) return EXIT.incomplete;
  return bad.length > 0 ? EXIT.violation : EXIT.ok;
}
