// A violation's `memory` field: the KASAN-style (bad access) or lockdep-style (held lock freed) report that
// checker/trace/memory.ts builds for no-uaf and free-while-locked, structured and as text.

import * as v from 'valibot';
import { arr, int, obj, oneOf, str } from './build.ts';
import { doc } from './state.ts';

const fn = str(200);
const stepNo = int(0, 1_000_000);
const chain = doc(arr(64, fn), 'Call chain, innermost first, as KASAN prints its stack.');

export const MemoryReportSchema = doc(
  obj({
    tool: oneOf('KASAN', 'lockdep'),
    title: doc(str(2000), 'The first line as the kernel prints it: "BUG: KASAN: slab-use-after-free in ep_remove".'),
    bug: oneOf('slab-use-after-free', 'double-free', 'invalid-free', 'held-lock-freed'),
    access: v.nullable(oneOf('read', 'write', 'lock', 'unlock', 'double-free', 'invalid-free')),
    size: doc(v.nullable(stepNo), 'Bytes accessed (null for frees).'),
    function: doc(fn, 'Kernel function of the bad step.'),
    source: doc(fn, 'Its source file.'),
    object: obj({ type: fn, name: fn, description: str(2000), field: v.nullable(fn), cache: fn }),
    task: fn,
    step: stepNo,
    allocated: doc(obj({ task: v.nullable(fn), step: stepNo, chain }), 'Where the object was allocated; step 0 and task null: before the scenario started.'),
    freed: v.nullable(obj({ task: fn, step: stepNo, chain })),
    lock: doc(v.nullable(obj({ name: fn, holder: fn, since: v.nullable(stepNo) })), 'lockdep: the lock that was still held, its holder and since which step.'),
    text: doc(arr(200, str(2000)), 'The report as lines of text.'),
  }),
  'A KASAN-style (bad access) or lockdep-style (held lock freed) report, structured and as text.',
);
