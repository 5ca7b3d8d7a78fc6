import type { FastifyInstance, FastifySchema } from "fastify";
import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, removeAdditional: false, useDefaults: true, ...options });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

/**
 * Two validators: bodies are strict (wrong types and unknown fields are errors, never coerced or
 * silently dropped); query strings and params are text on the wire, so they are coerced.
 */
export function registerValidators(app: FastifyInstance): void {
  const strict = createAjv({ coerceTypes: false });
  const coercing = createAjv({ coerceTypes: "array" });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === "body" ? strict.compile(schema as FastifySchema) : coercing.compile(schema as FastifySchema),
  );
}
