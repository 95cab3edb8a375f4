import { Time } from '~/components/ui/time';
import type { HistoryRow } from './types';
import { EmptyState } from '~/components/ui';

const v = (n: number | null) => (n === null ? '—' : `v${n}`);

function describe(e: HistoryRow): string {
  switch (e.action) {
    case 'promote':
      return e.fromVersion === null ? `set to ${v(e.toVersion)}` : `promoted ${v(e.fromVersion)} → ${v(e.toVersion)}`;
    case 'rollback':
      return `rolled back ${v(e.fromVersion)} → ${v(e.toVersion)}`;
    case 'canary':
      return e.canaryVersion === null
        ? 'canary cleared'
        : `canary ${v(e.canaryVersion)} at ${Math.round((e.canaryWeight ?? 0) * 100)}% beside ${v(e.toVersion)}`;
    case 'delete':
      return `deleted (was ${v(e.fromVersion)})`;
    default:
      return e.action;
  }
}

export function AliasHistory({ history }: { history: HistoryRow[] }) {
  if (history.length === 0) return <EmptyState>No alias has moved yet.</EmptyState>;
  return (
    <ul className="timeline" data-testid="alias-history">
      {history.map((e) => (
        <li key={e.id} className={`tl-${e.action}`}>
          <div>
            <strong>{e.alias}</strong> {describe(e)}
          </div>
          <div className="when">
            <Time value={e.createdAt} />
            {e.actorLabel ? ` · ${e.actorLabel}` : ''}
            {e.data?.gate ? ` · gate: ${String(e.data.gate)}` : ''}
          </div>
        </li>
      ))}
    </ul>
  );
}
