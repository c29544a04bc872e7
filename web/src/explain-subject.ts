// The violation's own object: one sentence naming it as it is at the violation step (checker/trace/kinds.ts) and,
// for memory-safety findings, its life along the trace — allocated, freed and accessed at which steps, by whom —
// the way KASAN reports a use-after-free.

import { lifetime } from '../../checker/trace/lifetime.ts';
import { subjectSentence } from '../../checker/trace/kinds.ts';
import type { TraceViolation } from '../../checker/trace/types.ts';
import { button, h } from './dom.ts';
import { stateAt } from './state-panel.ts';
import type { ViewTrace } from './validate.ts';

const MEMORY_KINDS = new Set(['UafFile', 'UafItem', 'UafEp', 'DanglingFile', 'PollDeadFile', 'EpRefcount', 'OrphanInsert']);

function stepLink(step: number, jump: (n: number) => void): HTMLElement {
  return button(`step ${step}`, () => jump(step), { class: 'link', 'aria-label': `Go to step ${step}` });
}

export function subjectBlock(trace: ViewTrace, v: TraceViolation, jump: (n: number) => void): HTMLElement | null {
  const s = stateAt(trace, v.step);
  const sentence = subjectSentence(v, s);
  const parts: HTMLElement[] = [];
  if (sentence) parts.push(h('p', { class: 'subject', 'data-subject': v.subject ? `${v.subject.kind}/${v.subject.name}` : null }, sentence));
  if (v.subject && MEMORY_KINDS.has(v.kind)) {
    const life = lifetime(trace, v.subject, v.step);
    if (life) {
      const at = v.step > 0 ? trace.steps[v.step - 1] : undefined;
      const line = (label: string, step: number | null, by: string | null): HTMLElement =>
        h(
          'li',
          { 'data-life': label },
          `${label} `,
          step === null
            ? 'never (still live)'
            : step === 0
              ? 'before the trace (initial state)'
              : h('span', null, 'at ', stepLink(step, jump), by ? ` by ${by}` : ''),
        );
      parts.push(
        h(
          'div',
          { class: 'memory' },
          h('h3', null, `Memory: ${life.what}`),
          h(
            'ul',
            null,
            line('allocated', life.allocated, life.allocatedBy),
            line('freed', life.freed, life.freedBy),
            at ? line('accessed', v.step, `${at.thread} in ${/^[A-Za-z_][A-Za-z0-9_]*/.exec(at.function)?.[0] ?? at.function}()`) : null,
          ),
        ),
      );
    }
  }
  return parts.length ? h('div', { class: 'subject-block' }, ...parts) : null;
}
