CREATE TABLE "container_rollups_1h" (
	"bucket" timestamp with time zone NOT NULL,
	"service_id" uuid NOT NULL,
	"container_id" text NOT NULL,
	"replica" integer NOT NULL,
	"revision" integer NOT NULL,
	"samples" integer NOT NULL,
	"healthy_samples" integer NOT NULL,
	"restart_count" integer NOT NULL,
	"cpu_percent_avg" double precision,
	"cpu_percent_max" double precision,
	"mem_usage_bytes_avg" bigint,
	"mem_working_set_bytes_avg" bigint,
	"mem_working_set_bytes_max" bigint,
	"mem_limit_bytes" bigint,
	"net_rx_bps" double precision,
	"net_tx_bps" double precision,
	"blk_read_bps" double precision,
	"blk_write_bps" double precision,
	CONSTRAINT "container_rollups_1h_pk" PRIMARY KEY("bucket","container_id")
);
--> statement-breakpoint
CREATE TABLE "container_rollups_1m" (
	"bucket" timestamp with time zone NOT NULL,
	"service_id" uuid NOT NULL,
	"container_id" text NOT NULL,
	"replica" integer NOT NULL,
	"revision" integer NOT NULL,
	"samples" integer NOT NULL,
	"healthy_samples" integer NOT NULL,
	"restart_count" integer NOT NULL,
	"cpu_percent_avg" double precision,
	"cpu_percent_max" double precision,
	"mem_usage_bytes_avg" bigint,
	"mem_working_set_bytes_avg" bigint,
	"mem_working_set_bytes_max" bigint,
	"mem_limit_bytes" bigint,
	"net_rx_bps" double precision,
	"net_tx_bps" double precision,
	"blk_read_bps" double precision,
	"blk_write_bps" double precision,
	CONSTRAINT "container_rollups_1m_pk" PRIMARY KEY("bucket","container_id")
);
--> statement-breakpoint
CREATE TABLE "container_samples" (
	"at" timestamp with time zone NOT NULL,
	"service_id" uuid NOT NULL,
	"container_id" text NOT NULL,
	"replica" integer NOT NULL,
	"revision" integer NOT NULL,
	"health" text NOT NULL,
	"restart_count" integer DEFAULT 0 NOT NULL,
	"cpu_percent" double precision,
	"mem_usage_bytes" bigint,
	"mem_working_set_bytes" bigint,
	"mem_limit_bytes" bigint,
	"net_rx_bps" double precision,
	"net_tx_bps" double precision,
	"blk_read_bps" double precision,
	"blk_write_bps" double precision,
	CONSTRAINT "container_samples_pk" PRIMARY KEY("at","container_id")
);
--> statement-breakpoint
CREATE TABLE "metrics_rollup_state" (
	"tier" text PRIMARY KEY NOT NULL,
	"rolled_until" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_rollups_1h" (
	"bucket" timestamp with time zone NOT NULL,
	"service_id" uuid NOT NULL,
	"samples" integer NOT NULL,
	"expected_samples" integer NOT NULL,
	"up_samples" integer NOT NULL,
	"desired_max" integer NOT NULL,
	"running_avg" double precision NOT NULL,
	"healthy_avg" double precision NOT NULL,
	"restart_count" integer NOT NULL,
	"cpu_percent_avg" double precision,
	"cpu_percent_peak" double precision,
	"cpu_percent_max" double precision,
	"mem_working_set_bytes_avg" bigint,
	"mem_working_set_bytes_peak" bigint,
	"mem_working_set_bytes_max" bigint,
	"mem_limit_bytes" bigint,
	"net_rx_bps" double precision,
	"net_tx_bps" double precision,
	"blk_read_bps" double precision,
	"blk_write_bps" double precision,
	CONSTRAINT "service_rollups_1h_pk" PRIMARY KEY("bucket","service_id")
);
--> statement-breakpoint
CREATE TABLE "service_rollups_1m" (
	"bucket" timestamp with time zone NOT NULL,
	"service_id" uuid NOT NULL,
	"samples" integer NOT NULL,
	"expected_samples" integer NOT NULL,
	"up_samples" integer NOT NULL,
	"desired_max" integer NOT NULL,
	"running_avg" double precision NOT NULL,
	"healthy_avg" double precision NOT NULL,
	"restart_count" integer NOT NULL,
	"cpu_percent_avg" double precision,
	"cpu_percent_peak" double precision,
	"cpu_percent_max" double precision,
	"mem_working_set_bytes_avg" bigint,
	"mem_working_set_bytes_peak" bigint,
	"mem_working_set_bytes_max" bigint,
	"mem_limit_bytes" bigint,
	"net_rx_bps" double precision,
	"net_tx_bps" double precision,
	"blk_read_bps" double precision,
	"blk_write_bps" double precision,
	CONSTRAINT "service_rollups_1m_pk" PRIMARY KEY("bucket","service_id")
);
--> statement-breakpoint
CREATE TABLE "service_samples" (
	"at" timestamp with time zone NOT NULL,
	"service_id" uuid NOT NULL,
	"desired" integer NOT NULL,
	"running" integer NOT NULL,
	"healthy" integer NOT NULL,
	"restart_count" integer NOT NULL,
	"cpu_percent" double precision,
	"cpu_percent_max" double precision,
	"mem_working_set_bytes" bigint,
	"mem_working_set_bytes_max" bigint,
	"mem_limit_bytes" bigint,
	"net_rx_bps" double precision,
	"net_tx_bps" double precision,
	"blk_read_bps" double precision,
	"blk_write_bps" double precision,
	CONSTRAINT "service_samples_pk" PRIMARY KEY("at","service_id")
);
--> statement-breakpoint
CREATE TABLE "service_slos" (
	"service_id" uuid PRIMARY KEY NOT NULL,
	"target_percent" double precision NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "container_rollups_1h" ADD CONSTRAINT "container_rollups_1h_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "container_rollups_1m" ADD CONSTRAINT "container_rollups_1m_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "container_samples" ADD CONSTRAINT "container_samples_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_rollups_1h" ADD CONSTRAINT "service_rollups_1h_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_rollups_1m" ADD CONSTRAINT "service_rollups_1m_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_samples" ADD CONSTRAINT "service_samples_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_slos" ADD CONSTRAINT "service_slos_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "container_rollups_1h_service_idx" ON "container_rollups_1h" USING btree ("service_id","bucket");--> statement-breakpoint
CREATE INDEX "container_rollups_1m_service_idx" ON "container_rollups_1m" USING btree ("service_id","bucket");--> statement-breakpoint
CREATE INDEX "container_samples_service_idx" ON "container_samples" USING btree ("service_id","at");--> statement-breakpoint
CREATE INDEX "service_rollups_1h_service_idx" ON "service_rollups_1h" USING btree ("service_id","bucket");--> statement-breakpoint
CREATE INDEX "service_rollups_1m_service_idx" ON "service_rollups_1m" USING btree ("service_id","bucket");--> statement-breakpoint
CREATE INDEX "service_samples_service_idx" ON "service_samples" USING btree ("service_id","at");