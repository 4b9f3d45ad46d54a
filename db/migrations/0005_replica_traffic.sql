ALTER TABLE "container_rollups_1h" ADD COLUMN "request_rate" double precision;--> statement-breakpoint
ALTER TABLE "container_rollups_1h" ADD COLUMN "requests" bigint;--> statement-breakpoint
ALTER TABLE "container_rollups_1h" ADD COLUMN "errors_5xx" bigint;--> statement-breakpoint
ALTER TABLE "container_rollups_1h" ADD COLUMN "latency_hist" bigint[];--> statement-breakpoint
ALTER TABLE "container_rollups_1m" ADD COLUMN "request_rate" double precision;--> statement-breakpoint
ALTER TABLE "container_rollups_1m" ADD COLUMN "requests" bigint;--> statement-breakpoint
ALTER TABLE "container_rollups_1m" ADD COLUMN "errors_5xx" bigint;--> statement-breakpoint
ALTER TABLE "container_rollups_1m" ADD COLUMN "latency_hist" bigint[];--> statement-breakpoint
ALTER TABLE "container_samples" ADD COLUMN "request_rate" double precision;--> statement-breakpoint
ALTER TABLE "container_samples" ADD COLUMN "requests" integer;--> statement-breakpoint
ALTER TABLE "container_samples" ADD COLUMN "errors_5xx" integer;--> statement-breakpoint
ALTER TABLE "container_samples" ADD COLUMN "latency_hist" integer[];