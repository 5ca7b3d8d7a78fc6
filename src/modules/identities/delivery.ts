import type { Executor } from "../../kernel/db/database.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { SmsTemplateName, TemplateVariables } from "../../kernel/mail/templates/catalogue.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import type { NormalizedIdentity } from "../../kernel/addresses/normalize.js";

/**
 * Queues a message on the identity's channel, in the caller's transaction: the email form of the
 * template for an address, its SMS form for a phone number.
 */
export async function enqueueOnChannel<N extends SmsTemplateName>(
  mailer: Mailer,
  executor: Executor,
  identity: NormalizedIdentity,
  template: N,
  variables: TemplateVariables[N],
): Promise<void> {
  // `as never`: TypeScript cannot pair a generic template name with its variables; the signature did.
  const message = { to: identity.value, template, variables } as never;
  if (identity.type === "email") await mailer.enqueue(executor, message);
  else await mailer.enqueueSms(executor, message);
}

/** A code message: the sign-in, verification, recovery and reauthentication codes. */
export const enqueueCode = (
  mailer: Mailer,
  executor: Executor,
  identity: NormalizedIdentity,
  template: "sign-in-code" | "verification-code" | "recovery-code" | "reauthentication-code",
  variables: { code: string; ttlSeconds: number },
) => enqueueOnChannel(mailer, executor, identity, template, variables);

/**
 * The throttles of every endpoint that sends a link or code to an identity, counted before any
 * lookup so they apply the same whether or not the identity belongs to an account: per IP, per
 * identity (shared with the other mail-sending flows), one message per purpose and identity per
 * resend interval, and a lower per-IP cap on text messages, which cost money.
 */
export function enforceSendLimits(
  limiter: RateLimiter,
  rules: RateRules,
  identity: NormalizedIdentity,
  purpose: string,
  context: RequestContext,
): Promise<void> {
  return limiter.enforce([
    [rules.mailPerIp, context.ip],
    ...(identity.type === "phone" ? [[rules.smsPerIp, context.ip] as [typeof rules.smsPerIp, string]] : []),
    [rules.mailPerTarget, identity.value],
    [rules.resendPerTarget, `${purpose}:${identity.type}:${identity.value}`],
  ]);
}
