// Compare a search result with the scenario's `result VARIANT ...` line (like herd7's Result: and
// checkalllitmus.sh): same verdict, and when the line names properties, exactly those failed.

import type { SearchResult } from './search/result.ts';
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

export function compare(s: Scenario, r: SearchResult, variantName = r.variant): Comparison {
  const exp = expectedFor(s, variantName);
  const got = failedProperties(r);
  const actual = describeOutcome(r.verdict, r.verdict === 'pass' || r.verdict === 'incomplete' ? [] : got);
  if (!exp) return { expected: '(none stated)', actual, matches: false, line: null };
  const want = [...exp.properties].sort();
  const expected = describeOutcome(exp.verdict, want);
  let matches = exp.verdict === r.verdict;
  if (matches && want.length > 0) matches = want.length === got.length && want.every((p, i) => p === got[i]);
  return { expected, actual, matches, line: exp.loc.line };
}
