'use client';

import { Fragment, useState } from 'react';
import { Time, cx } from '~/components/ui';
import type { LineageDetail, LineageNode } from './lineage-nodes';

/**
 * A version's lineage as a compact left-to-right graph: dataset → training job → version →
 * aliases. Each node is a button; the clicked one's details open under the graph, so the page
 * stays short however much the trainer recorded.
 */
export function LineageGraph({
  columns,
  extra,
}: {
  columns: LineageNode[][];
  /** More details of the version node (the facts recorded with the weights). */
  extra?: React.ReactNode;
}) {
  const [open, setOpen] = useState<string | null>('version');
  const nodes = columns.flat();
  const selected = nodes.find((n) => n.id === open) ?? null;
  return (
    <div data-testid="lineage">
      <div className="lineage-graph" role="group" aria-label="Lineage: dataset, training, version, aliases">
        {columns.map((col, i) => (
          <Fragment key={col[0]?.id ?? i}>
            {i > 0 && (
              <span className="lineage-edge" aria-hidden>
                →
              </span>
            )}
            <div className="lineage-col">
              {col.map((n) => (
                <button
                  key={n.id}
                  type="button"
                  className={cx('lineage-node', `lineage-${n.kind}`, n.missing && 'lineage-missing')}
                  aria-pressed={open === n.id}
                  aria-controls="lineage-details"
                  data-testid={`lineage-node-${n.id}`}
                  disabled={n.missing}
                  onClick={() => setOpen(open === n.id ? null : n.id)}
                >
                  <span className="lineage-caption">{n.caption}</span>
                  <span className="lineage-name">{n.name}</span>
                </button>
              ))}
            </div>
          </Fragment>
        ))}
      </div>
      {selected && (
        <div id="lineage-details" className="lineage-details" data-testid="lineage-details" aria-live="polite">
          <table className="kv">
            <tbody>
              {selected.details.map((d) => (
                <tr key={d.label}>
                  <td>{d.label}</td>
                  <td>
                    <DetailValue d={d} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {selected.id === 'version' && extra}
        </div>
      )}
    </div>
  );
}

function DetailValue({ d }: { d: LineageDetail }) {
  const text = d.value instanceof Date ? <Time value={d.value} /> : d.value;
  return d.href ? <a href={d.href}>{text}</a> : <>{text}</>;
}
