-- Announces committed changes to rows Gatehouse caches (src/kernel/db/change-feed.ts): every node
-- evicts its copy when the transaction commits. Sessions announce only what a token check reads.
CREATE FUNCTION "gatehouse_announce_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gatehouse_changes', TG_TABLE_NAME || ':' || OLD.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "users_announce_change" AFTER UPDATE OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "gatehouse_announce_change"();
--> statement-breakpoint
CREATE TRIGGER "sessions_announce_change" AFTER UPDATE OF "user_id", "expires_at", "revoked_at" OR DELETE ON "sessions"
  FOR EACH ROW EXECUTE FUNCTION "gatehouse_announce_change"();
