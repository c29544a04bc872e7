// fdrace affected FILE... [--json] [--bisect [--from V --to V]]: each scenario on every release preset (v4.19 ..
// v6.18, current), one row per preset: verdict, shortest counterexample, states, properties violated. --bisect
// names the toggle(s) whose addition makes the violation go away. A report: exit 0 when every run completed, 12
// when a limit or Ctrl-C stopped one, 2 on usage or scenario errors.

import { readScenario } from '../load.ts';
import type { Limits } from '../search/options.ts';
import { nodeSession } from '../session-node.ts';
import { withSearchDefaults } from '../session.ts';
import { AFFECTED_PRESETS, resolveVariant } from '../variants.ts';
import { BisectError, addedToggles, bisect, bisectRange, fixedByLine, runOn, type AffectedRow, type BisectResult } from '../history/affected.ts';
import { CHECK_OPTIONS, searchOptions } from './check.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';

const SEARCH_KEYS = [
  'strategy',
  'storage',
  'por',
  'no-por',
  'symmetry',
  'no-symmetry',
  'hashes',
  'seed',
  'walks',
  'walk-depth',
  'max-preemptions',
  'max-states',
  'max-depth',
  'timeout',
  'max-memory',
  'workers',
] as const;

export const AFFECTED_OPTIONS: Record<string, OptSpec> = {
  json: { kind: 'flag', help: 'one JSON object per scenario x preset (and one per bisection)' },
  bisect: {
    kind: 'flag',
    help: 'between the newest preset with the violation and the next one, find the toggle(s) whose addition fixes it',
  },
  from: { kind: 'string', value: 'VARIANT', help: 'bisect from this variant (it has the violation), e.g. v6.2~ctl-del-nested-fix' },
  to: { kind: 'string', value: 'VARIANT', help: 'bisect to this variant (it adds toggles to --from and has no violation)' },
  ...Object.fromEntries(SEARCH_KEYS.map((k) => [k, CHECK_OPTIONS[k]!])),
  help: { kind: 'flag', help: 'show this help' },
};
export const AFFECTED_USAGE = 'usage: fdrace affected FILE.fdr... [--json] [--bisect [--from VARIANT --to VARIANT]] [search options]';

function table(rows: readonly AffectedRow[]): string[] {
  const head = ['preset', 'verdict', 'steps', 'states', 'violated'];
  const body = rows.map((r) => [
    r.preset,
    r.incomplete ? `incomplete (${r.incomplete})` : r.verdict,
    r.shortest === null ? '-' : String(r.shortest),
    String(r.states),
    (r.violated.length ? r.violated.join(', ') : '-') +
      (r.notRun && r.verdict === 'deadlock' ? ` (without ${r.notRun.join(', ')}: not in their \`when\`)` : ''),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 || i === 3 ? c.padStart(w[i]!) : i === cells.length - 1 ? c : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)];
}

function bisectLines(b: BisectResult): string[] {
  return [
    `bisect ${b.from} -> ${b.to}: ${b.added.length} toggle${b.added.length === 1 ? '' : 's'} added (${b.added.join(', ')}), ${b.runs.length} runs`,
    ...b.runs.map((r) => `  ${r.variant}: ${r.verdict}`),
    fixedByLine(b),
  ];
}

export async function affectedCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, AFFECTED_OPTIONS);
  if (opts.help) {
    console.log(helpText(AFFECTED_USAGE, AFFECTED_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length === 0) throw new UsageError(`no scenario file given\n${AFFECTED_USAGE}`);
  if ((opts.from === undefined) !== (opts.to === undefined)) throw new UsageError('--from and --to go together');
  if (opts.from !== undefined && !opts.bisect) throw new UsageError('--from and --to choose what --bisect compares: add --bisect');
  const asked = searchOptions(opts);
  const search = withSearchDefaults(asked.options);
  const workers = asked.workers;
  const from = opts.from !== undefined ? resolveVariant(opts.from as string) : undefined;
  const to = opts.to !== undefined ? resolveVariant(opts.to as string) : undefined;
  if (from && to) {
    try {
      addedToggles(from, to);
    } catch (e) {
      if (e instanceof BisectError) throw new UsageError(`--bisect --from ${from.label} --to ${to.label}: ${e.message}`);
      throw e;
    }
  }
  const presets = AFFECTED_PRESETS.map((p) => resolveVariant(p));
  const scenarios = positional.map((p) => ({ file: p, s: readScenario(p) }));
  const session = nodeSession();
  let interrupted = false;
  const onSigint = () => {
    // The first Ctrl-C ends the current search incomplete and starts no other; a second one leaves at once.
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  const limits: Limits = {
    maxStates: opts['max-states'] as number | undefined,
    maxDepth: opts['max-depth'] as number | undefined,
    timeoutSeconds: opts.timeout as number | undefined,
    maxMemoryBytes: opts['max-memory'] ? (opts['max-memory'] as number) * 1024 * 1024 : 0,
    interrupted: () => interrupted,
  };
  const run = { search, limits, workers };
  let incomplete = false;
  process.on('SIGINT', onSigint);
  try {
    for (const { file, s } of scenarios) {
      if (interrupted) break;
      const rows: AffectedRow[] = [];
      if (!opts.json) console.log(`${s.name} (${file})`);
      if (!from) {
        for (const v of presets) {
          if (interrupted) break;
          const row = await runOn(session, s, file, v, run);
          rows.push(row);
          if (row.incomplete) incomplete = true;
          if (opts.json) console.log(JSON.stringify(row));
        }
        if (!opts.json) for (const l of table(rows)) console.log(`  ${l}`);
      }
      if (!opts.bisect || interrupted) continue;
      const range = from && to ? { from: from.label, to: to.label } : bisectRange(rows);
      if ('none' in range) {
        if (opts.json) console.log(JSON.stringify({ file, scenario: s.name, bisect: null, reason: range.none }));
        else console.log(`  bisect: ${range.none}`);
        continue;
      }
      try {
        const b = await bisect(session, s, file, from ?? resolveVariant(range.from), to ?? resolveVariant(range.to), run, () => interrupted);
        if (opts.json) console.log(JSON.stringify({ file, scenario: s.name, bisect: b }));
        else for (const l of bisectLines(b)) console.log(`  ${l}`);
      } catch (e) {
        if (!(e instanceof BisectError)) throw e;
        if (e.usage) throw new UsageError(`${file}: --bisect: ${e.message}`);
        if (e.message === 'interrupted' || e.message.includes('incomplete')) incomplete = true;
        if (opts.json) console.log(JSON.stringify({ file, scenario: s.name, bisect: null, reason: e.message }));
        else console.log(`  bisect: ${e.message}`);
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (interrupted) {
    console.error('fdrace: interrupted: the report is incomplete');
    return EXIT.incomplete;
  }
  return incomplete ? EXIT.incomplete : EXIT.ok;
}
