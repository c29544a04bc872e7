// SARIF 2.1.0 for `fdrace ci --sarif FILE`: one run of the tool `fdrace`. Rules are the built-in properties, each
// scenario's expectation labels (`SCENARIO/LABEL`), and two of the checker's own: result-mismatch (an outcome
// differs from the scenario's `result` line, level error, located at that line) and scenario-error. Every
// violation found is a result too — level note when the scenario's result line expects it, warning when not —
// located at the expectation (or `check` / `result` line), with the counterexample path in its properties and the
// replayed interleaving as a codeFlow: one threadFlow per scenario thread, executionOrder = step number.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CiRow } from './ci-run.ts';
import type { Loc, Scenario } from '../scenario/types.ts';
import { BUILTIN_PROPERTIES } from '../scenario/constants.ts';
import type { Violation } from '../search/result.ts';
import type { Trace } from '../trace/types.ts';
import { displayPath, replayCommandLine } from './counterexamples.ts';

type Json = Record<string, unknown>;

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** What each built-in property means (docs/scenario-language.md, "Built-in properties"). */
export const BUILTIN_DESCRIPTIONS: Record<string, string> = {
  refcount: "each file's count equals the fd slots, thread-held references and pending work that hold it; no put below zero (E2/E3)",
  'no-uaf':
    'no step touches a freed struct file, eventpoll, epitem or fdtable (KASAN: read, write, lock, unlock, double-free, invalid-free), and no fd slot, epitem or held reference points to a freed file (E1/E8)',
  watchers: "a file's watcher list matches the epitems; no duplicate keys; no epoll cycle (E6/E9)",
  locks: 'lock owners consistent, no self-acquire, no sleep under a spinlock, nothing held at return to user space (E14)',
  deadlock: 'no thread can move and some are unfinished',
  'lock-order': 'a cycle in the lock-order graph that no gate lock serialises (lockdep: possible circular locking dependency)',
  'stale-registration': 'an epitem (F, n) such that no process sharing the epoll has fd n referring to F, at the end state (E19)',
  livelock: 'a retry loop went round three times without progress (E15)',
  'check-list': 'tfile_check_list left non-empty (or changed) without the global epoll mutex (E10)',
  'fd-local-replace': 'a replacement changes only the requested fd (E16)',
  'registration-follows-fd': 'each registration of a replaced fd follows it to the new file (E17)',
  'no-cross-process': "a replacement does not re-key other processes' epitems, and they end as they started (E20)",
  'no-stale-io-uring': 'no io_uring fixed slot diverges from its fd (E21)',
  'free-while-locked': 'an object freed while a lock embedded in it is held (lockdep: held lock freed!)',
  'model-capacity': "the model's epitem capacity was exceeded (a limit of the model, not a kernel bug)",
};

const MISMATCH = 'result-mismatch';
const SCENARIO_ERROR = 'scenario-error';
const INTERNAL_ERROR = 'internal-error';

function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

function artifact(file: string): Json {
  const rel = displayPath(file);
  if (rel.startsWith('../') || rel.startsWith('/')) return { uri: pathToFileURL(file).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
}

function location(file: string, loc: Loc | { line: number; col?: number }, message?: string): Json {
  const region: Json = { startLine: Math.max(1, loc.line) };
  if (loc.col) region.startColumn = Math.max(1, loc.col);
  return { physicalLocation: { artifactLocation: artifact(file), region }, ...(message ? { message: { text: message } } : {}) };
}

function isBuiltin(s: Scenario | undefined, property: string): boolean {
  return !s?.expectations.some((e) => e.label === property);
}

function ruleIdFor(s: Scenario | undefined, scenario: string, property: string): string {
  return isBuiltin(s, property) ? property : `${scenario}/${property}`;
}

/** Where a violated property is stated: its `expect` line, its `check` line, else the variant's `result` line. */
function propertyLoc(s: Scenario | undefined, property: string, variant: string): Loc {
  const e = s?.expectations.find((x) => x.label === property);
  if (e) return e.loc;
  const c = s?.checks.find((x) => x.name === property);
  if (c) return c.loc;
  return s?.results.find((x) => x.variant === variant)?.loc ?? { line: 1, col: 1 };
}

function codeFlow(tr: Trace, file: string, s: Scenario | undefined): Json[] {
  if (tr.steps.length === 0) return [];
  let prev = tr.initial;
  const perThread = new Map<string, Json[]>(tr.threads.map((t) => [t.name, []]));
  for (const st of tr.steps) {
    // Threads by name: a variant may run only some of the scenario's threads.
    const before = prev.threads.find((t) => t.name === st.thread);
    const decl = s?.threads.find((t) => t.name === st.thread);
    const op = decl?.ops[before?.opIndex ?? -1];
    const loc = op?.loc ?? decl?.loc ?? { line: 1, col: 1 };
    const what = st.changes.length > 0 ? st.changes.join('; ') : st.text;
    perThread.get(st.thread)?.push({
      executionOrder: st.step,
      location: {
        ...location(file, loc, `${st.step}: ${st.thread} ${st.function} (${st.source}): ${what}${st.fault ? ' [fault injected]' : ''}`),
        logicalLocations: [{ name: st.function, fullyQualifiedName: `${st.source}:${st.function}`, kind: 'function' }],
      },
      properties: { op: st.op, function: st.function, source: st.source },
    });
    prev = st.state;
  }
  const threadFlows = tr.threads
    .map((t) => ({ id: t.name, message: { text: `${t.name} in ${t.process}: ${t.ops.join('; ')}` }, locations: perThread.get(t.name) ?? [] }))
    .filter((tf) => tf.locations.length > 0);
  if (threadFlows.length === 0) return [];
  const end = tr.violation ? `; ${tr.violation.property} fails after step ${tr.violation.step}` : '';
  return [{ message: { text: `${tr.scenario} on ${tr.variant}, path ${tr.path}${end}` }, threadFlows }];
}

function expectedToFail(row: CiRow, v: Violation): boolean {
  const exp = row.s?.results.find((x) => x.variant === row.variant);
  if (!exp || exp.verdict === 'pass') return false;
  return exp.properties.length === 0 || exp.properties.includes(v.property);
}

export function sarifLog(rows: CiRow[], exitCode: number): Json {
  const rules = new Map<string, Json>();
  const addRule = (id: string, name: string, text: string, level: string) => {
    if (!rules.has(id)) rules.set(id, { id, name, shortDescription: { text }, defaultConfiguration: { level } });
  };
  addRule(MISMATCH, 'ResultMismatch', "an outcome differs from the one the scenario's `result` line states", 'error');
  addRule(SCENARIO_ERROR, 'ScenarioError', 'the scenario file could not be read, parsed or compiled', 'error');
  addRule(INTERNAL_ERROR, 'InternalError', 'fdrace failed on this scenario (a bug in fdrace: please report it)', 'error');
  for (const p of [...BUILTIN_PROPERTIES, 'model-capacity']) addRule(p, p, BUILTIN_DESCRIPTIONS[p] ?? p, 'warning');
  const seen = new Set<string>();
  for (const r of rows) {
    if (!r.s || seen.has(r.file)) continue;
    seen.add(r.file);
    for (const e of r.s.expectations) {
      addRule(`${r.s.name}/${e.label}`, e.label, `${r.s.name}: ${e.modality === 'at-end' ? 'at end' : e.modality} ${e.text}`, 'warning');
    }
  }
  const results: Json[] = [];
  const ruleIds = () => [...rules.keys()];
  const result = (ruleId: string, level: string, text: string, loc: Json, properties: Json, extra: Json = {}): void => {
    if (!rules.has(ruleId)) addRule(ruleId, ruleId, ruleId, 'warning');
    results.push({ ruleId, ruleIndex: ruleIds().indexOf(ruleId), level, message: { text }, locations: [loc], ...extra, properties });
  };
  for (const r of rows) {
    if (r.error) {
      result(r.internal ? INTERNAL_ERROR : SCENARIO_ERROR, 'error', r.error, location(r.file, r.errorLoc ?? { line: 1, col: 1 }), { scenario: r.scenario });
      continue;
    }
    const res = r.result!;
    const cmp = r.cmp!;
    const paths = Object.fromEntries(res.violations.map((v) => [v.property, v.path]));
    if (!cmp.matches) {
      const resultLoc = r.s?.results.find((x) => x.variant === r.variant)?.loc;
      const loc = resultLoc ?? { line: cmp.line ?? 1, col: 1 };
      const why = res.incomplete ? ` (the search stopped early: ${res.incomplete})` : '';
      result(MISMATCH, 'error', `${r.scenario} [${r.variant}]: expected ${cmp.expected}, got ${cmp.actual}${why}`, location(r.file, loc), {
        scenario: r.scenario,
        variant: r.variant,
        expected: cmp.expected,
        actual: cmp.actual,
        verdict: res.verdict,
        counterexamplePaths: paths,
      });
    }
    for (const cx of r.counterexamples ?? res.violations.map((v) => ({ violation: v, trace: null, text: '' }))) {
      const v = cx.violation;
      const expected = expectedToFail(r, v);
      const props: Json = { scenario: r.scenario, variant: r.variant, property: v.property, kind: v.kind, expected, path: v.path, steps: v.steps };
      if (v.path) props.replay = replayCommandLine(r.file, r.variant, v.path);
      if (v.splat) props.splat = v.splat;
      const flows = cx.trace ? codeFlow(cx.trace, r.file, r.s) : [];
      const text = `${r.scenario} [${r.variant}]: ${v.property} violated: ${v.message}${v.path ? ` (path ${v.path}, ${v.steps} steps)` : ''}`;
      result(
        ruleIdFor(r.s, r.scenario, v.property),
        expected ? 'note' : 'warning',
        text,
        location(r.file, propertyLoc(r.s, v.property, r.variant)),
        props,
        flows.length > 0 ? { codeFlows: flows } : {},
      );
    }
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'fdrace', version: toolVersion(), rules: [...rules.values()] } },
        invocations: [{ executionSuccessful: exitCode !== 1 && exitCode !== 2, exitCode }],
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(`${process.cwd()}/`).href } },
        results,
      },
    ],
  };
}
