// Human-readable summaries, terse like SPIN's and TLC's: what was explored, how fast, what was found.

import type { SearchResult } from '../search/result.ts';
import type { Comparison } from '../expected.ts';

const fmt = new Intl.NumberFormat('en-US');

export function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

export function statsLine(r: SearchResult): string {
  const s = r.stats;
  return (
    `${fmt.format(s.states)} states stored, ${fmt.format(s.transitions)} transitions, ${fmt.format(s.terminal)} terminal, ` +
    `depth ${s.maxDepth}, ${s.seconds.toFixed(2)} s (${fmt.format(s.statesPerSecond)} states/s), ` +
    `${bytes(s.memoryBytes)} (${s.stateBytes} B state vector)`
  );
}

export function verdictWord(r: SearchResult): string {
  return r.verdict === 'pass' ? 'PASS' : r.verdict.toUpperCase();
}

export function headline(r: SearchResult, cmp?: Comparison): string {
  const props = [...new Set(r.violations.map((v) => v.property))];
  const what = r.verdict === 'violation' || r.verdict === 'deadlock' ? ` (${props.join(', ')})` : '';
  const inc = r.incomplete ? ` [incomplete: ${r.incomplete}]` : '';
  const exp = cmp ? `; expected ${cmp.expected}: ${cmp.matches ? 'as expected' : 'MISMATCH'}` : '';
  return `${r.scenario} [${r.variant}]: ${verdictWord(r)}${what}${inc}${exp}`;
}
