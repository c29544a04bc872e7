// An object's life along a trace — the step that allocated it, the step that freed it, the step that used it
// afterwards — read off the decoded states, for KASAN-style "allocated by / freed by / accessed by" lines.

import type { DecodedState, Trace, ViolationSubject } from './types.ts';

export interface Lifetime {
  /** What the object is, in the kernel's words: "epitem #3 (OLD, fd 4) of E", "struct file OLD". */
  what: string;
  /** Step that allocated it (0: it exists in the initial state), or null when the trace never shows it. */
  allocated: number | null;
  /** Step that freed it, or null if it is still live at the end. */
  freed: number | null;
  /** The thread and function of those steps (null for the initial state). */
  allocatedBy: string | null;
  freedBy: string | null;
}

function states(t: Pick<Trace, 'initial' | 'steps'>): DecodedState[] {
  return [t.initial, ...t.steps.map((s) => s.state)];
}

function who(t: Pick<Trace, 'steps'>, step: number | null): string | null {
  if (step === null || step === 0) return null;
  const s = t.steps[step - 1];
  return s ? `${s.thread} in ${/^[A-Za-z_][A-Za-z0-9_]*/.exec(s.function)?.[0] ?? s.function}()` : null;
}

/** Where an epitem record lives at a state: its eventpoll and key, or null when it does not exist there. */
export function findItem(s: DecodedState, id: number): { ep: string; file: string; fd: number } | null {
  for (const e of s.epolls) {
    const it = e.items.find((i) => i.id === id);
    if (it) return { ep: e.name, file: it.file, fd: it.fd };
  }
  return null;
}

export function lifetime(t: Pick<Trace, 'initial' | 'steps'>, subject: ViolationSubject, upTo = t.steps.length): Lifetime | null {
  const all = states(t).slice(0, upTo + 1);
  let exists: (s: DecodedState) => boolean;
  let what: string;
  if (subject.kind === 'epitem') {
    const id = Number(subject.name.replace('#', ''));
    exists = (s) => findItem(s, id) !== null;
    const seen = all.map((s) => findItem(s, id)).find((x) => x !== null);
    what = seen ? `epitem ${subject.name} (${seen.file}, fd ${seen.fd}) of ${seen.ep}` : `epitem ${subject.name}`;
  } else if (subject.kind === 'file') {
    exists = (s) => {
      const f = s.files.find((x) => x.name === subject.name);
      return f !== undefined && f.life !== 'freed' && f.life !== 'unborn';
    };
    what = `struct file ${subject.name}`;
  } else if (subject.kind === 'epoll') {
    exists = (s) => {
      const e = s.epolls.find((x) => x.name === subject.name);
      return e !== undefined && e.life !== 'freed' && e.life !== 'unborn';
    };
    what = `struct eventpoll ${subject.name}`;
  } else return null;
  let allocated: number | null = null;
  let freed: number | null = null;
  for (let i = 0; i < all.length; i++) {
    const live = exists(all[i]!);
    const before = i > 0 && exists(all[i - 1]!);
    if (live && !before) {
      allocated = i;
      freed = null;
    }
    if (!live && before) freed = i;
  }
  if (allocated === null && freed === null) return null;
  return { what, allocated, freed, allocatedBy: who(t, allocated), freedBy: who(t, freed) };
}
