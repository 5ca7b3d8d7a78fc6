import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";

interface DocumentedResponse {
  content?: Record<string, { examples?: Record<string, unknown> }>;
}

interface Operation {
  operationId?: string;
  responses: Record<string, DocumentedResponse>;
}

type Paths = Record<string, Record<string, Operation>>;

const templateParameter = /\{[^}]+\}/g;

/** The operation describing `method path`: a literal path wins over a templated one, as in Fastify's router. */
export function findOperation(paths: Paths, method: string, path: string): Operation | null {
  const candidates = Object.keys(paths)
    .filter((template) => new RegExp(`^${template.replace(templateParameter, "[^/]+")}$`).test(path))
    .sort((a, b) => (a.match(templateParameter)?.length ?? 0) - (b.match(templateParameter)?.length ?? 0));
  for (const template of candidates) {
    const operation = paths[template]?.[method.toLowerCase()];
    if (operation) return operation;
  }
  return null;
}

function errorCode(response: LightMyRequestResponse): string | null {
  try {
    const code = (response.json() as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? code : null;
  } catch {
    return null;
  }
}

/**
 * Holds every answer of a documented route to /openapi.json: its status must be one the operation
 * lists, and an error's code one of those listed for that status. A 500 is never documented: it is
 * a bug, which the test at hand reports on its own.
 */
export function assertDocumented(paths: Paths, method: string, url: string, response: LightMyRequestResponse): void {
  if (response.statusCode === 500) return;
  const path = new URL(url, "http://test.invalid").pathname;
  const operation = findOperation(paths, method, path);
  if (!operation) return;
  const code = errorCode(response);
  const answer = `${method} ${path} answered ${response.statusCode}${code ? ` ${code}` : ""}`;
  const documented = operation.responses[String(response.statusCode)];
  if (!documented) throw new Error(`${answer}, a status the OpenAPI document does not list for ${operation.operationId}`);
  const examples = documented.content?.["application/json"]?.examples;
  if (code && examples && !(code in examples)) {
    throw new Error(
      `${answer}, a code the OpenAPI document does not list for ${operation.operationId} ${response.statusCode} (add it to the route's errorResponses)`,
    );
  }
}

/** Makes `app.inject` check each answer against the app's OpenAPI document (see `assertDocumented`). */
export function checkResponsesAgainstDocument(app: FastifyInstance): void {
  const inject = app.inject.bind(app) as (options: InjectOptions | string) => Promise<LightMyRequestResponse>;
  const checked = async (options: InjectOptions | string) => {
    const response = await inject(options);
    const { method = "GET", url } = typeof options === "string" ? { url: options } : { method: options.method, url: options.url ?? options.path };
    if (typeof url === "string") assertDocumented((app.swagger() as unknown as { paths: Paths }).paths, String(method), url, response);
    return response;
  };
  Object.assign(app, { inject: checked });
}
