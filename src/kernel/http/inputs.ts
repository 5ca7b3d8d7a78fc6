import { Type } from "typebox";

// The input shapes several modules' routes accept; services still normalise and check them.

export const EmailInput = Type.String({ format: "email", maxLength: 254, description: "Compared case-insensitively." });

export const UsernameInput = Type.String({
  minLength: 3,
  maxLength: 64,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
  description: "Letters, digits, dot, underscore, hyphen; starts with a letter or digit; unique case-insensitively.",
});

export const IdentityTypeInput = Type.Union([Type.Literal("email"), Type.Literal("phone")], { description: "`email` or `phone`." });

export const IdentityValueInput = Type.String({
  minLength: 1,
  maxLength: 254,
  description: "An email address, or a phone number in international form (`+33612345678`; spaces and dashes are fine).",
});

export const CodeInput = Type.String({ pattern: "^[0-9]{6,10}$", description: "The numeric code as received." });
