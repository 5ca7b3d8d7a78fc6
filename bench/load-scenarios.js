/**
 * What the load generator sends, per scenario. Each scenario returns autocannon options whose
 * `setupClient` gives every connection its own request with its own state (autocannon resets a
 * connection's `context` after each request when there is only one, so state lives in closures).
 * Every response is checked: the expected status and a body that looks right; anything else is
 * counted as unexpected, by status.
 */
import { readFileSync } from "node:fs";
import { emailFor, passwordFor } from "./bench-users.js";

const files = new Map();
const readJson = (path) => {
  if (!files.has(path)) files.set(path, JSON.parse(readFileSync(path, "utf8")));
  return files.get(path);
};

// A multiplier coprime with any user count below it that is not one of its multiples: visits every
// user of a range once per lap, scattered over the index instead of in order.
const SCATTER = 2_654_435_761;
const counters = new Map();
const nextIndex = (key) => {
  const n = counters.get(key) ?? 0;
  counters.set(key, n + 1);
  return n;
};

/** Counts right answers inside the measurement window and wrong ones anywhere, by status. */
export function createCheck(inWindow) {
  const check = { windowOk: 0, unexpected: {} };
  check.record = (passed, status) => {
    if (!passed) check.unexpected[status] = (check.unexpected[status] ?? 0) + 1;
    else if (inWindow()) check.windowOk++;
  };
  return check;
}

const JSON_HEADERS = { "content-type": "application/json" };

/** Builds autocannon options for `scenario` with `connections` connections; `check` counts outcomes. */
export function scenarioOptions(scenario, connections, check) {
  let clientCount = 0;
  const perClient = (build) => (client) => client.setRequests([build(clientCount++, client)]);

  switch (scenario.kind) {
    // GET with a bearer-style token per request, cycling through many distinct tokens.
    case "token-check": {
      const tokens = readJson(scenario.tokensFile).map((t) => (typeof t === "string" ? t : t.accessToken));
      const header = scenario.header ?? "authorization";
      const value = header === "authorization" ? (t) => `Bearer ${t}` : (t) => t;
      return {
        setupClient: perClient((k) => {
          let i = Math.floor((k * tokens.length) / connections);
          return {
            method: "GET",
            path: scenario.path,
            setupRequest(request) {
              request.headers = { ...request.headers, [header]: value(tokens[i++ % tokens.length]) };
              return request;
            },
            onResponse: (status, body) => check.record(status === 200 && body.includes(scenario.bodyIncludes), status),
          };
        }),
      };
    }

    // POST /v1/sessions as users of a seeded set, each once per lap.
    case "sign-in": {
      const { prefix, userCount } = scenario;
      return {
        setupClient: perClient(() => ({
          method: "POST",
          path: "/v1/sessions",
          headers: JSON_HEADERS,
          setupRequest(request) {
            const i = Number((BigInt(nextIndex(`sign-in:${prefix}`)) * BigInt(SCATTER)) % BigInt(userCount));
            request.body = JSON.stringify({ login: emailFor(prefix, i), password: passwordFor(prefix, i) });
            return request;
          },
          onResponse: (status, body) => check.record(status === 201 && body.includes('"accessToken"'), status),
        })),
      };
    }

    // POST /v1/users with a new address every time.
    case "register": {
      const tag = `${scenario.tag}-${Date.now().toString(36)}`;
      return {
        setupClient: perClient(() => ({
          method: "POST",
          path: "/v1/users",
          headers: JSON_HEADERS,
          setupRequest(request) {
            const n = nextIndex("register");
            const password = `register-${n % 97}-staple-battery-horse`;
            request.body = JSON.stringify({ email: `reg-${tag}-${n}@bench.example`, password, passwordConfirmation: password });
            return request;
          },
          onResponse: (status, body) => check.record(status === 201 && body.includes('"id"'), status),
        })),
      };
    }

    // POST /v1/sessions/refresh. Each connection owns a slice of fresh sessions, takes them in turn
    // and always presents the newest refresh token it received for that session: a spent one would
    // (rightly) revoke the session. A session whose answer is lost (timeout) or refused leaves the
    // rotation, and the error is counted.
    case "refresh": {
      const all = readJson(scenario.sessionsFile).slice(scenario.from, scenario.to);
      const per = Math.floor(all.length / connections);
      if (per < 1) throw new Error(`refresh: ${all.length} sessions for ${connections} connections`);
      return {
        setupClient: perClient((k, client) => {
          const mine = all.slice(k * per, (k + 1) * per).map((g) => ({ token: g.refreshToken, alive: true }));
          let cursor = 0;
          let inFlight = null;
          client.on("timeout", () => {
            if (inFlight) inFlight.alive = false;
            inFlight = null;
          });
          return {
            method: "POST",
            path: "/v1/sessions/refresh",
            headers: JSON_HEADERS,
            setupRequest(request) {
              let session = null;
              for (let n = 0; n < mine.length && !session; n++) {
                const candidate = mine[cursor++ % mine.length];
                if (candidate.alive) session = candidate;
              }
              // Every session of this connection is gone: keep sending (and counting) a spent one.
              inFlight = session ?? mine[0];
              request.body = JSON.stringify({ refreshToken: inFlight.token });
              return request;
            },
            onResponse(status, body) {
              const session = inFlight;
              inFlight = null;
              let next = null;
              if (status === 200) {
                try {
                  next = JSON.parse(body).refreshToken;
                } catch {
                  next = null;
                }
              }
              if (session) {
                if (typeof next === "string") session.token = next;
                else session.alive = false;
              }
              check.record(typeof next === "string", status);
            },
          };
        }),
      };
    }

    // POST /rotate on the write-limit baseline, one session id per request, many sessions.
    case "write-baseline": {
      const ids = readJson(scenario.sessionsFile);
      return {
        setupClient: perClient((k) => {
          let i = Math.floor((k * ids.length) / connections);
          return {
            method: "POST",
            path: "/rotate",
            headers: JSON_HEADERS,
            setupRequest(request) {
              request.body = JSON.stringify({ sessionId: ids[i++ % ids.length] });
              return request;
            },
            onResponse: (status, body) => check.record(status === 200 && body.includes('"refreshToken"'), status),
          };
        }),
      };
    }

    default:
      throw new Error(`unknown scenario ${scenario.kind}`);
  }
}
