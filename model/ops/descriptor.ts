// What the checker knows about one operation (a syscall a scenario thread performs), written once in the op's own
// folder model/ops/<op>/op.ts and registered in model/ops/registry.ts. The parser, the `Op` type, the
// configuration-block encoding, the fd-table sizing, trace printing and the `T at FUNCTION` names are all derived
// from these descriptors (checker/scenario/ops.ts, checker/scenario/types.ts, checker/compile/config.ts,
// checker/trace/decode.ts, checker/scenario/functions.ts). docs/adding-an-op.md is the procedure.
//
// TypeScript only: the AssemblyScript kernel never imports this folder (its side of an op is the step program and
// the OpKind/Routine numbers of model/codes.ts).

import type { OpKind, Routine } from '../codes.ts';
import type { Indexes } from '../../checker/compile/indexes.ts';
import type { LineLexer } from '../../checker/scenario/lexer.ts';
import type { Scope } from '../../checker/scenario/scope.ts';

export interface Loc {
  line: number;
  col: number;
}

/** How an argument is written, checked and encoded:
 *  - `fd`: an fd number in the thread's table (0..LIMITS.maxFd; it sizes the fd table), encoded as is;
 *  - `slot`: an io_uring fixed-file slot (0..3), encoded as is;
 *  - `file` / `epoll`: a declared file / epoll name, encoded as its file index;
 *  - `process`: a declared process name, encoded as the index of the fd table it uses. */
export type ArgKind = 'fd' | 'slot' | 'file' | 'epoll' | 'process';

export interface ArgSpec {
  /** The field of the parsed op (and of its JSON form) that holds the value. */
  readonly field: string;
  readonly kind: ArgKind;
  /** What the parser expected when the argument is missing: "an fd number after 'dup2('". */
  readonly what: string;
  /** Where the next ',' or ')' is expected: "after the old fd number". */
  readonly after: string;
}

/** The value an argument of a kind holds in the parsed op. */
export type ArgValue<K extends ArgKind> = K extends 'fd' | 'slot' ? number : string;

/** An op whose arguments do not fit the generic `name(arg, ...)` form gives its own parse, encode and print;
 *  `Custom` is then the type of its parsed form. */
export interface CustomCodec<Op> {
  parse(lx: LineLexer, scope: Scope, loc: Loc): Op;
  encode(op: Op, ix: Indexes): number[];
  print(op: Op): string;
}

export interface OpDescriptor {
  /** The name a scenario writes (`close`, `epoll_ctl`) and the parsed op's `kind`. */
  readonly name: string;
  /** The op's byte in the configuration block (model/codes.ts; never renumbered: saved traces hold it). */
  readonly opKind: OpKind;
  /** Its arguments in source order; the config block holds [opKind, ...encoded args] in the same order. */
  readonly args: readonly ArgSpec[];
  /** Kernel functions a thread running the op can be `at`, and the routines (step programs) that run them. */
  readonly functions: Readonly<Record<string, readonly Routine[]>>;
  /** Traces print `OP else skip` for this op (kcmp, the user-space check of F.10). */
  readonly printsElseSkip?: boolean;
  /** An op whose syntax is not `name(arg, ...)` parses, encodes and prints itself; its `args` then list only the
   *  fields that hold fds (they size the fd table). */
  readonly custom?: CustomCodec<unknown>;
}

type FieldsOf<A extends readonly ArgSpec[]> = { -readonly [S in A[number] as S['field']]: ArgValue<S['kind']> };

/** The parsed form of the op a descriptor describes. */
export type OpOf<D> = D extends { custom: CustomCodec<infer C> }
  ? C
  : D extends { name: infer N; args: infer A extends readonly ArgSpec[] }
    ? { kind: N } & FieldsOf<A> & { loc: Loc }
    : never;

/** A descriptor with its own codec, typed by its parsed form (stored in the registry as an OpDescriptor). */
export function customOp<C>(d: Omit<OpDescriptor, 'custom'> & { custom: CustomCodec<C> }): typeof d {
  return d;
}
