ALTER TABLE "audit_events" ADD COLUMN "actor_type" text;--> statement-breakpoint
-- Until now the actor was a user whenever one was recorded.
UPDATE "audit_events" SET "actor_type" = CASE WHEN "actor_user_id" IS NULL THEN 'anonymous' ELSE 'user' END;--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "actor_type" SET NOT NULL;
