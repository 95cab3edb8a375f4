/**
 * A progress bar for a 0..1 fraction. The fill is an SVG rect whose width is an attribute, so the
 * bar needs no inline style.
 */
/** `label` is required: a progressbar without an accessible name is a serious axe violation. */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0)) * 100);
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <svg width="100%" height="100%" preserveAspectRatio="none" viewBox="0 0 100 1" aria-hidden>
        <rect width={pct} height={1} />
      </svg>
    </div>
  );
}
