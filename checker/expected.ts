// Compare a search result with the scenario's `result VARIANT ...` line (like herd7's Result: and
// checkalllitmus.sh): same verdict, and when the line names properties, exactly those failed.

import type { SearchResult } from './search/result.ts';
import { splitKind } from './scenario/kinds.ts';
import type { ExpectedResult, Scenario } from './scenario/types.ts';

export interface Comparison {
  expected: string;
  actual: string;
  matches: boolean;
  line: number | null;
}

export function describeOutcome(verdict: string, properties: string[]): string {
  return properties.length > 0 ? `${verdict}(${properties.join(', ')})` : verdict;
}

export function failedProperties(r: SearchResult): string[] {
  return [...new Set(r.violations.map((v) => v.property))].sort();
}

export function expectedFor(s: Scenario, variant: string): ExpectedResult | undefined {
  return s.results.find((x) => x.variant === variant);
}

/** PROPERTY.KIND of every violation found (a label alone for expectations). */
export function failedKinds(r: SearchResult): string[] {
  return [...new Set(r.violations.map((v) => v.qualified ?? v.property))].sort();
}

/** A `result` line's labels name properties, or kinds of built-in properties (PROPERTY.KIND): the failed
 *  properties must be exactly the named ones, and each named kind must be among those found. */
export function compare(s: Scenario, r: SearchResult, variantName = r.variant): Comparison {
  const exp = expectedFor(s, variantName);
  const got = failedProperties(r);
  const actual = describeOutcome(r.verdict, r.verdict === 'pass' || r.verdict === 'incomplete' ? [] : got);
  if (!exp) return { expected: '(none stated)', actual, matches: false, line: null };
  const want = [...exp.properties].sort();
  const expected = describeOutcome(exp.verdict, want);
  let matches = exp.verdict === r.verdict;
  if (matches && want.length > 0) {
    const labels = new Set(s.expectations.map((e) => e.label));
    const props = [...new Set(want.map((w) => (labels.has(w) ? w : splitKind(w).property)))].sort();
    const kinds = new Set(failedKinds(r));
    const kindsOk = want.every((w) => labels.has(w) || splitKind(w).kind === undefined || kinds.has(w));
    matches = kindsOk && props.length === got.length && props.every((p, i) => p === got[i]);
  }
  if (!matches && want.some((w) => splitKind(w).kind !== undefined)) {
    return { expected, actual: describeOutcome(r.verdict, failedKinds(r)), matches, line: exp.loc.line };
  }
  return { expected, actual, matches, line: exp.loc.line };
}
