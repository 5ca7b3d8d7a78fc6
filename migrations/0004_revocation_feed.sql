-- Announces revoked token ids (src/modules/tokens/revoked-access-tokens.ts): every node adds the jti
-- to its in-memory set when the transaction commits, so a revoked access token fails at once everywhere.
CREATE FUNCTION "gatehouse_announce_revocation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gatehouse_changes', 'token_revocations:' || NEW.jti);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Only revocation records: tokens never stored (access tokens) are revoked by inserting one.
CREATE TRIGGER "tokens_announce_revocation" AFTER INSERT ON "tokens"
  FOR EACH ROW WHEN (NEW.purpose = 'revocation') EXECUTE FUNCTION "gatehouse_announce_revocation"();
