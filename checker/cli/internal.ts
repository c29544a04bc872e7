// Internal errors: a bug in fdrace, never in the user's input. Each is printed as ONE line that says so, names what
// reproduces it (the command with its scenario and variant, the path or seed when one is known) and where to report
// it. The stack trace is printed only with FDRACE_DEBUG=1.

import { InternalError, internalLine, type Repro } from '../errors.ts';

export { InternalError, REPORT_AT, internalLine, isUserError, shellArg, type Repro } from '../errors.ts';

/** Print the line (and the stack with FDRACE_DEBUG=1). */
export function printInternal(e: unknown, repro?: Repro): void {
  console.error(internalLine(e, repro));
  if (process.env.FDRACE_DEBUG) {
    const inner = e instanceof InternalError ? e.inner : e;
    console.error((inner as Error)?.stack ?? String(inner));
  }
}
