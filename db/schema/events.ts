import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { services } from './services';

/** What happened to a service, by Capstan or Docker: the timeline an on-call engineer reads. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    serviceId: uuid('service_id').references(() => services.id, { onDelete: 'cascade' }),
    deploymentId: uuid('deployment_id'),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('events_service_idx').on(t.serviceId, t.at)],
);

/** Every mutation: who, what, when, from where, and the outcome. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actorId: uuid('actor_id'),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull().default(''),
    input: jsonb('input').$type<unknown>(),
    /** 'pending' while the action runs, and for good if its outcome could not be recorded. */
    outcome: text('outcome', { enum: ['ok', 'error', 'pending'] }).notNull(),
    error: text('error'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_at_idx').on(t.at)],
);

export const registryCredentials = pgTable('registry_credentials', {
  id: uuid('id').primaryKey().defaultRandom(),
  host: text('host').notNull().unique(),
  username: text('username').notNull(),
  // Sealed with the data key, never returned to a browser.
  password: text('password').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
