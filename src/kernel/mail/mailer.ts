import type { Executor } from "../db/database.js";
import type { MailDelivery } from "./delivery.js";
import type { OutgoingEmail, OutgoingSms } from "./message.js";
import type { Outbox } from "./outbox.js";
import type { SmsTemplateName, TemplateName, TemplateVariables } from "./templates/catalogue.js";
import type { MessageTemplates } from "./templates/renderer.js";

/** An email named by its template: rendered (built-in or overridden wording) when it is queued. */
export type TemplatedEmail = { [N in TemplateName]: { to: string; template: N; variables: TemplateVariables[N] } }[TemplateName];
/** An SMS named by its template. */
export type TemplatedSms = { [N in SmsTemplateName]: { to: string; template: N; variables: TemplateVariables[N] } }[SmsTemplateName];

/**
 * What services use to send email and SMS: queue inside the transaction that causes the message, then
 * `dispatch()` after it commits. A message whose transaction rolled back is never sent.
 */
export interface Mailer {
  /** Queues an email, given as content or as `{ to, template, variables }`. */
  enqueue(executor: Executor, email: OutgoingEmail | TemplatedEmail): Promise<void>;
  /** Queues an SMS, given as text or as `{ to, template, variables }`; `to` is an E.164 number. */
  enqueueSms(executor: Executor, sms: OutgoingSms | TemplatedSms): Promise<void>;
  dispatch(): void;
  /** Absolute link to a Gatehouse page, always from GATEHOUSE_BASE_URL (never the request's Host). */
  link(path: string, query: Record<string, string>): string;
  /** Renders a template without queueing it (previews, tests). */
  readonly templates: MessageTemplates;
  readonly productName: string;
}

export function createMailer(deps: { outbox: Outbox; delivery: MailDelivery; templates: MessageTemplates; baseUrl: string; productName: string }): Mailer {
  const { templates } = deps;
  // `as never`: TypeScript cannot pair a union's template name with its variables inside a call; TemplatedEmail already did.
  const renderEmail = (email: OutgoingEmail | TemplatedEmail): OutgoingEmail =>
    "template" in email ? templates.email(email.template, email.to, email.variables as never) : email;
  const renderSms = (sms: OutgoingSms | TemplatedSms): OutgoingSms => ("template" in sms ? templates.sms(sms.template, sms.to, sms.variables as never) : sms);
  return {
    enqueue: async (executor, email) => void (await deps.outbox.enqueue(executor, renderEmail(email))),
    enqueueSms: async (executor, sms) => void (await deps.outbox.enqueueSms(executor, renderSms(sms))),
    dispatch: () => deps.delivery.nudge(),
    link(path, query) {
      const url = new URL(path, `${deps.baseUrl}/`);
      for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
      return url.toString();
    },
    templates,
    productName: deps.productName,
  };
}
