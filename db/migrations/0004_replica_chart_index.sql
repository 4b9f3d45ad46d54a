DROP INDEX "container_rollups_1h_service_idx";--> statement-breakpoint
DROP INDEX "container_rollups_1m_service_idx";--> statement-breakpoint
CREATE INDEX "container_rollups_1h_service_container_idx" ON "container_rollups_1h" USING btree ("service_id","container_id","bucket");--> statement-breakpoint
CREATE INDEX "container_rollups_1m_service_container_idx" ON "container_rollups_1m" USING btree ("service_id","container_id","bucket");