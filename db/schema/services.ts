import { boolean, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from './users';

export const services = pgTable('services', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  description: text('description').notNull().default(''),
  ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
  protected: boolean('protected').notNull().default(false),
  // The revision the control loop converges to; null until the first deploy.
  desiredRevision: integer('desired_revision'),
  // The last revision that became fully healthy: where an automatic rollback returns.
  stableRevision: integer('stable_revision'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Stored form of a service spec. Secret env values are sealed (see server/services/secrets). */
export type StoredSpec = {
  image: string;
  tag: string;
  env: { name: string; value: string; secret: boolean }[];
  port: number;
  healthCheck: {
    type: 'http' | 'tcp' | 'none';
    path: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    startPeriodSeconds: number;
  };
  replicas: number;
  /** Absent on revisions stored before strategies existed: defaults apply. */
  strategy?: {
    maxSurge: number;
    maxUnavailable: number;
    minReadySeconds: number;
    progressDeadlineSeconds: number;
  };
  resources: { cpus: number | null; memoryMb: number | null };
  labels: Record<string, string>;
  /** The service's stable endpoint on 127.0.0.1, served by the proxy; the same for every revision. */
  endpointPort?: number | null;
};

export const revisions = pgTable(
  'revisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    spec: jsonb('spec').$type<StoredSpec>().notNull(),
    summary: text('summary').notNull().default(''),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('revisions_service_number').on(t.serviceId, t.number)],
);
