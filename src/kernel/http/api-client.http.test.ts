import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

const ROOT = resolve(import.meta.dirname, "../../..");

/**
 * A client written against types generated from the live document, the way docs/api-guide.md tells
 * an application to: if a name it uses is missing, or a shape is wrong or loose (`any`), it does
 * not compile. The `@ts-expect-error` lines fail when the types accept what the server refuses.
 */
const CLIENT = `
import createClient from "openapi-fetch";
import type { components, operations, paths } from "./gatehouse.js";

type User = components["schemas"]["User"];
type Session = components["schemas"]["Session"];
type SessionGrant = components["schemas"]["SessionGrant"];
type ErrorBody = components["schemas"]["Error"];
type SignInBody = paths["/v1/sessions"]["post"]["requestBody"]["content"]["application/json"];
type SignedIn = operations["signIn"]["responses"][201]["content"]["application/json"];
type SignInRefused = operations["signIn"]["responses"][401]["content"]["application/json"];

const gatehouse = createClient<paths>({ baseUrl: "https://gatehouse.example.com" });

export async function signIn(body: SignInBody): Promise<Session | ErrorBody> {
  const { data, error } = await gatehouse.POST("/v1/sessions", { body });
  if (error) return error;
  const grant: SessionGrant = data;
  return grant.session;
}

export async function me(accessToken: string): Promise<User["email"]> {
  const { data, error } = await gatehouse.GET("/v1/me", { headers: { authorization: \`Bearer \${accessToken}\` } });
  if (error) throw new Error(error.error.code);
  const user: User = data.user;
  return user.email;
}

export async function revoke(sessionId: string): Promise<void> {
  await gatehouse.DELETE("/v1/sessions/{sessionId}", { params: { path: { sessionId } } });
}

export const refused: SignInRefused = { error: { code: "invalid_credentials", message: "The login or password is not correct." } };
export const granted = (grant: SignedIn): string => grant.refreshToken;
export const session: Session = {
  id: "c3d9a1f2-6b4e-4c8a-9f1d-7e2b5a8c0d34",
  userId: "5b0f6c1e-8d2a-4f4b-9c3e-2a7d1e6f8b90",
  method: "password",
  ip: null,
  userAgent: null,
  createdAt: "2025-03-02T08:15:00.000Z",
  lastUsedAt: "2025-03-02T08:15:00.000Z",
  expiresAt: "2025-04-01T08:15:00.000Z",
};

// @ts-expect-error a sign-in needs a password
export const withoutPassword: SignInBody = { login: "ada@example.com" };
// @ts-expect-error an error's code is a string
export const numericCode: ErrorBody = { error: { code: 401, message: "no" } };
// @ts-expect-error a session's id is not optional
export const anonymous: Session = { ...session, id: undefined };
// @ts-expect-error there is no such path
void gatehouse.GET("/v1/no-such-route");
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: "ES2023",
    lib: ["ES2023", "DOM"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    skipLibCheck: true,
    types: [],
  },
  files: ["client.ts"],
};

describe("a TypeScript client generated from /openapi.json", () => {
  let t: TestGatehouse;
  let dir: string;
  let types: string;

  beforeAll(async () => {
    t = await startTestGatehouse(databaseTargets()[0]!);
    types = astToString(await openapiTS((await t.app.inject({ method: "GET", url: "/openapi.json" })).json() as OpenAPI3));
    dir = mkdtempSync(join(tmpdir(), "gatehouse-client-"));
    // The client resolves openapi-fetch (and tsc its libraries) from the project's node_modules.
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG));
    writeFileSync(join(dir, "gatehouse.d.ts"), types);
    writeFileSync(join(dir, "client.ts"), CLIENT);
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("names User, Session and Error, and each operation by its operationId", () => {
    for (const name of ["User", "Session", "SessionGrant", "Error", "Identity", "PublicProfile", "LoginAttempt"])
      expect(types).toMatch(new RegExp(`^        ${name}: \\{`, "m"));
    for (const operationId of ["signIn", "refreshSession", "listMySessions", "requestMagicLink"])
      expect(types).toMatch(new RegExp(`^    ${operationId}: \\{`, "m"));
  });

  it("compiles with the project's TypeScript, and refuses what the server refuses", async () => {
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const run = await promisify(execFile)(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { cwd: dir }).then(
      () => ({ code: 0, output: "" }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
    );
    expect(run).toEqual({ code: 0, output: "" });
  }, 60_000);
});
