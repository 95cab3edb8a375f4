export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`state state-${state}`} data-testid="run-state">
      {state}
    </span>
  );
}

export function ProgressBar({ value }: { value: number }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(value * 100)}
    >
      <span style={{ width: `${Math.round(Math.min(1, Math.max(0, value)) * 100)}%` }} />
    </div>
  );
}
