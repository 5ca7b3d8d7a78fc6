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
  /**
   * Absolute link to the page that handles `page` (a link in a message), always from
   * GATEHOUSE_BASE_URL (never the request's Host). Services name the page; the module that serves
   * it (hosted-pages) says where it is.
   */
  link(page: LinkedPage, query: Record<string, string>): string;
  readonly productName: string;
}

/**
 * The pages emailed links open, by purpose; filled by the module that serves them (declaration
 * merging in hosted-pages), which also gives their paths to `createMailer`.
 */
export interface LinkedPages {}
export type LinkedPage = keyof LinkedPages;

export function createMailer(deps: {
  outbox: Outbox;
  delivery: MailDelivery;
  templates: MessageTemplates;
  baseUrl: string;
  productName: string;
  /** Where each linked page is, relative to the base URL. */
  pages: Record<LinkedPage, string>;
}): Mailer {
  const { templates } = deps;
  // `as never`: TypeScript cannot pair a union's template name with its variables inside a call; TemplatedEmail already did.
  const renderEmail = (email: OutgoingEmail | TemplatedEmail): OutgoingEmail =>
    "template" in email ? templates.email(email.template, email.to, email.variables as never) : email;
  const renderSms = (sms: OutgoingSms | TemplatedSms): OutgoingSms => ("template" in sms ? templates.sms(sms.template, sms.to, sms.variables as never) : sms);
  return {
    enqueue: async (executor, email) => void (await deps.outbox.enqueue(executor, renderEmail(email))),
    enqueueSms: async (executor, sms) => void (await deps.outbox.enqueueSms(executor, renderSms(sms))),
    dispatch: () => deps.delivery.nudge(),
    link(page, query) {
      const url = new URL(deps.pages[page], `${deps.baseUrl}/`);
      for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
      return url.toString();
    },
    productName: deps.productName,
  };
}
