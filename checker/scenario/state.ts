// Parser state shared by the statement handlers. Everything needed to report "first at line N" style
// errors is kept here, next to the Scenario being built.

import type { Fail, Token } from './lexer.ts';
import type { Scope } from './scope.ts';
import type { Loc, ProcessDecl, Scenario, ThreadDecl } from './types.ts';

export interface ParseOptions {
  /** Variant names the caller can run; when given, `variants`/`result` lines must name one of them. */
  variants?: readonly string[] | ((name: string) => string | null);
}

/** The block that indented lines currently belong to. */
export type Block = { kind: 'process'; decl: ProcessDecl; fdLines: Map<number, number> } | { kind: 'thread'; decl: ThreadDecl; nameTok: Token; held: number };

export interface State {
  s: Scenario;
  scope: Scope;
  opts: ParseOptions;
  fail: Fail;
  /** Where `scenario NAME` was; undefined until then. */
  named?: Loc;
  titleLine?: number;
  /** Set by the first file/epoll/process statement; comment lines before it form the doc. */
  pastHeader: boolean;
  block?: Block;
  /** Largest fd declared in any table, so that a later `option max_fds` can be checked against it. */
  maxFd?: { fd: number; line: number; process: string };
  watchKeys: Map<string, number>;
  labels: Map<string, number>;
  checks: Map<string, number>;
  optionLines: Map<string, number>;
  variantsLine?: number;
  variantLocs: Map<string, Loc>;
  resultLines: Map<string, number>;
}
