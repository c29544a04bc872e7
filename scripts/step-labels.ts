// npm run labels: the step labels the checker prints (kernel function, source file, one line of what the step
// does) are written in the kernel model, next to the step they label, as
//
//   // @step NAME | function | file | text
//   //   more text (a continuation: three spaces after the slashes)
//   label(Step.NAME);
//
// This script collects them into checker/trace/step-labels.ts (valid TypeScript the CLI and the web app import);
// `npm run labels -- --check` and test/step-labels.test.ts fail when that file is stale. One source: the model.
// A `// @step NAME` with no `Step.NAME` in model/steps.ts gets one first: appended after the highest id outside the
// ranges a `// ... N..M` comment there reserves, with the next number free of both. Existing ids are never
// renumbered (saved traces hold them). `--check` reports such a step instead of appending it.

import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
export const STEP_LABELS_FILE = join(ROOT, 'checker', 'trace', 'step-labels.ts');
export const STEPS_FILE = join(ROOT, 'model', 'steps.ts');

const MEMBER = /^ {2}(\w+) = (\d+),$/;
const RESERVED = /^ {2}\/\/ .*?\b(\d+)\.\.(\d+)\b/;

/** The Step enum's members as model/steps.ts writes them (read from the text: the file may have just changed). */
export function stepIds(text = readFileSync(STEPS_FILE, 'utf8')): Map<string, number> {
  return new Map(
    text
      .split('\n')
      .map((l) => MEMBER.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, Number(m[2])] as const),
  );
}

/** model/steps.ts with a member appended for each name it lacks (in the order given), or the same text. */
export function withSteps(text: string, names: readonly string[]): string {
  const ids = stepIds(text);
  const missing = [...new Set(names)].filter((n) => !ids.has(n));
  if (missing.length === 0) return text;
  const lines = text.split('\n');
  const ranges = lines
    .map((l) => RESERVED.exec(l))
    .filter((m) => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])] as const);
  const reserved = (n: number) => ranges.some(([lo, hi]) => n >= lo && n <= hi);
  const used = new Set(ids.values());
  const open = [...ids.values()].filter((n) => !reserved(n));
  const last = Math.max(...open);
  const at = lines.findIndex((l) => MEMBER.exec(l)?.[2] === String(last));
  let next = last;
  const added = missing.map((name) => {
    do next++;
    while (used.has(next) || reserved(next));
    if (next > 0xffff) throw new Error(`model/steps.ts: no step id left for ${name}`);
    return `  ${name} = ${next},`;
  });
  return [...lines.slice(0, at + 1), ...added, ...lines.slice(at + 1)].join('\n');
}

export interface StepAnnotation {
  name: string;
  fn: string;
  file: string;
  text: string;
  /** Where it is written: path:line, for error messages. */
  at: string;
}

const HEAD = /^\s*\/\/ @step (\w+) \| ([^|]+?) \| ([^|]+?) \|(?: (.*))?$/;
const MORE = /^\s*\/\/ {3}(.*)$/;

/** The model's TypeScript sources (AssemblyScript), recursively. */
export function modelSources(dir = join(ROOT, 'model')): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return modelSources(p);
      return n.endsWith('.ts') ? [p] : [];
    });
}

/** Every `// @step` annotation in the model, in source order. */
export function readAnnotations(files = modelSources()): StepAnnotation[] {
  const out: StepAnnotation[] = [];
  for (const path of files) {
    const lines = readFileSync(path, 'utf8').split('\n');
    let open: StepAnnotation | undefined;
    lines.forEach((line, i) => {
      const h = HEAD.exec(line);
      if (h) {
        open = { name: h[1]!, fn: h[2]!, file: h[3]!, text: h[4] ?? '', at: `${relative(ROOT, path)}:${i + 1}` };
        out.push(open);
        return;
      }
      const m = open ? MORE.exec(line) : null;
      if (open && m) open.text = `${open.text} ${m[1]}`.trim();
      else open = undefined;
    });
  }
  return out;
}

/** Each step's annotation, or the reasons there is not exactly one per step. */
export function collect(annotations: StepAnnotation[], steps = stepIds()): { labels: StepAnnotation[]; errors: string[] } {
  const errors: string[] = [];
  const byName = new Map<string, StepAnnotation>();
  for (const a of annotations) {
    if (!steps.has(a.name) || a.name === 'None') errors.push(`${a.at}: @step ${a.name}: no such step in model/steps.ts (npm run labels appends it)`);
    else if (byName.has(a.name)) errors.push(`${a.at}: @step ${a.name}: already labelled at ${byName.get(a.name)!.at}`);
    else if (a.text === '') errors.push(`${a.at}: @step ${a.name}: no text`);
    else byName.set(a.name, a);
  }
  const names = [...steps]
    .filter(([n]) => n !== 'None')
    .sort((x, y) => x[1] - y[1])
    .map(([n]) => n);
  for (const n of names) if (!byName.has(n)) errors.push(`model/steps.ts: step ${n} has no // @step label next to it`);
  const labels = names.flatMap((n) => byName.get(n) ?? []);
  return { labels, errors };
}

/** A string literal as the formatter (Biome) writes it: single quotes unless that needs more escapes. */
function quote(s: string): string {
  if (s.includes("'") && !s.includes('"')) return `"${s.replace(/\\/g, '\\\\')}"`;
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const WIDTH = 160;

export function render(labels: StepAnnotation[]): string {
  const body = labels.map((l) => {
    const one = `  ${l.name}: { fn: ${quote(l.fn)}, file: ${quote(l.file)}, text: ${quote(l.text)} },`;
    if (one.length <= WIDTH) return one;
    return [`  ${l.name}: {`, `    fn: ${quote(l.fn)},`, `    file: ${quote(l.file)},`, `    text: ${quote(l.text)},`, '  },'].join('\n');
  });
  return [
    '// Generated by `npm run labels` (scripts/step-labels.ts) from the `// @step` lines next to each step in model/routines/.',
    '// Edit those and regenerate; test/step-labels.test.ts fails when this file is stale. Ordered by step id.',
    '',
    "import type { Step } from '../../model/steps.ts';",
    '',
    'export interface StepLabel {',
    '  fn: string;',
    '  file: string;',
    '  text: string;',
    '}',
    '',
    "export const STEP_LABELS: Record<Exclude<keyof typeof Step, 'None'>, StepLabel> = {",
    ...body,
    '};',
    '',
  ].join('\n');
}

/** The file checker/trace/step-labels.ts should contain, or the annotation errors. */
export function generate(steps = stepIds()): { text: string; errors: string[] } {
  const { labels, errors } = collect(readAnnotations(), steps);
  return { text: render(labels), errors };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const stepsText = readFileSync(STEPS_FILE, 'utf8');
  const withNew = withSteps(
    stepsText,
    readAnnotations().map((a) => a.name),
  );
  if (!check && withNew !== stepsText) {
    writeFileSync(STEPS_FILE, withNew);
    const added = [...stepIds(withNew)].filter(([n]) => !stepIds(stepsText).has(n));
    console.log(`${relative(ROOT, STEPS_FILE)}: appended ${added.map(([n, id]) => `${n} = ${id}`).join(', ')}`);
  }
  const { text, errors } = generate(stepIds(check ? stepsText : withNew));
  if (errors.length > 0) {
    for (const e of errors) console.error(e);
    process.exit(1);
  }
  const stale = readFileSync(STEP_LABELS_FILE, 'utf8') !== text;
  if (check) {
    if (stale) console.error(`${relative(ROOT, STEP_LABELS_FILE)} is stale: run npm run labels`);
    process.exit(stale ? 1 : 0);
  }
  if (stale) writeFileSync(STEP_LABELS_FILE, text);
  console.log(`${relative(ROOT, STEP_LABELS_FILE)}: ${text.split('\n').length} lines${stale ? ' (written)' : ' (unchanged)'}`);
}
