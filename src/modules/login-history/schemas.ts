import { Type } from "typebox";
import { defineComponent } from "../../kernel/http/components.js";
import { DateTime, Nullable, Uuid } from "../../kernel/http/schemas.js";

export const LoginAttemptSchema = defineComponent(
  "LoginAttempt",
  Type.Object(
    {
      id: Uuid,
      method: Type.String(),
      succeeded: Type.Boolean(),
      reason: Nullable(Type.String({ description: "Why an attempt failed: wrong_password, throttled, email_not_confirmed, …" })),
      ip: Nullable(Type.String()),
      userAgent: Nullable(Type.String()),
      createdAt: DateTime,
    },
    {
      description: "One sign-in attempt on the account, successful or not.",
      examples: [
        {
          id: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
          method: "password",
          succeeded: false,
          reason: "wrong_password",
          ip: "198.51.100.23",
          userAgent: "curl/8.5.0",
          createdAt: "2025-03-02T08:14:12.000Z",
        },
      ],
    },
  ),
);
