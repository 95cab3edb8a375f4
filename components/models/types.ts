import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '~/server/trpc/root';

type Out = inferRouterOutputs<AppRouter>['models'];
export type ModelDetail = Out['get'];
export type VersionDetail = Out['version'];
export type ModelVersionRow = ModelDetail['versions'][number];
export type AliasRow = ModelDetail['aliases'][number];
export type HistoryRow = ModelDetail['history'][number];
