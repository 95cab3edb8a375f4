export function AliasPill({
  name,
  version,
  canary,
}: {
  name: string;
  version: number | null;
  canary?: { version: number | null; weight: number } | null;
}) {
  return (
    <span className={`alias-pill${name === 'production' ? ' alias-production' : ''}`} data-testid={`alias-${name}`}>
      {name}
      {version !== null && <b>v{version}</b>}
      {canary && canary.version !== null && (
        <span className="alias-canary" title="canary">
          +v{canary.version} {Math.round(canary.weight * 100)}%
        </span>
      )}
    </span>
  );
}
