import {
  boolean,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
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
  // Intent that is not part of a revision's template: how many replicas run, whatever revision they run.
  desiredReplicas: integer('desired_replicas').notNull().default(1),
  // Bumped by a rolling restart: replicas started before it are replaced one at a time (like Kubernetes'
  // restartedAt annotation); carried on each container as the `capstan.restart` label.
  restartGeneration: integer('restart_generation').notNull().default(0),
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
  /** Revisions stored before the count moved to the service had it here; ignored now. */
  replicas?: number;
  /** Absent on revisions stored before strategies existed: defaults apply. */
  strategy?: {
    maxSurge: number;
    maxUnavailable: number;
    minReadySeconds: number;
    progressDeadlineSeconds: number;
  };
  resources: {
    cpus: number | null;
    memoryMb: number | null;
    /** Reserved for each replica and checked against the host's capacity; absent on older revisions. */
    cpuReservation?: number | null;
    memoryReservationMb?: number | null;
    pidsLimit?: number | null;
  };
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

/**
 * Per-container facts the engine keeps beside Docker's labels (which cannot change on a running container):
 * the revision a replica was updated to in place (a limits-only change), and a restart someone asked for.
 */
export const replicaMarks = pgTable('replica_marks', {
  containerId: text('container_id').primaryKey(),
  serviceId: uuid('service_id')
    .notNull()
    .references(() => services.id, { onDelete: 'cascade' }),
  /** The revision this container now embodies after a live update of its limits; null: its label's. */
  revision: integer('revision'),
  restartRequestedAt: timestamp('restart_requested_at', { withTimezone: true }),
  restartRequestedBy: text('restart_requested_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The prober's latest verdict per container, shared by every process (the web process reads it). */
export const replicaHealth = pgTable('replica_health', {
  containerId: text('container_id').primaryKey(),
  serviceId: uuid('service_id').notNull(),
  healthy: boolean('healthy').notNull(),
  streak: integer('streak').notNull().default(0),
  lastResult: text('last_result', { enum: ['ok', 'fail'] }),
  lastError: text('last_error'),
  lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }),
  latencyMs: doublePrecision('latency_ms'),
  healthySince: timestamp('healthy_since', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
