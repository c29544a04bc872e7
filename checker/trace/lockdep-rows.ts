// A reached ABBA deadlock told the way lockdep tells a possible one: the "Possible unsafe locking scenario" rows,
// CPU0/CPU1, each lock() in the order the path took it — first the two locks each task got, then the two it waits
// for. Read off the trace itself, so a trace the CLI wrote carries the table and any viewer can draw it.

import type { DecodedState, LockOrderScenario, TraceStep } from './types.ts';

/** The rows for a deadlock of exactly two tasks waiting on each other's lock, or null for any other shape. */
export function deadlockScenario(initial: DecodedState, steps: TraceStep[]): LockOrderScenario | null {
  const states = [initial, ...steps.map((s) => s.state)];
  const last = states[states.length - 1]!;
  const ownerOf = (s: DecodedState, lock: string) => s.locks.find((l) => l.name === lock)?.owner ?? null;
  const blocked = last.threads.filter((t) => t.status === 'blocked' && t.waitingFor !== null);
  for (const a of blocked) {
    const b = blocked.find((t) => t.name === ownerOf(last, a.waitingFor!) && t.name !== a.name);
    if (!b || ownerOf(last, b.waitingFor!) !== a.name) continue;
    const heldA = b.waitingFor!;
    const heldB = a.waitingFor!;
    // The step at which a task took the lock it still holds: the last change of the owner to it.
    const took = (lock: string, who: string): number => {
      for (let i = states.length - 1; i > 0; i--) {
        if (ownerOf(states[i]!, lock) === who && ownerOf(states[i - 1]!, lock) !== who) return i;
      }
      return 0;
    };
    // The step after which a task stopped moving: its last step on the path.
    const stopped = (who: string): number => {
      for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.thread === who) return i + 1;
      return 0;
    };
    const events = [
      { who: a.name, at: took(heldA, a.name), order: 0, text: `lock(${heldA});` },
      { who: b.name, at: took(heldB, b.name), order: 0, text: `lock(${heldB});` },
      { who: a.name, at: stopped(a.name), order: 1, text: `lock(${a.waitingFor});` },
      { who: b.name, at: stopped(b.name), order: 1, text: `lock(${b.waitingFor});` },
    ].sort((x, y) => x.order - y.order || x.at - y.at);
    const cpu0 = events[0]!.who;
    const cpu1 = cpu0 === a.name ? b.name : a.name;
    return { tasks: [cpu0, cpu1], rows: events.map((e) => ({ cpu: e.who === cpu0 ? 0 : 1, text: e.text })) };
  }
  return null;
}
