// Fixtures for the browser tests, all produced by the real CLI at run time: counterexamples (`fdrace check
// --trace-out`), outcomes (`fdrace ci --json`) and replays (`fdrace replay --json`). The kernel model and the
// scenarios evolve, so the cases compare the page with what the CLI says now instead of hard-coding step numbers.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Trace } from '../../checker/trace/types.ts';
import { cli } from './harness.ts';

export const TMP = mkdtempSync(join(tmpdir(), 'fdrace-web-'));

/** Trace files, filled by makeFixtures() before any case runs. */
export const FIX = { f01: '', f07: '', f16: '', abba: '', f08refcount: '', f08uaf: '', f04cycle: '' };

export function readTrace(file: string): Trace {
  return JSON.parse(readFileSync(file, 'utf8')) as Trace;
}

let runs = 0;

/** Every counterexample `fdrace check` writes for one scenario x variant. */
export function tracesOf(scenario: string, variant: string): string[] {
  const dir = join(TMP, `traces-${++runs}`);
  mkdirSync(dir);
  const r = cli(['check', `scenarios/${scenario}.fdr`, '--variant', variant, '--trace-out', dir, '--no-trace']);
  assert.ok(r.status === 10 || r.status === 11, `fdrace check ${scenario} --variant ${variant} should find a violation (exit ${r.status}):\n${r.stderr}`);
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
}

function pick(files: string[], what: string, ok: (t: Trace) => boolean): string {
  const f = files.find((x) => ok(readTrace(x)));
  assert.ok(f, `no counterexample is ${what} (among ${files.join(', ')})`);
  return f;
}

export interface CiRow {
  variant: string;
  verdict: string;
  violations: { property: string; kind: string; qualified?: string; message: string; path: string; steps: number; splat?: string }[];
  expected: string;
  matchesExpected: boolean;
  error?: string;
}

/** `fdrace ci FILE --json`: one row per variant. */
export function ciRows(scenario: string): CiRow[] {
  const r = cli(['ci', `scenarios/${scenario}.fdr`, '--json', '--no-table']);
  const rows = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as CiRow);
  assert.ok(rows.length > 0 && rows.every((x) => x.error === undefined), `fdrace ci ${scenario} --json:\n${r.stdout}${r.stderr}`);
  return rows;
}

export function replayJson(scenario: string, variant: string, path: string): Trace {
  const r = cli(['replay', `scenarios/${scenario}.fdr`, '--variant', variant, '--path', path, '--json']);
  assert.ok(r.stdout.startsWith('{'), `fdrace replay ${scenario} --variant ${variant} --path ${path}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Trace;
}

/** The outcome as the CLI and the playground print it: "VIOLATION (follows, stale-registration)". */
export function verdictText(row: CiRow): string {
  const props = row.verdict === 'violation' || row.verdict === 'deadlock' ? [...new Set(row.violations.map((v) => v.property))].sort() : [];
  return `${row.verdict.toUpperCase()}${props.length ? ` (${props.join(', ')})` : ''}`;
}

export function mapStrings<T>(x: T, f: (s: string) => string): T {
  if (typeof x === 'string') return f(x) as T;
  if (Array.isArray(x)) return x.map((e) => mapStrings(e, f)) as T;
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mapStrings(v, f)])) as T;
  return x;
}

/** The step whose changes include `change` (tests locate steps by what they do, not by number). */
export function stepWhere(t: Trace, change: string): number {
  const s = t.steps.find((x) => x.changes.includes(change));
  assert.ok(s, `no step of ${t.scenario} on ${t.variant} changes ${change}`);
  return s.step;
}

export function makeFixtures(): void {
  const fd4 = (t: Trace) => t.steps.some((s) => s.changes.includes('P.fd[4]: OLD -> NEW'));
  FIX.f01 = pick(tracesOf('F01-replace-5-of-10', 'rfc-v4'), 'one where P.fd[4] goes OLD -> NEW', fd4);
  FIX.f07 = pick(tracesOf('F07-replace-vs-add', 'rfc-v4'), 'of F07', () => true);
  FIX.f16 = pick(tracesOf('F16-addfd-stale-registration', 'v6.2'), 'a path on OLD', (t) => t.steps.some((s) => s.changes.join().includes('OLD')));
  const f08 = tracesOf('F08-epoll-close-during-replace', 'rfc-v7');
  FIX.f08refcount = pick(f08, 'ep->refcount reaching zero', (t) => t.violation?.kind === 'EpRefcount');
  FIX.f08uaf = pick(f08, 'the epitem use-after-free', (t) => t.violation?.kind === 'UafItem');
  FIX.f04cycle = pick(tracesOf('F04-insert-epoll-no-loop-check', 'rfc-v4'), 'the epoll cycle', (t) => t.violation?.kind === 'EpollCycle');
  FIX.abba = pick(
    tracesOf('history/ctl-del-abba-4ff36ee94d93', 'v6.2~ctl-del-nested-fix'),
    'the reached deadlock',
    (t) => t.violation?.property === 'deadlock',
  );
}
