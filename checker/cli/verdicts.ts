// fdrace verdicts [DIRS] [--out docs/verdicts.md] [--check]: run every scenario x variant, write the designs x
// properties table and each counterexample's trace (beside the table, in traces/). With --check nothing is
// written: the files on disk are compared with a fresh run, and the first difference is named (exit 10).

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { scenarioPaths } from '../load.ts';
import { displayPath } from '../report/counterexamples.ts';
import { verdictsMarkdown, type VerdictsDoc } from '../report/verdicts-md.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { runCi } from '../report/ci-run.ts';
import { EXIT, UsageError } from './exit.ts';

export const VERDICTS_OPTIONS: Record<string, OptSpec> = {
  out: { kind: 'string', value: 'FILE', help: 'the markdown file (default docs/verdicts.md); traces go to traces/ beside it' },
  check: { kind: 'flag', help: 'write nothing: compare the files with a fresh run, exit 10 naming the first difference' },
  help: { kind: 'flag', help: 'show this help' },
};
export const VERDICTS_USAGE = 'usage: fdrace verdicts [FILES|DIRS...] [--out docs/verdicts.md] [--check]   (default: scenarios/)';

/** The first line where `want` and `got` differ (1-based), or 0 if they are equal. */
export function firstDifference(want: string, got: string): { line: number; want: string; got: string } | null {
  if (want === got) return null;
  const a = want.split('\n');
  const b = got.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return { line: i + 1, want: a[i] ?? '(end of file)', got: b[i] ?? '(end of file)' };
  }
  return { line: Math.max(a.length, b.length), want: '', got: '' };
}

function check(out: string, tracesDir: string, doc: VerdictsDoc): number {
  const files: [string, string][] = [[out, doc.markdown], ...[...doc.traces].map(([n, t]): [string, string] => [join(tracesDir, n), t])];
  for (const [file, fresh] of files) {
    if (!existsSync(file)) {
      console.error(`${displayPath(file)}: missing; a fresh run writes it (npm run verdicts)`);
      return EXIT.violation;
    }
    const d = firstDifference(fresh, readFileSync(file, 'utf8'));
    if (d) {
      console.error(`${displayPath(file)}:${d.line}: differs from a fresh run (npm run verdicts rewrites it)`);
      console.error(`  on disk: ${d.got}`);
      console.error(`  fresh:   ${d.want}`);
      return EXIT.violation;
    }
  }
  const stale = existsSync(tracesDir)
    ? readdirSync(tracesDir)
        .filter((n) => n.endsWith('.txt') && !doc.traces.has(n))
        .sort()
    : [];
  if (stale.length > 0) {
    console.error(`${displayPath(join(tracesDir, stale[0]!))}: not produced by a fresh run (npm run verdicts removes it)`);
    return EXIT.violation;
  }
  console.log(`${displayPath(out)} and ${doc.traces.size} traces in ${displayPath(tracesDir)} are up to date`);
  return EXIT.ok;
}

function write(out: string, tracesDir: string, doc: VerdictsDoc): void {
  mkdirSync(dirname(out), { recursive: true });
  mkdirSync(tracesDir, { recursive: true });
  writeFileSync(out, doc.markdown);
  for (const n of readdirSync(tracesDir)) if (n.endsWith('.txt') && !doc.traces.has(n)) rmSync(join(tracesDir, n));
  for (const [n, t] of doc.traces) writeFileSync(join(tracesDir, n), t);
}

export async function verdictsCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, VERDICTS_OPTIONS);
  if (opts.help) {
    console.log(helpText(VERDICTS_USAGE, VERDICTS_OPTIONS));
    return EXIT.ok;
  }
  const args = positional.length > 0 ? positional : ['scenarios'];
  const paths = scenarioPaths(args);
  if (paths.length === 0) throw new UsageError(`no scenario files in ${args.join(', ')}`);
  const out = (opts.out as string | undefined) ?? join('docs', 'verdicts.md');
  const tracesDir = join(dirname(out), 'traces');
  const rows = await runCi(paths, { traces: true });
  const errors = rows.filter((r) => r.error);
  if (errors.length > 0) {
    for (const r of errors) console.error(r.error);
    return EXIT.usage;
  }
  const shown = args.map((a) => (statSync(a).isDirectory() ? `${displayPath(a)}/` : displayPath(a)));
  const command = `fdrace verdicts ${shown.join(' ')}`;
  const doc = verdictsMarkdown(rows, { outDir: resolve(dirname(out)), tracesDir: resolve(tracesDir), command });
  if (opts.check) return check(out, tracesDir, doc);
  write(out, tracesDir, doc);
  const scenarios = new Set(rows.map((r) => r.file)).size;
  console.log(`wrote ${displayPath(out)} (${scenarios} scenarios, ${rows.length} runs) and ${doc.traces.size} traces in ${displayPath(tracesDir)}`);
  return EXIT.ok;
}
