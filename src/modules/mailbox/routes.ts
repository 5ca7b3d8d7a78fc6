import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { defineComponent } from "../../kernel/http/components.js";
import { escapeHtml, sendPage } from "../../kernel/http/html.js";
import { DateTime, Nullable } from "../../kernel/http/schemas.js";
import type { Outbox } from "../../kernel/mail/outbox.js";

const MessageSchema = defineComponent(
  "MailboxMessage",
  Type.Object(
    {
      id: Type.String(),
      channel: Type.Union([Type.Literal("email"), Type.Literal("sms")], {
        description: "`sms`: `to` is a phone number, `subject` is empty and `text` is the message.",
      }),
      to: Type.String(),
      subject: Type.String(),
      text: Nullable(Type.String()),
      html: Nullable(Type.String()),
      status: Type.String(),
      createdAt: DateTime,
    },
    { description: "A queued email or text message, as the development mailbox shows it." },
  ),
);

const linkify = (text: string) => escapeHtml(text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);

/** Development mailbox: every queued email and SMS, readable in a browser or as JSON. Never mounted in production or on a public address. */
export const mailboxRoutes: FastifyPluginAsyncTypebox<{ outbox: Outbox }> = async (app, { outbox }) => {
  const list = async (to?: string) =>
    (await outbox.list({ limit: 100, recipient: to })).map((m) => ({
      id: m.id,
      channel: m.channel,
      to: m.recipient,
      subject: m.subject,
      text: m.text,
      html: m.channel === "sms" ? null : m.html,
      status: m.status,
      createdAt: m.createdAt,
    }));

  app.get(
    "/dev/mailbox/messages",
    {
      schema: {
        tags: ["development"],
        operationId: "listMailboxMessages",
        summary: "Development mailbox as JSON (only on a loopback address, never in production)",
        querystring: Type.Object(
          { to: Type.Optional(Type.String({ maxLength: 254, description: "Email address or E.164 phone number." })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ messages: Type.Array(MessageSchema) }) },
      },
    },
    async (request) => ({ messages: await list(request.query.to) }),
  );

  app.get("/dev/mailbox", { schema: { hide: true } }, async (_request, reply) => {
    const messages = await list();
    const items = messages.length
      ? messages
          .map((m) => {
            const heading = m.channel === "sms" ? `<b>SMS</b> to ${escapeHtml(m.to)}` : `<b>${escapeHtml(m.subject)}</b><br>Email to ${escapeHtml(m.to)}`;
            return `<div class="msg ${m.channel}">${heading} · ${m.createdAt.toISOString()} · ${m.status}<pre>${linkify(m.text ?? "")}</pre></div>`;
          })
          .join("")
      : "<p>No messages yet. Register an account and the confirmation email appears here.</p>";
    return sendPage(
      reply,
      "Development mailbox",
      `<h1>Development mailbox</h1><p>Emails and text messages Gatehouse has queued, newest first. This page exists only on a development server reachable from this machine (or with GATEHOUSE_DEV_MAILBOX=true), never in production.</p>${items}`,
      200,
      { wide: true },
    );
  });
};
