import type { Executor } from "../../kernel/db/database.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { SmsTemplateName } from "../../kernel/mail/templates/catalogue.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import type { NormalizedIdentity } from "./identity-values.js";

/**
 * Queues a code message on the identity's channel, in the caller's transaction: the email form of
 * the template for an address, its SMS form for a phone number.
 */
export async function enqueueCode(
  mailer: Mailer,
  executor: Executor,
  identity: NormalizedIdentity,
  template: SmsTemplateName,
  variables: { code: string; ttlSeconds: number },
): Promise<void> {
  if (identity.type === "email") await mailer.enqueue(executor, { to: identity.value, template, variables });
  else await mailer.enqueueSms(executor, { to: identity.value, template, variables });
}

/**
 * The throttles of every endpoint that sends a link or code to an identity, counted before any
 * lookup so they apply the same whether or not the identity belongs to an account: per IP, per
 * identity (shared with the other mail-sending flows), one message per purpose and identity per
 * resend interval, and a lower per-IP cap on text messages, which cost money.
 */
export function enforceSendLimits(limiter: RateLimiter, rules: RateRules, identity: NormalizedIdentity, purpose: string, context: RequestContext): Promise<void> {
  return limiter.enforce([
    [rules.mailPerIp, context.ip],
    ...(identity.type === "phone" ? [[rules.smsPerIp, context.ip] as [typeof rules.smsPerIp, string]] : []),
    [rules.mailPerTarget, identity.value],
    [rules.resendPerTarget, `${purpose}:${identity.type}:${identity.value}`],
  ]);
}
