import type { FastifyInstance, FastifySchema } from "fastify";
import { Ajv, type AnySchema, type Options } from "ajv";
import addFormats from "ajv-formats";

function createAjv(options: Options, sharedSchemas: AnySchema[]): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, removeAdditional: false, useDefaults: true, ...options });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv.addSchema(sharedSchemas);
}

/**
 * Two validators: bodies are strict (wrong types and unknown fields are errors, never coerced or
 * silently dropped); query strings and params are text on the wire, so they are coerced. Both
 * resolve `$ref`s to `sharedSchemas` (the components), which Fastify does not hand a custom validator.
 */
export function registerValidators(app: FastifyInstance, sharedSchemas: AnySchema[]): void {
  const strict = createAjv({ coerceTypes: false }, sharedSchemas);
  const coercing = createAjv({ coerceTypes: "array" }, sharedSchemas);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === "body" ? strict.compile(schema as FastifySchema) : coercing.compile(schema as FastifySchema),
  );
}
