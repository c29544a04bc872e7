// Kinds of the built-in properties: `result V violation(no-uaf.epitem)` and `check no-cross-process.rekey` name
// one kind of a property as PROPERTY.KIND. Kernel violations get their kind from the violation code
// (model/codes.ts Viol, by name, so that this file stays free of the kernel's numbers); the bytecode properties
// name the part that failed. The parser, the compiler, the reports and docs/scenario-language.md share this table.

/** Kernel violation code name (Viol member) -> its kind (the property comes from VIOL_PROPERTY). */
export const VIOL_KIND: Readonly<Record<string, string>> = Object.freeze({
  UafFile: 'file',
  UafItem: 'epitem',
  UafEp: 'eventpoll',
  UafFdt: 'fdtable',
  DanglingFile: 'dangling-file',
  RefUnderflow: 'underflow',
  RefMismatch: 'mismatch',
  CloseZeroCount: 'close-zero',
  RefLeak: 'leak',
  PollDeadFile: 'poll-dead-file',
  EpRefcount: 'ep',
  OrphanInsert: 'orphan-insert',
  Watchers: 'list-mismatch',
  DuplicateKey: 'duplicate-key',
  EpollCycle: 'epoll-cycle',
  EpollDepth: 'nesting-depth',
  PathLimit: 'path-limit',
  RecursiveLock: 'recursive',
  LockHeldAtReturn: 'held-at-return',
  SleepInAtomic: 'sleep-in-atomic',
  CheckListLeak: 'leak',
  Livelock: 'retry-loop',
  Capacity: 'epitems',
  FreeWhileLocked: 'held-lock',
  RcuIdentity: 'recycled-file',
});

/** A code without an entry above (a code added later) still gets a readable kind: UafFoo -> uaf-foo. */
export function violKind(codeName: string): string {
  return VIOL_KIND[codeName] ?? codeName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Every kind of every built-in property, in the order the documentation lists them. Kernel-code kinds and the
 *  kinds of the bytecode properties (checker/compile/builtins.ts) together. */
export const PROPERTY_KINDS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  refcount: ['underflow', 'mismatch', 'close-zero', 'leak', 'poll-dead-file', 'ep', 'ep-holders', 'orphan-insert'],
  'no-uaf': ['file', 'epitem', 'eventpoll', 'fdtable', 'dangling-file', 'recycled-file'],
  'free-while-locked': ['held-lock'],
  watchers: ['list-mismatch', 'duplicate-key', 'epoll-cycle', 'nesting-depth', 'path-limit'],
  locks: ['recursive', 'held-at-return', 'sleep-in-atomic'],
  deadlock: ['stuck'],
  'lock-order': ['inversion'],
  livelock: ['retry-loop', 'cycle'],
  'check-list': ['leak'],
  'stale-registration': ['at-end', 'at-return'],
  'fd-local-replace': ['other-fd'],
  'registration-follows-fd': ['at-end', 'at-return'],
  'no-cross-process': ['rekey', 'passive-changed'],
  'no-stale-io-uring': ['fixed-slot'],
  linearizable: ['outcome'],
  'model-capacity': ['epitems'],
});

/** Split `PROPERTY.KIND` (or a plain label) at the last '.' that follows a property name. */
export function splitKind(label: string): { property: string; kind?: string } {
  for (const p of Object.keys(PROPERTY_KINDS)) {
    if (label.startsWith(`${p}.`)) return { property: p, kind: label.slice(p.length + 1) };
  }
  return { property: label };
}

/** The error message for an unknown kind, or null if `kind` is one of `property`'s. */
export function kindError(property: string, kind: string): string | null {
  const kinds = PROPERTY_KINDS[property] ?? [];
  if (kinds.includes(kind)) return null;
  return `unknown kind '${kind}' of property '${property}' (its kinds: ${kinds.join(', ') || 'none'})`;
}
