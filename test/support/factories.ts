import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";

export const STRONG_PASSWORD = "plinth gravel oyster mantis";
export const OTHER_STRONG_PASSWORD = "purple monkey dishwasher sunrise";

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}.${randomBytes(5).toString("hex")}@example.com`;
}

export function uniqueUsername(prefix = "user"): string {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

/** Registers a user over HTTP and returns its id, email and username. */
export async function registerUser(app: FastifyInstance, overrides: Record<string, unknown> = {}) {
  const email = (overrides.email as string) ?? uniqueEmail();
  const password = (overrides.password as string) ?? STRONG_PASSWORD;
  const response = await app.inject({
    method: "POST",
    url: "/v1/users",
    payload: { email, password, passwordConfirmation: password, ...overrides },
  });
  if (response.statusCode !== 201) throw new Error(`registration failed: ${response.statusCode} ${response.body}`);
  const user = response.json().user as { id: string; email: string; username: string | null };
  return { ...user, password };
}

/** Signs in over HTTP and returns the grant. */
export async function signIn(app: FastifyInstance, login: string, password = STRONG_PASSWORD, headers: Record<string, string> = {}) {
  const response = await app.inject({ method: "POST", url: "/v1/sessions", payload: { login, password }, headers });
  if (response.statusCode !== 201) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  return response.json() as { accessToken: string; refreshToken: string; expiresIn: number; refreshExpiresIn: number; session: { id: string } };
}

export const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });
