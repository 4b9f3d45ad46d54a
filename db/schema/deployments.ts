import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { services } from './services';
import { users } from './users';

export const deploymentStatuses = [
  'queued',
  'pending',
  'in_progress',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];

/** deploy: a new template rolls; restart: the same template, every replica replaced; live: limits changed in place. */
export const deploymentKinds = ['deploy', 'restart', 'live'] as const;
export type DeploymentKind = (typeof deploymentKinds)[number];

export type DeploymentEvidence = {
  exitCode?: number | null;
  oomKilled?: boolean;
  probe?: string;
  logsTail?: string;
  error?: string;
};

export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    fromRevision: integer('from_revision'),
    toRevision: integer('to_revision').notNull(),
    kind: text('kind', { enum: deploymentKinds }).notNull().default('deploy'),
    /** For a restart: the service's restart generation this deployment rolls to. */
    restartGeneration: integer('restart_generation'),
    status: text('status', { enum: deploymentStatuses }).notNull().default('pending'),
    reason: text('reason').notNull().default(''),
    outcome: text('outcome').notNull().default(''),
    evidence: jsonb('evidence').$type<DeploymentEvidence>(),
    requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
    actor: text('actor').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    deadlineAt: timestamp('deadline_at', { withTimezone: true }),
  },
  (t) => [
    index('deployments_service_idx').on(t.serviceId, t.createdAt),
    // At most one active deployment per service, whatever races the application loses.
    uniqueIndex('deployments_one_active')
      .on(t.serviceId)
      .where(sql`status in ('pending', 'in_progress')`),
  ],
);
