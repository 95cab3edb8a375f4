import { Tabs } from '~/components/ui';
import { DriftPanel } from './drift-panel';
import { ModelView } from './model-view';

export const MODEL_TABS = ['overview', 'drift'] as const;
export type ModelTab = (typeof MODEL_TABS)[number];

/** The model page: its versions and aliases (overview) or what its served data does (drift). */
export function ModelTabs({
  org,
  id,
  tab,
  canMove,
  canDeploy,
}: {
  org: string;
  id: string;
  tab: ModelTab;
  canMove: boolean;
  canDeploy: boolean;
}) {
  const base = `/${org}/models/${id}`;
  return (
    <>
      <Tabs
        label="Model"
        current={tab}
        className="mb-4"
        items={[
          { key: 'overview', label: 'Overview', href: base },
          { key: 'drift', label: 'Drift', href: `${base}?tab=drift` },
        ]}
      />
      {tab === 'drift' ? (
        <DriftPanel org={org} modelId={id} canEdit={canMove} />
      ) : (
        <ModelView org={org} id={id} canMove={canMove} canDeploy={canDeploy} />
      )}
    </>
  );
}
