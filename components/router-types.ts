import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/api/root';

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type ServiceListItem = RouterOutputs['services']['list']['services'][number];
export type ServiceDetail = RouterOutputs['services']['get'];
export type ServiceSpecView = NonNullable<ServiceDetail['spec']>;
export type Deployment = ServiceDetail['deployments'][number];
export type Revision = ServiceDetail['revisions'][number];
export type Replica = ServiceDetail['replicas'][number];
export type EventItem = RouterOutputs['activity']['events'][number];
export type SessionUser = NonNullable<RouterOutputs['auth']['status']['user']>;
export type Role = SessionUser['role'];
export type DeploymentDetail = RouterOutputs['services']['deployment'];
