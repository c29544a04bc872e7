// fdrace history [--write | --check] [--out docs/history.md]: the kernel-history table (checker/report/history-md.ts).
// Each fix's history scenario runs without and with its toggle through the Session. Without a flag the markdown
// goes to stdout; --write writes it; --check compares it with the file and names the first difference (exit 10).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readScenario } from '../load.ts';
import { fixPair } from '../history/pairs.ts';
import { isBad, runOn } from '../history/affected.ts';
import { historyMarkdown, type HistoryFix, type VerdictCell } from '../report/history-md.ts';
import { displayPath } from '../report/counterexamples.ts';
import { nodeSession } from '../session-node.ts';
import { AFFECTED_PRESETS, TOGGLES, resolveVariant } from '../variants.ts';
import { toggleTableErrors } from '../history/toggle-info.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';
import { firstDifference } from './verdicts.ts';

export const HISTORY_OPTIONS: Record<string, OptSpec> = {
  out: { kind: 'string', value: 'FILE', help: 'the markdown file (default docs/history.md)' },
  write: { kind: 'flag', help: 'write the file' },
  check: { kind: 'flag', help: 'write nothing: compare the file with a fresh run, exit 10 naming the first difference' },
  help: { kind: 'flag', help: 'show this help' },
};
export const HISTORY_USAGE = 'usage: fdrace history [--write | --check] [--out docs/history.md]';

/** Every fix and change toggle with its scenario's verdicts without and with it. The toggle tables are checked
 *  against their contract first (checker/history/toggle-info.ts): a table that breaks it is named, not rendered. */
export async function historyFixes(): Promise<HistoryFix[]> {
  const errors = toggleTableErrors(TOGGLES);
  if (errors.length > 0) throw new UsageError(`the toggle tables break their contract:\n  ${errors.join('\n  ')}`);
  const session = nodeSession();
  const fixes: HistoryFix[] = [];
  for (const t of TOGGLES) {
    if (t.kind === 'design') continue;
    if (!t.scenario) {
      fixes.push({ toggle: t, note: t.kind === 'change' ? 'a restructuring: no bug of its own' : 'no history scenario' });
      continue;
    }
    if (!existsSync(t.scenario)) throw new UsageError(`toggle '${t.name}': its scenario ${t.scenario} does not exist`);
    const s = readScenario(t.scenario);
    const pair = fixPair(s, t);
    if (!pair) {
      fixes.push({ toggle: t, note: `${t.scenario}: no variant without and with ${t.name}` });
      continue;
    }
    const run = async (label: string): Promise<VerdictCell> => {
      const r = await runOn(session, s, t.scenario!, resolveVariant(label), {});
      return { variant: r.preset, verdict: r.verdict, violated: r.violated };
    };
    const affected: NonNullable<HistoryFix['affected']> = [];
    for (const p of AFFECTED_PRESETS) {
      const v = resolveVariant(p);
      const r = await runOn(session, s, t.scenario!, v, {});
      if (isBad(r)) affected.push({ preset: p, carries: (v.toggles & t.bit) !== 0, violated: r.violated });
    }
    fixes.push({ toggle: t, without: await run(pair.without), with: await run(pair.with), affected });
  }
  return fixes;
}

export async function historyCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, HISTORY_OPTIONS);
  if (opts.help) {
    console.log(helpText(HISTORY_USAGE, HISTORY_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length > 0) throw new UsageError(`history takes no arguments, got '${positional[0]!.slice(0, 40)}'`);
  if (opts.write && opts.check) throw new UsageError('--write and --check contradict each other');
  const out = (opts.out as string | undefined) ?? join('docs', 'history.md');
  const markdown = historyMarkdown(await historyFixes(), 'fdrace history --write');
  if (opts.check) {
    if (!existsSync(out)) {
      console.error(`${displayPath(out)}: missing; a fresh run writes it (npm run history)`);
      return EXIT.violation;
    }
    const d = firstDifference(markdown, readFileSync(out, 'utf8'));
    if (d) {
      console.error(`${displayPath(out)}:${d.line}: differs from a fresh run (npm run history rewrites it)`);
      console.error(`  on disk: ${d.got}`);
      console.error(`  fresh:   ${d.want}`);
      return EXIT.violation;
    }
    console.log(`${displayPath(out)} is up to date`);
    return EXIT.ok;
  }
  if (opts.write) {
    try {
      writeFileSync(out, markdown);
    } catch (e) {
      throw new UsageError(`${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    console.log(`wrote ${displayPath(out)}`);
    return EXIT.ok;
  }
  process.stdout.write(markdown);
  return EXIT.ok;
}
