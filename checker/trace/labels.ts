// What each kernel step models: function, source file, and what it does — the line a kernel developer should
// recognise in fs/file.c, fs/eventpoll.c, fs/file_table.c, fs/open.c or kernel/seccomp.c. Ids in model/steps.ts.
// The labels are written next to the steps themselves (`// @step` lines in model/routines/) and collected into
// ./step-labels.ts by `npm run labels` (scripts/step-labels.ts).

import { Step } from '../../model/steps.ts';
import { STEP_LABELS, type StepLabel } from './step-labels.ts';

export { STEP_LABELS, type StepLabel };

export function stepLabel(id: number): StepLabel {
  const name = Step[id] as keyof typeof STEP_LABELS | undefined;
  const l = name ? STEP_LABELS[name] : undefined;
  return l ?? { fn: '?', file: '?', text: `step ${id}` };
}
