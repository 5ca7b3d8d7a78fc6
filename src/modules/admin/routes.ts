import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requestContext } from "../../kernel/http/request-context.js";
import { defineComponent } from "../../kernel/http/components.js";
import { DateTime, errorResponses, Nullable, Uuid } from "../../kernel/http/schemas.js";
import type { Outbox, OutboxMessage } from "../../kernel/mail/outbox.js";
import type { RequirePermission } from "../../kernel/http/permission.js";
import type { AdminService } from "./service.js";
import { AdminErrors } from "./errors.js";

const tags = ["admin"];

// No bodies: they hold live links and codes. An operator sees where a message goes and why it failed.
const OutboxMessageSchema = defineComponent(
  "OutboxMessage",
  Type.Object(
    {
      id: Uuid,
      channel: Type.Union([Type.Literal("email"), Type.Literal("sms")]),
      to: Type.String(),
      subject: Type.String(),
      messageId: Type.String({ description: "Message-ID fixed at enqueue time; every retry carries the same one." }),
      status: Type.Union([Type.Literal("pending"), Type.Literal("sending"), Type.Literal("sent"), Type.Literal("failed")]),
      attempts: Type.Integer(),
      lastError: Nullable(Type.String()),
      nextAttemptAt: DateTime,
      createdAt: DateTime,
      sentAt: Nullable(DateTime),
    },
    {
      description: "A queued email or text message, without its body.",
      examples: [
        {
          id: "6d7e8f90-1a2b-4c3d-9e4f-5a6b7c8d9e0f",
          channel: "email",
          to: "ada@example.com",
          subject: "Confirm your email address",
          messageId: "<6d7e8f90-1a2b-4c3d-9e4f-5a6b7c8d9e0f@gatehouse.example.com>",
          status: "failed",
          attempts: 8,
          lastError: "connect ECONNREFUSED 192.0.2.25:587",
          nextAttemptAt: "2025-03-02T09:00:00.000Z",
          createdAt: "2025-03-02T08:15:00.000Z",
          sentAt: null,
        },
      ],
    },
  ),
);

const toView = (m: OutboxMessage) => ({
  id: m.id,
  channel: m.channel,
  to: m.recipient,
  subject: m.subject,
  messageId: m.messageId,
  status: m.status,
  attempts: m.attempts,
  lastError: m.lastError,
  nextAttemptAt: m.nextAttemptAt,
  createdAt: m.createdAt,
  sentAt: m.sentAt,
});

/** /v1/admin/outbox: what operators see of queued messages, and retrying those that failed. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ requirePermission: RequirePermission; outbox: Outbox; admin: AdminService }> = async (
  app,
  { requirePermission, outbox, admin },
) => {
  app.get(
    "/v1/admin/outbox",
    {
      schema: {
        tags,
        operationId: "listOutboxMessages",
        security: [{ adminToken: [] }],
        summary: "Queued messages, newest first; `status=failed` lists those that ran out of attempts",
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal("pending"), Type.Literal("sending"), Type.Literal("sent"), Type.Literal("failed")])),
            channel: Type.Optional(Type.Union([Type.Literal("email"), Type.Literal("sms")])),
            to: Type.Optional(Type.String({ maxLength: 254, description: "Email address or E.164 phone number." })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ messages: Type.Array(OutboxMessageSchema) }) },
      },
      preHandler: requirePermission("outbox:read"),
    },
    async (request) => {
      const { status, channel, to, limit } = request.query;
      return { messages: (await outbox.list({ limit, status, channel, recipient: to })).map(toView) };
    },
  );

  app.post(
    "/v1/admin/outbox/:id/retry",
    {
      schema: {
        tags,
        operationId: "retryOutboxMessage",
        security: [{ adminToken: [] }],
        summary: "Queue a failed message again, with a fresh set of attempts and the same Message-ID",
        params: Type.Object({ id: Uuid }),
        response: {
          200: Type.Object({ message: OutboxMessageSchema }),
          ...errorResponses(AdminErrors.outbox_message_not_found, AdminErrors.outbox_message_not_failed),
        },
      },
      preHandler: requirePermission("outbox:retry"),
    },
    async (request) => ({ message: toView(await admin.retryOutboxMessage(request.params.id, requestContext(request))) }),
  );
};
