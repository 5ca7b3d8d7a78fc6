CREATE TABLE "identities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"type" text NOT NULL,
	"value" text NOT NULL,
	"verified_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "identities_type_check" CHECK ("identities"."type" in ('email', 'phone'))
);
--> statement-breakpoint
CREATE TABLE "magic_codes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"channel" text NOT NULL,
	"recipient" text NOT NULL,
	"code_hash" text,
	"extra_data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"expires_at" timestamp with time zone,
	"code_attempts" integer DEFAULT 0 NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"failures_reset_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "email" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "identities_type_value_key" ON "identities" USING btree ("type","value");--> statement-breakpoint
CREATE INDEX "identities_user_id_idx" ON "identities" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "magic_codes_purpose_recipient_key" ON "magic_codes" USING btree ("purpose","channel","recipient");--> statement-breakpoint
CREATE INDEX "magic_codes_updated_at_idx" ON "magic_codes" USING btree ("updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_one_current_key" ON "signing_keys" USING btree ("status") WHERE "signing_keys"."status" = 'current';--> statement-breakpoint
-- Every existing user's address becomes an email identity, verified when the address was confirmed.
-- Values are normalised the way the application normalises them (trimmed, lower-cased).
INSERT INTO "identities" ("id", "user_id", "type", "value", "verified_at", "created_at")
SELECT gen_random_uuid(), "id", 'email', lower(btrim("email")), "email_confirmed_at", "created_at" FROM "users" WHERE "email" IS NOT NULL;
