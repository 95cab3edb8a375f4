import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { DEMO } from '../prisma/seed';

export interface PageIds {
  runId: string;
  queuedRunId: string;
  finishedJobId: string;
  campaignId: string;
  datasetId: string;
  experimentId: string;
  experimentRunIds: string[];
  jobId: string;
  modelId: string;
  scenarioId: string;
}

/** One record of each kind in the demo org (e2e/fixtures/portal-pages.ts), for the detail pages. */
export function seedPages(): PageIds {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'e2e/fixtures/portal-pages.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as PageIds;
}

/** The two sizes the portal's browser tests run at: a phone (tabs become a menu) and a desktop. */
export const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1440, height: 900 },
] as const;

/** Pages anyone can open signed out. */
export const PUBLIC_PAGES = ['/', '/signin', '/signup', '/status', '/invite/not-a-real-token'];

/** Every page under app/[org] (and /orgs), with the seeded records for the [id] segments. */
export function orgPages(ids: PageIds): string[] {
  const o = `/${DEMO.org.slug}`;
  return [
    '/orgs',
    o,
    `${o}/scenarios`,
    `${o}/scenarios/new`,
    `${o}/scenarios/${ids.scenarioId}`,
    `${o}/runs`,
    `${o}/runs/${ids.runId}`,
    `${o}/campaigns`,
    `${o}/campaigns/new`,
    `${o}/campaigns/${ids.campaignId}`,
    `${o}/datasets`,
    `${o}/datasets/new`,
    `${o}/datasets/${ids.datasetId}`,
    `${o}/training`,
    `${o}/training/new`,
    `${o}/training/${ids.jobId}`,
    `${o}/training/${ids.finishedJobId}`,
    `${o}/experiments`,
    `${o}/experiments/${ids.experimentId}`,
    // The same page with its runs ticked: curves, parallel chart and compare table.
    `${o}/experiments/${ids.experimentId}?runs=${ids.experimentRunIds.join(',')}`,
    `${o}/models`,
    `${o}/models/${ids.modelId}`,
    `${o}/serving`,
    `${o}/api`,
    `${o}/settings`,
  ];
}

/** Signed-in pages for a run and an org that do not exist: the not-found states are pages too. */
export const MISSING_PAGES = [`/${DEMO.org.slug}/runs/no-such-run`, '/no-such-org'];

/** Every page a signed-in user can reach: the org pages and the not-found ones. */
export const portalPages = (ids: PageIds): string[] => [...orgPages(ids), ...MISSING_PAGES];

/**
 * How far the document is wider than the viewport, and the outermost elements that stick out
 * (so a failure names the culprit instead of just a number).
 */
export async function horizontalOverflow(page: Page): Promise<{ excess: number; culprits: string[] }> {
  return page.evaluate(() => {
    const vw = window.innerWidth;
    const excess = document.documentElement.scrollWidth - vw;
    const culprits: string[] = [];
    if (excess > 0) {
      for (const el of Array.from(document.body.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        if (r.right <= vw + 0.5 || r.width === 0) continue;
        // Report the outermost offender only: its children stick out because it does.
        const parent = el.parentElement;
        if (parent && parent.getBoundingClientRect().right > vw + 0.5) continue;
        const id = el.id ? `#${el.id}` : '';
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(' ').join('.')}` : '';
        culprits.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)}`);
        if (culprits.length >= 8) break;
      }
    }
    return { excess, culprits };
  });
}
