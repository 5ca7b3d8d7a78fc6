import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertDocumented, findOperation } from "../../../test/support/documented-responses.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { listErrorCodes } from "../errors/app-error.js";

interface Media {
  schema: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Response {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, Media>;
}
interface Operation {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: unknown[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, Response>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> };
}

const ADMIN_TOKEN = "a".repeat(40);
const COMPONENTS = "#/components/schemas/";

function operationsOf(document: Document): Array<{ method: string; path: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ method, path, operation })));
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, found));
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") found.push(child.replace(COMPONENTS, ""));
      else refsIn(child, found);
    }
  }
  return found;
}

function errorResponsesOf(operation: Operation): Array<[number, Response]> {
  return Object.entries(operation.responses)
    .map(([status, response]) => [Number(status), response] as [number, Response])
    .filter(([status]) => status >= 400);
}

/**
 * The API document is what client generators and readers rely on. It is the same on every database,
 * so these tests build the server once, on the first target, with every optional route mounted.
 * @see issue #15 item 16
 */
describe("GET /openapi.json", () => {
  let t: TestGatehouse;
  let document: Document;

  beforeAll(async () => {
    t = await startTestGatehouse(databaseTargets()[0]!, { env: { GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN } });
    const response = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(async () => t?.close());

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("gives every operation a unique camelCase operationId", () => {
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(40);
    const seen = new Map<string, string>();
    for (const { method, path, operation } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(operation.operationId, where).toMatch(/^[a-z][a-zA-Z]+$/);
      expect(seen.get(operation.operationId!), `${where} reuses ${operation.operationId}`).toBeUndefined();
      seen.set(operation.operationId!, where);
    }
    expect(
      Object.fromEntries([...seen].filter(([id]) => ["signIn", "refreshSession", "listMySessions", "requestMagicLink", "registerUser", "getMe"].includes(id))),
    ).toEqual({
      signIn: "POST /v1/sessions",
      refreshSession: "POST /v1/sessions/refresh",
      listMySessions: "GET /v1/sessions",
      requestMagicLink: "POST /v1/magic-links",
      registerUser: "POST /v1/users",
      getMe: "GET /v1/me",
    });
  });

  it("keeps the hosted pages, the mailbox page, the docs and metrics out", () => {
    const paths = Object.keys(document.paths);
    expect(paths.filter((path) => path === "/" || /^\/(ui|docs|metrics|openapi\.json)\b/.test(path) || path === "/dev/mailbox")).toEqual([]);
    expect(paths).toContain("/dev/mailbox/messages");
  });

  it("names the shapes clients use once, under components.schemas, and references them", () => {
    const named = [
      "User",
      "Session",
      "SessionGrant",
      "Identity",
      "PublicProfile",
      "LoginAttempt",
      "OutboxMessage",
      "Error",
      "Accepted",
      "PasswordlessSignIn",
      "AccessPassTokens",
      "AccessPassError",
    ];
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(named));
    expect(Object.keys(document.components.schemas).filter((name) => name.startsWith("def-"))).toEqual([]);
    const byId = new Map(operationsOf(document).map(({ operation }) => [operation.operationId, operation]));
    const successRefs = (id: string) => refsIn(Object.entries(byId.get(id)!.responses).filter(([status]) => Number(status) < 300));
    expect(successRefs("registerUser")).toEqual(["User"]);
    expect(successRefs("getMe")).toEqual(["User"]);
    expect(successRefs("signIn")).toEqual(["SessionGrant"]);
    expect(successRefs("refreshSession")).toEqual(["SessionGrant"]);
    expect(successRefs("listMySessions")).toEqual(["Session"]);
    expect(successRefs("listMyIdentities")).toEqual(["Identity"]);
    expect(successRefs("getUserByUsername")).toEqual(["PublicProfile"]);
    expect(successRefs("listMyLoginHistory")).toEqual(["LoginAttempt"]);
    expect(successRefs("listOutboxMessages")).toEqual(["OutboxMessage"]);
    expect(successRefs("signInWithMagicLink")).toEqual(["PasswordlessSignIn"]);
    expect(successRefs("requestMagicLink")).toEqual(["Accepted"]);
    expect(successRefs("logInToAccessPass")).toEqual(["AccessPassTokens"]);
    // Nested components are references too, not copies.
    expect(refsIn(document.components.schemas.SessionGrant)).toEqual(["Session"]);
    expect(refsIn(document.components.schemas.PasswordlessSignIn).sort()).toEqual(["SessionGrant", "User"]);
  });

  it("answers every error with the Error component (AccessPass with its own), listing defined codes with their status", () => {
    const defined = new Map(listErrorCodes().map((e) => [e.code, e]));
    let listed = 0;
    for (const { method, path, operation } of operationsOf(document)) {
      for (const [status, response] of errorResponsesOf(operation)) {
        const where = `${method.toUpperCase()} ${path} ${status}`;
        if (operation.operationId === "checkReadiness" && status === 503) continue; // a readiness probe's own body
        const media = response.content?.["application/json"];
        expect(media?.schema, where).toEqual({ $ref: `${COMPONENTS}${path.startsWith("/accesspass/") ? "AccessPassError" : "Error"}` });
        const codes = Object.keys(media?.examples ?? {});
        expect(codes.length, where).toBeGreaterThan(0);
        expect(response.description, where).toContain(`\`${codes[0]}\``);
        for (const code of codes) {
          expect(defined.get(code)?.status, `${where} lists ${code}`).toBe(status);
          const example = media!.examples![code]!.value as { error: unknown };
          expect(example.error, where).toEqual(path.startsWith("/accesspass/") ? defined.get(code)!.message : { code, message: defined.get(code)!.message });
          listed++;
        }
        if (status === 429 || status === 503) expect(Object.keys(response.headers ?? {}), where).toEqual(["retry-after"]);
      }
    }
    expect(listed).toBeGreaterThan(200);
  });

  it("documents centrally what every route of a kind can answer", () => {
    const codesAt = (operation: Operation, status: number) => Object.keys(operation.responses[status]?.content?.["application/json"]?.examples ?? {});
    for (const { method, path, operation } of operationsOf(document)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (operation.requestBody) {
        expect(codesAt(operation, 400), where).toEqual(expect.arrayContaining(["validation_failed", "invalid_json", "invalid_encoding"]));
        expect(codesAt(operation, 413), where).toEqual(["payload_too_large"]);
        expect(codesAt(operation, 415), where).toEqual(["unsupported_media_type"]);
      } else {
        expect(operation.responses[413], where).toBeUndefined();
      }
      if (operation.parameters?.some((p) => (p as { in: string }).in !== "header")) expect(codesAt(operation, 400), where).toContain("validation_failed");
      if (path.includes("{")) {
        expect(codesAt(operation, 400), where).toContain("invalid_url");
        expect(codesAt(operation, 414), where).toEqual(["uri_too_long"]);
      }
      for (const scheme of (operation.security ?? []).flatMap((requirement) => Object.keys(requirement))) {
        expect(codesAt(operation, 401), where).toEqual(
          expect.arrayContaining(scheme === "adminToken" ? ["admin_token_invalid"] : ["unauthenticated", "invalid_token"]),
        );
      }
      if (operation.operationId === "checkLiveness") expect(operation.responses[503], where).toBeUndefined();
      else if (operation.operationId !== "checkReadiness") expect(codesAt(operation, 503), where).toContain("service_unavailable");
    }
    const byId = new Map(operationsOf(document).map(({ operation }) => [operation.operationId, operation]));
    // Hashing routes say so; the others do not claim it.
    expect(codesAt(byId.get("signIn")!, 503)).toEqual(["server_busy", "service_unavailable"]);
    expect(codesAt(byId.get("refreshSession")!, 503)).toEqual(["service_unavailable"]);
    expect(codesAt(byId.get("signIn")!, 401)).toEqual(["invalid_credentials"]);
    expect(codesAt(byId.get("addMyIdentity")!, 403)).toEqual(["reauthentication_required", "verified_identity_required"]);
    expect(document.components.securitySchemes).toMatchObject({
      bearerAuth: { type: "http", scheme: "bearer" },
      adminToken: { type: "http", scheme: "bearer" },
    });
  });

  it("gives the main flows request examples that the server itself accepts", async () => {
    const examples = operationsOf(document).flatMap(({ method, path, operation }) => {
      const media = operation.requestBody?.content["application/json"];
      const values = media?.example !== undefined ? [media.example] : Object.values(media?.examples ?? {}).map((e) => e.value);
      return values.map((value) => ({ method, path, operationId: operation.operationId!, value }));
    });
    const exampled = new Set(examples.map((e) => e.operationId));
    for (const id of [
      "registerUser",
      "signIn",
      "refreshSession",
      "requestMagicLink",
      "signInWithMagicLink",
      "requestSignInCode",
      "signInWithCode",
      "confirmEmail",
      "requestPasswordReset",
      "completePasswordReset",
    ]) {
      expect(exampled, id).toContain(id);
    }
    for (const { method, path, operationId, value } of examples.filter((e) => !e.path.includes("{"))) {
      const response: LightMyRequestResponse = await t.app.inject({ method: method.toUpperCase() as "POST", url: path, payload: value as object });
      expect(response.statusCode === 400 && response.json().error?.code === "validation_failed", `${operationId}: ${response.body}`).toBe(false);
    }
  });

  it("holds every example to its schema", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
    const local = (schema: unknown) => JSON.parse(JSON.stringify(schema).replaceAll(`"${COMPONENTS}`, '"')) as object;
    for (const [name, schema] of Object.entries(document.components.schemas)) ajv.addSchema(local(schema), name);
    const samples: Array<{ where: string; schema: object; value: unknown }> = [];
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      for (const value of (schema.examples as unknown[] | undefined) ?? [])
        samples.push({ where: `components.schemas.${name}`, schema: { $ref: name }, value });
    }
    for (const { method, path, operation } of operationsOf(document)) {
      const medias = [operation.requestBody?.content["application/json"], ...Object.values(operation.responses).map((r) => r.content?.["application/json"])];
      for (const media of medias.filter((m): m is Media => m !== undefined)) {
        const values = [...(media.example !== undefined ? [media.example] : []), ...Object.values(media.examples ?? {}).map((e) => e.value)];
        for (const value of values) samples.push({ where: `${method.toUpperCase()} ${path}`, schema: local(media.schema), value });
      }
    }
    expect(samples.length).toBeGreaterThan(250);
    for (const { where, schema, value } of samples) {
      const validate = ajv.compile(schema);
      expect(validate(value) ? null : validate.errors, `${where}: ${JSON.stringify(value)}`).toBeNull();
    }
    // No example carries anything that could pass for a real secret.
    expect(JSON.stringify(samples.map((s) => s.value))).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it("holds test answers to the document: an undocumented status or code is an error", () => {
    const paths = document.paths as Parameters<typeof assertDocumented>[0];
    const answer = (statusCode: number, body: unknown) => ({ statusCode, json: () => body }) as unknown as LightMyRequestResponse;
    expect(findOperation(paths, "DELETE", "/v1/sessions/current")?.operationId).toBe("signOut");
    expect(findOperation(paths, "DELETE", "/v1/sessions/0b5e3c9a-8d2f-4e1a-9c7b-6a5d4e3f2a1b")?.operationId).toBe("revokeMySession");
    expect(() => assertDocumented(paths, "POST", "/v1/sessions", answer(401, { error: { code: "invalid_credentials" } }))).not.toThrow();
    expect(() => assertDocumented(paths, "POST", "/v1/sessions", answer(401, { error: { code: "admin_token_invalid" } }))).toThrow(
      /does not list for signIn 401/,
    );
    expect(() => assertDocumented(paths, "POST", "/v1/sessions", answer(404, { error: { code: "not_found" } }))).toThrow(
      /status the OpenAPI document does not list/,
    );
    expect(() => assertDocumented(paths, "GET", "/no/such/route", answer(404, { error: { code: "not_found" } }))).not.toThrow();
  });
});

describe("GET /openapi.json without the optional routes", () => {
  it("leaves out the components of routes this server does not mount", async () => {
    const t = await startTestGatehouse(databaseTargets()[0]!, { env: { GATEHOUSE_ACCESSPASS_PREFIX: "off", GATEHOUSE_DEV_MAILBOX: "" } });
    try {
      const document: Document = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
      const names = Object.keys(document.components.schemas);
      expect(names).toEqual(expect.arrayContaining(["User", "Session", "SessionGrant", "Error"]));
      for (const unmounted of ["OutboxMessage", "AccessPassTokens", "AccessPassError", "MailboxMessage"]) expect(names).not.toContain(unmounted);
      expect(Object.keys(document.paths).filter((path) => path.startsWith("/v1/admin") || path.startsWith("/accesspass") || path.startsWith("/dev"))).toEqual(
        [],
      );
    } finally {
      await t.close();
    }
  });
});
