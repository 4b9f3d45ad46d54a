CREATE TABLE "replica_health" (
	"container_id" text PRIMARY KEY NOT NULL,
	"service_id" uuid NOT NULL,
	"healthy" boolean NOT NULL,
	"streak" integer DEFAULT 0 NOT NULL,
	"last_result" text,
	"last_error" text,
	"last_checked_at" timestamp with time zone,
	"latency_ms" double precision,
	"healthy_since" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "replica_marks" (
	"container_id" text PRIMARY KEY NOT NULL,
	"service_id" uuid NOT NULL,
	"revision" integer,
	"restart_requested_at" timestamp with time zone,
	"restart_requested_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "services" ADD COLUMN "desired_replicas" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "services" ADD COLUMN "restart_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "kind" text DEFAULT 'deploy' NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "restart_generation" integer;--> statement-breakpoint
ALTER TABLE "replica_marks" ADD CONSTRAINT "replica_marks_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The replica count moves from the revision (a template) to the service (intent): the count of the revision
-- the service converges to becomes its count; a service never deployed keeps the count it was created with.
UPDATE "services" s SET "desired_replicas" = COALESCE(
  (SELECT (r."spec"->>'replicas')::integer FROM "revisions" r
    WHERE r."service_id" = s."id" AND r."number" = s."desired_revision"),
  (SELECT (r."spec"->>'replicas')::integer FROM "revisions" r
    WHERE r."service_id" = s."id" ORDER BY r."number" DESC LIMIT 1),
  1);--> statement-breakpoint
UPDATE "revisions" SET "spec" = "spec" - 'replicas' WHERE "spec" ? 'replicas';
