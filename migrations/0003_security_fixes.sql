CREATE TABLE "rate_limit_members" (
	"key" text NOT NULL,
	"member" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rate_limit_members_key_member_pk" PRIMARY KEY("key","member")
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "request_id" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "parent_session_id" uuid;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "authenticated_at" timestamp with time zone;--> statement-breakpoint
-- A session so far was proven once, when it started.
UPDATE "sessions" SET "authenticated_at" = "created_at";--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "authenticated_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "magic_codes" ADD COLUMN "lockouts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "activates_at" timestamp with time zone;--> statement-breakpoint
-- Existing keys have been signing since they were made.
UPDATE "signing_keys" SET "activates_at" = "created_at";--> statement-breakpoint
ALTER TABLE "signing_keys" ALTER COLUMN "activates_at" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "rate_limit_members_expires_at_idx" ON "rate_limit_members" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_parent_session_id_sessions_id_fk" FOREIGN KEY ("parent_session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_parent_session_id_idx" ON "sessions" USING btree ("parent_session_id");