import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance, FastifySchema, RouteOptions } from "fastify";
import type { ErrorDefinition } from "../errors/app-error.js";
import { KernelErrors } from "../errors/kernel-errors.js";
import { listComponents } from "./components.js";
import { errorShapeOf } from "./error-handler.js";
import { errorResponsesFor, mergeErrorResponses } from "./error-responses.js";

const COMPONENTS_PATH = "#/components/schemas/";

export interface SecurityScheme {
  /** The OpenAPI security scheme object (`components.securitySchemes`). */
  scheme: { type: "http"; scheme: "bearer"; bearerFormat?: string; description?: string };
  /** What a request without valid credentials for it is answered (its 401s). */
  errors: ErrorDefinition[];
}

export interface ApiDocumentOptions {
  title: string;
  version: string;
  description: string;
  baseUrl: string;
  securitySchemes: Record<string, SecurityScheme>;
}

function hasInput(schema: FastifySchema): boolean {
  const headers = schema.headers as { required?: unknown[] } | undefined;
  return Boolean(schema.body || schema.querystring || schema.params || headers?.required?.length);
}

/**
 * The errors any route of its kind can answer, whatever it does: the router's for path parameters
 * (kernel/http/error-handler.ts `renderRouterError`); validation for input; parsing and size limits
 * for a body; the 401s of its security schemes; and, unless it answers from the process alone, 503
 * for a dependency that does not answer. Declared here, a new route cannot forget them.
 */
function commonErrors(route: RouteOptions, schemes: Record<string, SecurityScheme>): ErrorDefinition[] {
  const schema = route.schema!;
  const errors: ErrorDefinition[] = [];
  if (route.url.includes("/:")) errors.push(KernelErrors.invalid_url, KernelErrors.uri_too_long);
  if (hasInput(schema)) errors.push(KernelErrors.validation_failed);
  if (schema.body) errors.push(KernelErrors.invalid_json, KernelErrors.invalid_encoding, KernelErrors.payload_too_large, KernelErrors.unsupported_media_type);
  for (const name of (schema.security ?? []).flatMap((requirement) => Object.keys(requirement))) {
    const scheme = schemes[name];
    if (!scheme) throw new Error(`${route.method} ${route.url}: unknown security scheme "${name}"`);
    errors.push(...scheme.errors);
  }
  if (!schema.selfContained) errors.push(KernelErrors.service_unavailable);
  return errors;
}

/** The component names `value` references, directly or through other components. */
function referencedComponents(value: unknown, components: Record<string, unknown>, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedComponents(item, components, found);
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string" && child.startsWith(COMPONENTS_PATH)) {
        const name = child.slice(COMPONENTS_PATH.length);
        if (!found.has(name)) {
          found.add(name);
          referencedComponents(components[name], components, found);
        }
      } else referencedComponents(child, components, found);
    }
  }
  return found;
}

/** Components of routes this server does not mount (admin, AccessPass, the mailbox) are left out. */
function withoutUnusedComponents<D extends { paths?: unknown; components?: { schemas?: unknown } }>(document: D): D {
  const components = (document.components?.schemas ?? {}) as Record<string, unknown>;
  const used = referencedComponents(document.paths, components);
  const schemas = Object.fromEntries(Object.entries(components).filter(([name]) => used.has(name)));
  return { ...document, components: { ...document.components, schemas } };
}

/**
 * The OpenAPI 3.1 document at /openapi.json and the interactive docs at /docs, generated from the
 * routes' schemas. Register it after the error handler and before the routes: its hook completes
 * each documented route's error responses (which Fastify then also serializes with).
 */
export async function registerApiDocument(app: FastifyInstance, options: ApiDocumentOptions): Promise<void> {
  for (const component of listComponents()) app.addSchema(component);

  app.addHook("onRoute", function documentCommonErrors(this: FastifyInstance, route) {
    if (!route.schema || route.schema.hide) return;
    const shape = errorShapeOf(this);
    if (!shape) throw new Error(`${route.method} ${route.url} is documented, but its error handler registered no error shape`);
    const extra = errorResponsesFor(shape, commonErrors(route, options.securitySchemes));
    route.schema = { ...route.schema, response: mergeErrorResponses((route.schema.response as Record<string, unknown> | undefined) ?? {}, extra) };
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: options.title, version: options.version, description: options.description },
      servers: [{ url: options.baseUrl }],
      components: { securitySchemes: Object.fromEntries(Object.entries(options.securitySchemes).map(([name, { scheme }]) => [name, scheme])) },
    },
    // Components keep their names (`User`, not `def-0`) in `components.schemas`.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
    transformObject: (document) => ("openapiObject" in document ? withoutUnusedComponents(document.openapiObject) : document.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
