/**
 * Baseline "crypto + framework limit": a bare Fastify route that verifies an EdDSA (Ed25519) access
 * token with jose, pinning algorithm, type, issuer and audience as Gatehouse does, and answers a small
 * JSON body. No database, no logger, no hooks.
 *
 * Usage: node jwt-server.js '{"port":4101,"tokensFile":"/tmp/x.json","tokenCount":1000}'
 * Writes `tokenCount` distinct tokens (distinct subjects and sessions) to tokensFile, then listens.
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import Fastify from "fastify";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";

const spec = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${spec.port}`;
const audience = "gatehouse";
const typ = "at+jwt";

const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
const now = Math.floor(Date.now() / 1000);
const tokens = [];
for (let i = 0; i < spec.tokenCount; i++) {
  tokens.push(
    await new SignJWT({ sid: randomUUID(), roles: [] })
      .setProtectedHeader({ alg: "EdDSA", typ, kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(randomUUID())
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 6 * 3600)
      .sign(privateKey),
  );
}
writeFileSync(spec.tokensFile, JSON.stringify(tokens));

const app = Fastify({ logger: false });
app.get("/check", async (request, reply) => {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "");
  if (!match) return reply.code(401).send({ error: "unauthenticated" });
  try {
    const { payload } = await jwtVerify(match[1], publicKey, {
      algorithms: ["EdDSA"],
      typ,
      issuer,
      audience,
      requiredClaims: ["sub", "sid", "jti", "iat", "exp"],
    });
    return { sub: payload.sub, sid: payload.sid };
  } catch {
    return reply.code(401).send({ error: "invalid_token" });
  }
});
app.get("/healthz", async () => ({ status: "ok" }));
await app.listen({ port: spec.port, host: "127.0.0.1" });
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
