import { isUtf8 } from "node:buffer";
import type { FastifyInstance } from "fastify";
import secureJson from "secure-json-parse";
import { AppError } from "../errors/app-error.js";
import { KernelErrors } from "../errors/kernel-errors.js";

function rejectNullCharacters(key: string, value: unknown): unknown {
  // PostgreSQL text cannot hold U+0000 (in keys or values), and no legitimate field needs it.
  if (key.includes("\u0000") || (typeof value === "string" && value.includes("\u0000"))) {
    throw new AppError(KernelErrors.invalid_encoding);
  }
  return value;
}

/**
 * Replaces Fastify's JSON parser: invalid UTF-8 is an error (not silently replaced with U+FFFD),
 * null characters are refused, and `__proto__`/`constructor` keys are rejected (prototype poisoning).
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  // The API speaks JSON only: anything else is 415, not a string handed to validation.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json$/, { parseAs: "buffer" }, (_request, body: Buffer, done) => {
    if (body.length === 0) return done(null, undefined);
    if (!isUtf8(body) || body.includes(0)) return done(new AppError(KernelErrors.invalid_encoding), undefined);
    try {
      const text = body.toString("utf8");
      const parsed: unknown = secureJson.parse(text, rejectNullCharacters, {
        protoAction: "error",
        constructorAction: "error",
      });
      done(null, parsed);
    } catch (error) {
      done(error instanceof AppError ? error : new AppError(KernelErrors.invalid_json), undefined);
    }
  });
}
