// The summary table of `fdrace ci` (like the summary of herd7's checkalllitmus.sh): one row per scenario file,
// one column per variant, each cell the outcome marked ✓ when it is the one the scenario's `result` line states
// and ✗ when it is not; — where the scenario does not run that variant.

import type { CiRow } from './ci-run.ts';

/** Designs in the order readers compare them; any other variant follows, sorted by code unit. */
export const VARIANT_ORDER: readonly string[] = ['v6.2', 'current', 'current-pre-6.16', 'rfc-v4', 'rfc-v7', 'userspace', 'userspace-frozen'];

export function orderVariants(names: Iterable<string>): string[] {
  const all = new Set(names);
  const known = VARIANT_ORDER.filter((v) => all.has(v));
  const rest = [...all].filter((v) => !VARIANT_ORDER.includes(v)).sort();
  return [...known, ...rest];
}

export const NOT_RUN = '—';

export interface FileGroup {
  file: string;
  scenario: string;
  rows: CiRow[];
  error?: string;
}

/** Rows grouped by scenario file, in the order the files were run. */
export function groupByFile(rows: CiRow[]): FileGroup[] {
  const groups = new Map<string, FileGroup>();
  for (const r of rows) {
    let g = groups.get(r.file);
    if (!g) {
      g = { file: r.file, scenario: r.scenario, rows: [] };
      groups.set(r.file, g);
    }
    // A file that could not be read or parsed has one row (variant '-'); a variant that failed to compile is a row.
    if (r.error && !r.s) g.error = r.error;
    else g.rows.push(r);
  }
  return [...groups.values()];
}

/** A cell's lines: the mark and verdict, then each failed property. Where the outcome differs from the result
 *  line: '+ P' failed but is not stated, '- P' is stated but did not fail, or the stated verdict. */
export function cellLines(r: CiRow): string[] {
  if (!r.cmp || !r.result) return ['✗ error'];
  const res = r.result;
  const got = res.verdict === 'pass' || res.verdict === 'incomplete' ? [] : [...new Set(res.violations.map((v) => v.property))].sort();
  const exp = r.s?.results.find((x) => x.variant === r.variant);
  const lines = [`${r.cmp.matches ? '✓' : '✗'} ${res.verdict}`];
  if (r.cmp.matches || !exp || exp.verdict !== res.verdict || exp.properties.length === 0) {
    lines.push(...got.map((p) => `  ${p}`));
    if (!r.cmp.matches) lines.push(`  stated: ${exp?.verdict ?? 'none'}`);
  } else {
    const want = new Set(exp.properties);
    lines.push(...got.map((p) => `${want.has(p) ? ' ' : '+'} ${p}`));
    lines.push(
      ...[...want]
        .filter((p) => !got.includes(p))
        .sort()
        .map((p) => `- ${p}`),
    );
  }
  if (res.incomplete && res.verdict !== 'incomplete') lines.push('  (incomplete)');
  return lines;
}

export function ciTable(rows: CiRow[]): string {
  const groups = groupByFile(rows);
  const variants = orderVariants(groups.flatMap((g) => g.rows.map((r) => r.variant)));
  const head = ['scenario', ...variants];
  const body = groups.map((g): string[][] => {
    if (g.error) return [[g.scenario, '(error: not run)'], ...variants.map(() => ['✗ error'])];
    return [
      [g.scenario],
      ...variants.map((v) => {
        const r = g.rows.find((x) => x.variant === v);
        return r ? cellLines(r) : [NOT_RUN];
      }),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.flatMap((b) => b[i]!.map((l) => l.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w)))];
  for (const cells of body) {
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(line(cells.map((c) => c[k] ?? '')));
  }
  const ok = rows.filter((r) => r.cmp?.matches).length;
  out.push(
    '',
    `✓ outcome as the scenario's result line states, ✗ it differs (+ failed but not stated, - stated but did not fail), ` +
      `${NOT_RUN} variant not run by the scenario; ${ok}/${rows.length} as stated`,
  );
  return out.join('\n');
}
