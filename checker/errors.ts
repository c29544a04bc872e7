// Errors every front end maps to an exit code: input the user can fix (exit 2) as opposed to internal errors
// (exit 1), printed as ONE line that names what reproduces them (the command with its scenario and variant, the
// path or seed when one is known) and where to report them. They live in the library, not the CLI, because the
// library raises them and every front end (the CLI, the ci runner, the web worker, the tests) must recognise them.

import { ScenarioError } from './scenario/types.ts';
import { VariantError } from './variants.ts';

/** A usage or input error: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const REPORT_AT = 'README.md, section "Reporting bugs"';

export interface Repro {
  /** The command that reproduces it, e.g. `fdrace check F01.fdr --variant v6.2 --strategy dfs`. */
  command?: string;
  file?: string;
  variant?: string;
  path?: string;
  seed?: number;
}

/** An error that is the checker's fault, with what reproduces it. */
export class InternalError extends Error {
  constructor(
    readonly inner: unknown,
    readonly repro: Repro = {},
  ) {
    super(messageOf(inner));
    this.name = 'InternalError';
  }
}

function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^internal error: /, '').replace(/\s*\n\s*/g, ' ');
}

/** Errors that are the user's (bad input), as opposed to the checker's. */
export function isUserError(e: unknown): boolean {
  return e instanceof ScenarioError || e instanceof UsageError || e instanceof VariantError;
}

/** The one line for an internal error. */
export function internalLine(e: unknown, repro: Repro = e instanceof InternalError ? e.repro : {}): string {
  const what = [
    repro.file ? `scenario ${repro.file}` : '',
    repro.variant ? `variant ${repro.variant}` : '',
    repro.path !== undefined ? `path ${repro.path || '(initial state)'}` : '',
    repro.seed !== undefined ? `seed ${repro.seed}` : '',
  ].filter(Boolean);
  const where = what.length ? `; ${what.join(', ')}` : '';
  const cmd = repro.command ? `; reproduce: ${repro.command}` : '';
  return `fdrace: internal error (a bug in fdrace, not in your input): ${messageOf(e)}${where}${cmd}; please report it (${REPORT_AT}), FDRACE_DEBUG=1 shows the stack`;
}

/** Quote an argument for a shell command line. */
export function shellArg(a: string): string {
  return /^[A-Za-z0-9_./:=+~,@-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
