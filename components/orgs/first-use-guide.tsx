import type { GuideStep, GuideStepId } from '~/server/onboarding/guide';
import { ButtonLink, Card, cx } from '~/components/ui';

/**
 * The first-use path (server/onboarding/guide.ts) as a numbered list: done steps are ticked, the
 * next one carries the primary button. Rendered on the server: no client code.
 */
export function FirstUseGuide({ steps, next }: { steps: GuideStep[]; next: GuideStepId | null }) {
  const done = steps.filter((s) => s.done).length;
  return (
    <Card data-testid="first-use-guide" data-done={done}>
      <p className="sub mt-0">
        {next
          ? `${done} of ${steps.length} done. Each step is ticked when someone in this organization has done it.`
          : 'Every step is done: this organization has gone from a scenario to live alerts.'}
      </p>
      <ol className="guide">
        {steps.map((s, i) => (
          <li
            key={s.id}
            className={cx('guide-step', s.done && 'guide-done', s.id === next && 'guide-next')}
            data-testid={`guide-${s.id}`}
            data-done={s.done}
          >
            <span className="guide-mark" aria-hidden>
              {s.done ? '✓' : i + 1}
            </span>
            <div className="guide-text">
              <strong>{s.title}</strong>
              <span className="sr-only">{s.done ? ' (done)' : ' (to do)'}</span>
              <div className="muted text-sm">{s.hint}</div>
            </div>
            <ButtonLink size="sm" variant={s.id === next ? 'primary' : undefined} href={s.href}>
              {s.action}
            </ButtonLink>
          </li>
        ))}
      </ol>
    </Card>
  );
}
