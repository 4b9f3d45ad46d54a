import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One row: this installation's identity. Its containers carry it as a label, so two Capstans (or a test
 * run) sharing one Docker engine never touch each other's containers.
 */
export const installation = pgTable('installation', {
  id: uuid('id').primaryKey().defaultRandom(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
