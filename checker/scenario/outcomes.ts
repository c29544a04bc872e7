// Statements about what should happen: expectations, checked properties, variants, expected results and
// search bounds.

import { BUILTIN_PROPERTIES, LIMITS } from './constants.ts';
import { didYouMean } from '../suggest.ts';
import { opIndex, parseExpr } from './expr.ts';
import { kindError, splitKind } from './kinds.ts';
import { describe, type LineLexer, type Token } from './lexer.ts';
import type { State } from './state.ts';
import { dashedName, endOfLine, name, number, oneOf, orList, punct } from './syntax.ts';
import { FAULT_SITE_NAMES, faultSiteBytes } from './faults.ts';
import type { Modality, Options, Verdict } from './types.ts';

const PROPERTIES: readonly string[] = BUILTIN_PROPERTIES;
const VERDICTS = ['pass', 'violation', 'deadlock'] as const satisfies readonly Verdict[];
const OPTIONS = ['faults', 'max_user_watches', 'max_fds', 'path_limits'] as const;
/** reverse_path_check's path_limits[] in fs/eventpoll.c, one per nesting depth 0..EP_MAX_NESTS. */
export const KERNEL_PATH_LIMITS: readonly number[] = [1000, 500, 100, 50, 10];

export function expectStmt(lx: LineLexer, st: State, kw: Token): void {
  const index = st.s.expectations.length + 1;
  let label = `e${index}`;
  // `expect NAME:` is a label only if the colon follows; otherwise NAME starts the modality.
  const mark = lx.mark();
  const first = lx.next();
  if (first.kind === 'name' && lx.eat(':')) {
    label = first.text;
    if (PROPERTIES.includes(label)) lx.fail(`label '${label}' is the name of a built-in property; choose another`, first.loc);
    const prev = st.labels.get(label);
    if (prev !== undefined) lx.fail(`expectation label '${label}' is used twice (first at line ${prev})`, first.loc);
  } else {
    lx.reset(mark);
    const prev = st.labels.get(label);
    if (prev !== undefined) {
      lx.fail(`the default label '${label}' of this expectation is already used at line ${prev}; give it a label`, kw.loc);
    }
  }
  const ctx = {
    scope: st.scope,
    opCount: (t: string) => st.s.threads.find((d) => d.name === t)?.ops.length ?? 0,
  };
  const modality = parseModality(lx);
  // `when T.op[K] returns: EXPR`: EXPR must hold in the state the return of op K makes.
  let returns: { thread: string; op: number } | undefined;
  if (modality === 'when') {
    const t = name(lx, "a thread name after 'when'");
    ctx.scope.resolve(t, 'thread');
    punct(lx, '.', `after '${t.text}' (when ${t.text}.op[K] returns: ...)`);
    const o = lx.peek();
    if (!lx.eat('op')) lx.fail(`expected 'op' after '${t.text}.', found ${describe(o)}`, o.loc);
    const op = opIndex(lx, ctx, t.text, `'${t.text}.op'`);
    const r = lx.peek();
    if (!lx.eat('returns')) lx.fail(`expected 'returns' after '${t.text}.op[${op}]', found ${describe(r)}`, r.loc);
    punct(lx, ':', `after 'returns'`);
    returns = { thread: t.text, op };
  }
  const start = lx.peek().loc.col;
  const expr = parseExpr(lx, ctx);
  endOfLine(lx, 'after the expression');
  const text = lx.src.text.slice(start - 1, lx.codeEnd() - 1).trim();
  st.labels.set(label, kw.loc.line);
  st.s.expectations.push(returns ? { label, modality, expr, text, returns, loc: kw.loc } : { label, modality, expr, text, loc: kw.loc });
}

function parseModality(lx: LineLexer): Modality {
  const t = lx.peek();
  const what = "always, never, sometimes, 'at end' or 'when T.op[K] returns:'";
  if (t.kind === 'name' && (t.text === 'always' || t.text === 'never' || t.text === 'sometimes' || t.text === 'when')) {
    lx.next();
    return t.text;
  }
  if (t.kind === 'name' && t.text === 'at') {
    lx.next();
    const e = lx.peek();
    if (!lx.eat('end')) lx.fail(`expected 'end' after 'at', found ${describe(e)}`, e.loc);
    return 'at-end';
  }
  return lx.fail(`expected ${what}, found ${describe(t)}`, t.loc);
}

export function checkStmt(lx: LineLexer, st: State, kw: Token): void {
  const n = dashedName(lx, "a property name after 'check'");
  // `check PROPERTY.KIND` switches on one kind of a property (checker/scenario/kinds.ts).
  const { property, kind } = splitKind(n.text);
  if (!PROPERTIES.includes(property)) lx.fail(`unknown property '${n.text}'${didYouMean(n.text, PROPERTIES)} (built-in: ${PROPERTIES.join(', ')})`, n.loc);
  if (kind !== undefined) {
    const err = kindError(property, kind);
    if (err !== null) lx.fail(err, n.loc);
  }
  const prev = st.checks.get(n.text) ?? st.checks.get(property);
  if (prev !== undefined) lx.fail(`property '${n.text}' is already checked at line ${prev}`, n.loc);
  if (kind === undefined) {
    const part = [...st.checks.keys()].find((k) => splitKind(k).property === property);
    if (part !== undefined) lx.fail(`a kind of property '${property}' is already checked at line ${st.checks.get(part)} ('check ${part}')`, n.loc);
  }
  endOfLine(lx, 'after the property name');
  st.checks.set(n.text, kw.loc.line);
  st.s.checks.push(kind === undefined ? { name: property, loc: kw.loc } : { name: property, kind, loc: kw.loc });
}

function checkKnownVariant(lx: LineLexer, st: State, v: Token): void {
  const known = st.opts.variants;
  if (typeof known === 'function') {
    const err = known(v.text);
    if (err !== null) lx.fail(err, v.loc);
  } else if (known && !known.includes(v.text)) lx.fail(`unknown variant '${v.text}'${didYouMean(v.text, known)} (known: ${known.join(', ')})`, v.loc);
}

export function variantsStmt(lx: LineLexer, st: State, kw: Token): void {
  if (st.variantsLine !== undefined) lx.fail(`the variants are already listed at line ${st.variantsLine}`, kw.loc);
  while (lx.peek().kind !== 'eol') {
    const t = lx.peek();
    const what = t.kind === 'punct' && t.text === ',' ? 'a variant name (variants are separated by spaces)' : 'a variant name';
    const v = dashedName(lx, what);
    checkKnownVariant(lx, st, v);
    const prev = st.variantLocs.get(v.text);
    if (prev !== undefined) lx.fail(`variant '${v.text}' is listed twice`, v.loc);
    st.variantLocs.set(v.text, v.loc);
    st.s.variants.push(v.text);
  }
  if (st.s.variants.length === 0) {
    lx.fail(`expected at least one variant name after 'variants', found end of line`, lx.peek().loc);
  }
  st.variantsLine = kw.loc.line;
}

export function resultStmt(lx: LineLexer, st: State, kw: Token): void {
  if (st.variantsLine === undefined) lx.fail(`'result' needs a 'variants' line before it`, kw.loc);
  const v = dashedName(lx, "a variant name after 'result'");
  checkKnownVariant(lx, st, v);
  if (!st.variantLocs.has(v.text)) {
    lx.fail(`variant '${v.text}' is not in the 'variants' line (listed: ${st.s.variants.join(', ')})`, v.loc);
  }
  const prev = st.resultLines.get(v.text);
  if (prev !== undefined) lx.fail(`second result for variant '${v.text}' (first at line ${prev})`, v.loc);
  const { word: verdict } = oneOf(lx, VERDICTS, `a verdict (${orList(VERDICTS)}) after the variant name`);
  const properties: string[] = [];
  const open = lx.peek();
  if (open.kind === 'punct' && open.text === '(') {
    if (verdict === 'pass') lx.fail(`only 'violation' and 'deadlock' take labels; 'pass' does not`, open.loc);
    lx.next();
    for (;;) {
      const l = dashedName(lx, properties.length ? "a label after ','" : "a label after '('");
      const split = splitKind(l.text);
      if (!st.labels.has(l.text) && !PROPERTIES.includes(l.text) && !(split.kind !== undefined && PROPERTIES.includes(split.property))) {
        const exps = [...st.labels.keys()];
        const e = exps.length ? `expectations: ${exps.join(', ')}` : 'no expectations';
        lx.fail(
          `unknown label '${l.text}'${didYouMean(l.text, [...exps, ...PROPERTIES])} (${e}; built-in properties: ${PROPERTIES.join(', ')}, each also as PROPERTY.KIND)`,
          l.loc,
        );
      }
      if (split.kind !== undefined && !st.labels.has(l.text)) {
        const err = kindError(split.property, split.kind);
        if (err !== null) lx.fail(err, l.loc);
      }
      if (properties.includes(l.text)) lx.fail(`label '${l.text}' is listed twice`, l.loc);
      properties.push(l.text);
      if (lx.eat(')')) break;
      const sep = lx.peek();
      if (!lx.eat(',')) lx.fail(`expected ',' or ')' after the label, found ${describe(sep)}`, sep.loc);
    }
  }
  endOfLine(lx, 'after the result');
  st.resultLines.set(v.text, kw.loc.line);
  st.s.results.push({ variant: v.text, verdict, properties, loc: kw.loc });
}

export function optionStmt(lx: LineLexer, st: State, kw: Token): void {
  const t0 = lx.peek();
  // `path-limits` (the kernel's spelling in prose) is accepted for `path_limits`.
  const dashed = t0.kind === 'name' && t0.text === 'path' ? lx.dashedName() : undefined;
  const t = dashed && dashed.text === 'path-limits' ? { ...dashed, text: 'path_limits' } : (dashed ?? t0);
  const opt = OPTIONS.find((o) => t.kind === 'name' && t.text === o);
  if (opt === undefined) {
    const found = t.kind === 'name' ? `unknown option '${t.text}'${didYouMean(t.text, OPTIONS)}` : `expected an option name, found ${describe(t)}`;
    lx.fail(`${found} (expected ${orList(OPTIONS)})`, t.loc);
  }
  if (!dashed) lx.next();
  const prev = st.optionLines.get(opt);
  if (prev !== undefined) lx.fail(`option ${opt} is already set at line ${prev}`, t.loc);
  const what = `a number after '${opt}'`;
  const o = st.s.options;
  if (opt === 'faults') faultsOption(lx, o);
  else if (opt === 'path_limits') {
    const limits: number[] = [];
    for (let d = 0; d < KERNEL_PATH_LIMITS.length; d++) {
      limits.push(
        number(
          lx,
          `the path limit for depth ${d} (${KERNEL_PATH_LIMITS.length} numbers, the kernel's are ${KERNEL_PATH_LIMITS.join(' ')})`,
          'path limit',
          0,
          1000,
        ).num,
      );
    }
    o.pathLimits = limits;
  } else if (opt === 'max_user_watches') o.maxUserWatches = number(lx, what, 'max_user_watches', 0, LIMITS.maxUserWatches).num;
  else {
    const k = number(lx, what, 'max_fds', 1, LIMITS.maxFdsOption);
    const m = st.maxFd;
    if (m && m.fd >= k.num) {
      lx.fail(`max_fds ${k.text} is too small: process ${m.process} declares fd ${m.fd} at line ${m.line}`, k.loc);
    }
    o.maxFds = k.num;
  }
  endOfLine(lx, `after the ${opt} value`);
  st.optionLines.set(opt, kw.loc.line);
}

/** `option faults K`, `option faults SITE:N ...` or both: a global count, per-site budgets (checker/scenario/
 *  faults.ts), or per-site budgets under a total cap. */
function faultsOption(lx: LineLexer, o: Options): void {
  const first = lx.peek();
  if (first.kind === 'number') o.faults = number(lx, "a number after 'faults'", 'faults', 0, LIMITS.maxFaults).num;
  else if (first.kind !== 'name') lx.fail(`expected a number or SITE:N after 'faults', found ${describe(first)}`, first.loc);
  const sites: Record<string, number> = {};
  while (lx.peek().kind !== 'eol') {
    const t = name(lx, 'a fault site name (SITE:N)');
    if (!FAULT_SITE_NAMES.includes(t.text)) lx.fail(`unknown fault site '${t.text}' (sites: ${FAULT_SITE_NAMES.join(', ')})`, t.loc);
    if (Object.hasOwn(sites, t.text)) lx.fail(`fault site '${t.text}' is given twice`, t.loc);
    punct(lx, ':', `after the fault site '${t.text}'`);
    sites[t.text] = number(lx, `a number after '${t.text}:'`, 'faults', 0, LIMITS.maxFaults).num;
  }
  if (Object.keys(sites).length > 0) {
    const r = faultSiteBytes(sites, first.kind === 'number' ? o.faults : undefined);
    if ('error' in r) lx.fail(r.error, first.loc);
    o.faultSites = sites;
    if (first.kind !== 'number') o.faults = Object.values(sites).reduce((a, b) => a + b, 0);
  }
}
