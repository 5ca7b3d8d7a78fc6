import { Type } from "typebox";
import { defineComponent } from "../../kernel/http/components.js";
import { IdentityTypeInput } from "../../kernel/http/inputs.js";
import { DateTime, Nullable, Uuid } from "../../kernel/http/schemas.js";
import { exampleUser } from "../accounts/index.js";

export const IdentitySchema = defineComponent(
  "Identity",
  Type.Object(
    {
      id: Uuid,
      userId: Uuid,
      type: IdentityTypeInput,
      value: Type.String({ description: "Normalised: emails lower-cased, phone numbers E.164." }),
      verified: Type.Boolean(),
      verifiedAt: Nullable(DateTime),
      createdAt: DateTime,
    },
    {
      description: "An email address or phone number of a user.",
      examples: [
        {
          id: "9e4c2b7a-3f1d-4a6e-8b5c-0d2f4a6c8e1b",
          userId: exampleUser.id,
          type: "phone",
          value: "+33612345678",
          verified: true,
          verifiedAt: "2025-02-01T18:04:00.000Z",
          createdAt: "2025-02-01T18:02:00.000Z",
        },
      ],
    },
  ),
);
