ALTER TABLE "service_rollups_1h" ADD COLUMN "request_rate" double precision;--> statement-breakpoint
ALTER TABLE "service_rollups_1h" ADD COLUMN "requests" bigint;--> statement-breakpoint
ALTER TABLE "service_rollups_1h" ADD COLUMN "errors_5xx" bigint;--> statement-breakpoint
ALTER TABLE "service_rollups_1h" ADD COLUMN "latency_hist" bigint[];--> statement-breakpoint
ALTER TABLE "service_rollups_1m" ADD COLUMN "request_rate" double precision;--> statement-breakpoint
ALTER TABLE "service_rollups_1m" ADD COLUMN "requests" bigint;--> statement-breakpoint
ALTER TABLE "service_rollups_1m" ADD COLUMN "errors_5xx" bigint;--> statement-breakpoint
ALTER TABLE "service_rollups_1m" ADD COLUMN "latency_hist" bigint[];--> statement-breakpoint
ALTER TABLE "service_samples" ADD COLUMN "expected" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "service_samples" ADD COLUMN "request_rate" double precision;--> statement-breakpoint
ALTER TABLE "service_samples" ADD COLUMN "requests" bigint;--> statement-breakpoint
ALTER TABLE "service_samples" ADD COLUMN "errors_5xx" bigint;--> statement-breakpoint
ALTER TABLE "service_samples" ADD COLUMN "latency_hist" bigint[];--> statement-breakpoint
-- Samples from before this column: a sample was expected when the service wanted replicas.
UPDATE "service_samples" SET "expected" = "desired" > 0;
