// docs/verdicts.md: the generated table of designs x properties. Columns are the variants (VARIANT_ORDER, then
// the rest); each scenario is a group of rows — its expectations and `check`ed properties, every built-in property
// that fails on one of its variants or that its result lines name, and the verdict against the scenario's `result` line. A failed
// property's cell links its counterexample trace (TRACE_DIR/SCENARIO.VARIANT.PROPERTY.txt). No timings, dates or
// state counts: the same scenarios and kernel give the same bytes, which `fdrace verdicts --check` relies on.

import { relative, sep } from 'node:path';
import type { CiRow } from './ci-run.ts';
import { BUILTIN_PROPERTIES } from '../scenario/constants.ts';
import { TOGGLES, changeLine, parseVariant, variantByName } from '../variants.ts';
import { NOT_RUN, groupByFile, orderVariants, type FileGroup } from './table.ts';

export interface VerdictsDoc {
  markdown: string;
  /** Trace files: name (inside the traces directory) -> text. */
  traces: Map<string, string>;
}

export interface VerdictsLayout {
  /** Directory of the markdown file (links are relative to it). */
  outDir: string;
  /** Directory the trace files go to. */
  tracesDir: string;
  /** The command that regenerates the file, as shown in its header. */
  command: string;
}

const posix = (p: string) => p.split(sep).join('/');
const safe = (s: string) => s.replace(/[^A-Za-z0-9._~-]/g, '_');
/** Text for a table cell: no line breaks, '|' escaped (GFM needs that inside code spans too). */
const cell = (s: string) => s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

export function traceFileName(scenario: string, variant: string, property: string): string {
  return `${safe(scenario)}.${safe(variant)}.${safe(property)}.txt`;
}

/** What a variant models: a preset's doc, or "PRESET without TOGGLE (the change)" for PRESET~TOGGLE. */
export function variantDoc(spec: string): string {
  let v;
  try {
    v = parseVariant(spec);
  } catch {
    return '(unknown variant)';
  }
  const preset = variantByName(v.preset)!;
  if (v.without.length === 0 && v.with.length === 0) return preset.doc;
  const part = (t: string) => `\`${t}\` (${changeLine(TOGGLES.find((x) => x.name === t)!)})`;
  const off = v.without.length ? ` without ${v.without.map(part).join(', ')}` : '';
  const on = v.with.length ? ` with ${v.with.map(part).join(', ')}` : '';
  return `\`${v.preset}\`${off}${on}.`;
}

const BLOCKING = new Set(['deadlock', 'lock-order']);

/** Rows of one scenario group: its expectations and `check`ed properties as written, then the built-ins that
 *  failed on some variant or that a result line names (in BUILTIN_PROPERTIES order), then any other. */
function propertyRows(g: FileGroup): string[] {
  const s = g.rows[0]?.s;
  const stated = [...new Set([...(s?.expectations.map((e) => e.label) ?? []), ...(s?.checks.map((c) => c.name) ?? [])])];
  const failed = new Set<string>();
  for (const r of g.rows) for (const v of r.result?.violations ?? []) failed.add(v.property);
  for (const res of s?.results ?? []) for (const p of res.properties) failed.add(p);
  const builtins = BUILTIN_PROPERTIES.filter((p) => failed.has(p) && !stated.includes(p));
  const others = [...failed].filter((p) => !stated.includes(p) && !(BUILTIN_PROPERTIES as readonly string[]).includes(p)).sort();
  return [...stated, ...builtins, ...others];
}

export function verdictsMarkdown(rows: CiRow[], layout: VerdictsLayout): VerdictsDoc {
  const groups = groupByFile(rows);
  const variants = orderVariants(groups.flatMap((g) => g.rows.map((r) => r.variant)));
  const traces = new Map<string, string>();
  const traceLink = posix(relative(layout.outDir, layout.tracesDir)) || '.';
  const table: string[] = [
    `| scenario | property | ${variants.map((v) => `\`${cell(v)}\``).join(' | ')} |`,
    `|---|---|${variants.map(() => '---').join('|')}|`,
  ];
  for (const g of groups) {
    const s = g.rows[0]?.s;
    const link = `[${cell(g.scenario)}](${encodeURI(posix(relative(layout.outDir, g.file)))})`;
    const title = s?.title ? `<br>${cell(s.title)}` : '';
    let first = true;
    const lead = () => {
      const t = first ? `${link}${title}` : '';
      first = false;
      return t;
    };
    for (const p of propertyRows(g)) {
      const e = s?.expectations.find((x) => x.label === p);
      const what = e ? `\`${cell(p)}\`: \`${cell(`${e.modality === 'at-end' ? 'at end' : e.modality} ${e.text}`)}\`` : `\`${cell(p)}\``;
      const cells = variants.map((v) => {
        const r = g.rows.find((x) => x.variant === v);
        if (!r?.result) return NOT_RUN;
        const found = (r.counterexamples ?? []).filter((c) => c.violation.property === p);
        if (found.length === 0) return r.result.verdict === 'incomplete' || r.result.incomplete ? 'incomplete' : 'pass';
        const name = traceFileName(g.scenario, v, p);
        if (traces.has(name)) throw new Error(`two scenarios named '${g.scenario}' would share the trace file ${name}`);
        traces.set(name, found.map((c) => c.text).join('\n'));
        return `[${BLOCKING.has(p) ? 'deadlock' : 'violation'}](${encodeURI(`${traceLink}/${name}`)})`;
      });
      table.push(`| ${lead()} | ${what} | ${cells.join(' | ')} |`);
    }
    const verdicts = variants.map((v) => {
      const r = g.rows.find((x) => x.variant === v);
      if (!r?.cmp) return NOT_RUN;
      return r.cmp.matches ? `**${cell(r.cmp.actual)}** ✓` : `**${cell(r.cmp.actual)}** ✗ (stated: ${cell(r.cmp.expected)})`;
    });
    table.push(`| ${lead()} | verdict | ${verdicts.join(' | ')} |`);
  }
  const md = [
    '# Verdicts: designs × properties',
    '',
    `<!-- Generated by \`${layout.command}\` (npm run verdicts). Do not edit by hand: CI checks it with --check. -->`,
    '',
    'Every scenario on every variant it names, explored exhaustively (all interleavings of the modelled',
    'kernel steps). Each scenario is a group of rows: its expectations and `check`ed properties, every built-in',
    'property that fails on one of its variants or that its `result` lines name, and the verdict compared with the',
    "scenario's `result` line (✓ as stated, ✗ not). A cell is **pass**, **violation** or **deadlock** — linked to",
    'the shortest counterexample, a trace that `fdrace replay` reproduces — or — when the scenario does not run',
    'that variant (**incomplete** if a limit stopped the search).',
    '',
    '## Variants',
    '',
    '| variant | what it models |',
    '|---|---|',
    ...variants.map((v) => `| \`${cell(v)}\` | ${cell(variantDoc(v))} |`),
    '',
    '## Scenarios × properties',
    '',
    ...table,
    '',
  ].join('\n');
  return { markdown: md, traces };
}
