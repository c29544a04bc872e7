// A step's source link for the variant of the trace it belongs to (checker/trace/sources.ts): the tag the variant
// models, a checked line range or the function at that tag, or the RFC posting.

import { sourceRef, type SourceRef } from '../../checker/trace/sources.ts';
import type { TraceStep } from '../../checker/trace/types.ts';
import { h } from './dom.ts';
import { resolveLabel } from './variant.ts';

export type SourceOf = (step: Pick<TraceStep, 'label' | 'function' | 'source'>) => SourceRef | null;

/** Links for one trace; a variant this viewer does not know gets no links rather than a wrong release. */
export function sourcesFor(variant: string): SourceOf {
  let toggles: number | null;
  try {
    toggles = resolveLabel(variant).toggles;
  } catch {
    toggles = null;
  }
  const cache = new Map<string, SourceRef | null>();
  return (step) => {
    if (toggles === null) return null;
    const key = `${step.label ?? ''}|${step.function}|${step.source}`;
    if (!cache.has(key)) cache.set(key, sourceRef(step, toggles));
    return cache.get(key)!;
  };
}

/** The link element: the file (and lines or release) as text, the pinned URL as href. */
export function refLink(step: Pick<TraceStep, 'label' | 'function' | 'source'>, src: SourceOf, tabindex?: number): HTMLElement {
  const r = src(step);
  if (!r) return h('span', { class: 'src' }, step.source);
  return h(
    'a',
    {
      class: `src ${r.precision}`,
      href: r.url,
      target: '_blank',
      rel: 'noopener noreferrer',
      tabindex,
      title: `${step.source} — ${r.precision === 'rfc' ? 'the posted patch' : r.precision === 'lines' ? `lines ${r.lines![0]}-${r.lines![1]} at ${r.release}` : `${step.function} at ${r.release}`}`,
    },
    r.text,
  );
}
