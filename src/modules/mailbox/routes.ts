import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { escapeHtml, sendPage } from "../../kernel/http/html.js";
import { DateTime, Nullable } from "../../kernel/http/schemas.js";
import type { Outbox } from "../../kernel/mail/outbox.js";

const MessageSchema = Type.Object({
  id: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  text: Nullable(Type.String()),
  html: Nullable(Type.String()),
  status: Type.String(),
  createdAt: DateTime,
});

const linkify = (text: string) => escapeHtml(text).replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);

/** Development mailbox: every queued email, readable in a browser or as JSON. Never mounted in production. */
export const mailboxRoutes: FastifyPluginAsyncTypebox<{ outbox: Outbox }> = async (app, { outbox }) => {
  const list = async (to?: string) =>
    (await outbox.list({ limit: 100, recipient: to })).map((m) => ({ id: m.id, to: m.recipient, subject: m.subject, text: m.text, html: m.html, status: m.status, createdAt: m.createdAt }));

  app.get(
    "/dev/mailbox/messages",
    {
      schema: {
        tags: ["development"],
        summary: "Development mailbox as JSON (disabled in production)",
        querystring: Type.Object({ to: Type.Optional(Type.String({ maxLength: 254 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ messages: Type.Array(MessageSchema) }) },
      },
    },
    async (request) => ({ messages: await list(request.query.to) }),
  );

  app.get("/dev/mailbox", { schema: { hide: true } }, async (_request, reply) => {
    const messages = await list();
    const items = messages.length
      ? messages
          .map((m) => `<div class="msg"><b>${escapeHtml(m.subject)}</b><br>To: ${escapeHtml(m.to)} · ${m.createdAt.toISOString()} · ${m.status}<pre>${linkify(m.text ?? "")}</pre></div>`)
          .join("")
      : "<p>No messages yet. Register an account and the confirmation email appears here.</p>";
    return sendPage(reply, "Development mailbox", `<h1>Development mailbox</h1><p>Emails Gatehouse has queued, newest first. This page does not exist in production.</p>${items}`);
  });
};
