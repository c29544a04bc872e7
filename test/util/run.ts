// Test helpers: run scenario text through the real parser, compiler, kernel and search — the same Session the
// CLI uses. Searches here ask for the whole interleaving graph (no reduction), so state counts are exact and
// hand-derivable; a test that wants the front ends' defaults passes `searchDefaults()`.
import type { Compiled } from '../../checker/compile/config.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import type { Limits, SearchOptions } from '../../checker/search/options.ts';
import type { SearchResult } from '../../checker/search/result.ts';
import { nodeSession } from '../../checker/session-node.ts';
import type { Trace } from '../../checker/trace/types.ts';
import { checkVariantSpec } from '../../checker/variants.ts';

export const UNREDUCED: SearchOptions = { strategy: 'bfs', storage: 'full', por: false, symmetry: false };

const session = nodeSession();

export function compileText(text: string, variant: string): Compiled {
  const s = parseScenario(text, 'test.fdr', { variants: checkVariantSpec });
  return session.compile(s, session.resolve(variant), 'test.fdr');
}

export async function check(text: string, variant: string, limits: Limits = {}, search: SearchOptions = UNREDUCED): Promise<SearchResult> {
  return session.search(compileText(text, variant), 'test.fdr', { search, limits });
}

export async function trace(text: string, variant: string, path: string, property?: string): Promise<Trace> {
  return session.replay(compileText(text, variant), path, 'test.fdr', property);
}

/** A scenario with the given declarations and threads, and a single result line. */
export function scenario(body: string, variants = 'v6.2', results = 'result v6.2 pass'): string {
  return `scenario t\n${body.trim()}\n\nvariants ${variants}\n${results}\n`;
}
