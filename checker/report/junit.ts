// JUnit XML for `fdrace ci --junit FILE`: one <testsuite> per scenario file, one <testcase> per variant. A
// testcase whose outcome differs from the scenario's `result` line has a <failure> with expected vs actual and the
// counterexample paths; a scenario that does not parse is a testsuite with one errored testcase. Counterexample
// traces go to the testcase's <system-out>. Layout as read by Jenkins, GitLab and the common JUnit reporters.

import type { CiRow } from './ci-run.ts';
import { displayPath, replayCommandLine } from './counterexamples.ts';
import { groupByFile } from './table.ts';

/** Text safe in XML 1.0 content and attribute values (characters XML cannot carry are dropped). */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** Element text: like xmlEscape, but line breaks stay readable. */
function textEscape(s: string): string {
  return xmlEscape(s).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t');
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
}

function properties(p: Record<string, string | number>, indent: string): string[] {
  const rows = Object.entries(p).map(([k, v]) => `${indent}  <property${attrs({ name: k, value: v })}/>`);
  return [`${indent}<properties>`, ...rows, `${indent}</properties>`];
}

const secs = (n: number) => n.toFixed(3);

function testcase(r: CiRow): { xml: string[]; failed: boolean; errored: boolean; time: number } {
  const file = displayPath(r.file);
  if (!r.result || !r.cmp) {
    const message = r.error ?? 'not run';
    return {
      xml: [
        `    <testcase${attrs({ name: r.variant, classname: r.scenario, file, line: r.errorLoc?.line, time: secs(0) })}>`,
        `      <error${attrs({ message, type: r.internal ? 'internal-error' : 'scenario-error' })}>${textEscape(message)}</error>`,
        '    </testcase>',
      ],
      failed: false,
      errored: true,
      time: 0,
    };
  }
  const res = r.result;
  const cmp = r.cmp;
  const time = res.stats.seconds;
  const props: Record<string, string | number> = {
    expected: cmp.expected,
    actual: cmp.actual,
    verdict: res.verdict,
    states: res.stats.states,
    transitions: res.stats.transitions,
    maxDepth: res.stats.maxDepth,
  };
  if (res.incomplete) props.incomplete = res.incomplete;
  for (const v of res.violations) props[`counterexample.${v.property}`] = v.path || (v.splat ? 'lock graph cycle' : '(no path)');
  const out = [`    <testcase${attrs({ name: r.variant, classname: r.scenario, file, line: cmp.line ?? undefined, time: secs(time) })}>`];
  out.push(...properties(props, '      '));
  if (!cmp.matches) {
    const body = [`expected ${cmp.expected}, got ${cmp.actual} (${file}:${cmp.line ?? 1})`];
    if (res.incomplete) body.push(`the search stopped early: ${res.incomplete}`);
    for (const v of res.violations) {
      body.push(
        v.path
          ? `counterexample ${v.property}: path ${v.path} (${v.steps} steps); ${replayCommandLine(r.file, r.variant, v.path)}`
          : `${v.property}: ${v.message}`,
      );
    }
    const type = res.verdict === 'incomplete' || (res.incomplete && !cmp.matches) ? 'incomplete' : 'mismatch';
    out.push(`      <failure${attrs({ message: `expected ${cmp.expected}, got ${cmp.actual}`, type })}>${textEscape(body.join('\n'))}</failure>`);
  }
  const traces = (r.counterexamples ?? []).map((c) => c.text).join('\n');
  if (traces) out.push(`      <system-out>${textEscape(traces)}</system-out>`);
  out.push('    </testcase>');
  return { xml: out, failed: !cmp.matches, errored: false, time };
}

export function junitXml(rows: CiRow[], totalSeconds: number): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const g of groupByFile(rows)) {
    const file = displayPath(g.file);
    if (g.error) {
      tests++;
      errors++;
      suites.push(
        `  <testsuite${attrs({ name: g.scenario, tests: 1, failures: 0, errors: 1, skipped: 0, time: secs(0), file })}>`,
        `    <testcase${attrs({ name: 'parse', classname: g.scenario, file, time: secs(0) })}>`,
        `      <error${attrs({ message: g.error, type: 'scenario-error' })}>${textEscape(g.error)}</error>`,
        '    </testcase>',
        '  </testsuite>',
      );
      continue;
    }
    const cases = g.rows.map(testcase);
    const f = cases.filter((c) => c.failed).length;
    const e = cases.filter((c) => c.errored).length;
    const t = cases.reduce((a, c) => a + c.time, 0);
    tests += cases.length;
    failures += f;
    errors += e;
    const s = g.rows[0]?.s;
    suites.push(`  <testsuite${attrs({ name: g.scenario, tests: cases.length, failures: f, errors: e, skipped: 0, time: secs(t), file })}>`);
    suites.push(...properties({ file, title: s?.title ?? '', variants: (s?.variants ?? g.rows.map((r) => r.variant)).join(' ') }, '    '));
    for (const c of cases) suites.push(...c.xml);
    suites.push('  </testsuite>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'fdrace ci', tests, failures, errors, time: secs(totalSeconds) })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
