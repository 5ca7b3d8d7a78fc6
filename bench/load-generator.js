/**
 * The load generator: a long-lived child process (so it never shares an event loop with the server
 * or the harness) that runs autocannon on request over IPC. HTTP/1.1 keep-alive, one request in
 * flight per connection (no pipelining).
 *
 * A run lasts rampSeconds + durationSeconds; only responses that complete in the last
 * durationSeconds count towards throughput and latency, so the start-up burst (50 requests arriving
 * at once, which for sign-in means 50 password hashes queued before the first answer) is not
 * mistaken for steady state. Unexpected statuses, socket errors and timeouts are counted over the
 * whole run: none is hidden.
 *
 * Message in:  { id, url, scenario, connections, rampSeconds, durationSeconds, timeoutSeconds }
 * Message out: { id, result } or { id, error }
 */
import autocannon from "autocannon";
import { createCheck, scenarioOptions } from "./load-scenarios.js";

const percentile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);

async function run({ url, scenario, connections, rampSeconds = 0, durationSeconds, timeoutSeconds }) {
  const start = performance.now();
  const window = { from: start + rampSeconds * 1000, to: start + (rampSeconds + durationSeconds) * 1000 };
  const inWindow = () => {
    const now = performance.now();
    return now >= window.from && now <= window.to;
  };
  const check = createCheck(inWindow);
  const latencies = [];
  const options = scenarioOptions(scenario, connections, check);
  const setupScenario = options.setupClient;
  options.setupClient = (client) => {
    setupScenario(client);
    client.on("response", (status, _bytes, ms) => {
      if (status >= 200 && status < 300 && inWindow()) latencies.push(ms);
    });
  };
  const result = await autocannon({ url, connections, pipelining: 1, duration: rampSeconds + durationSeconds, timeout: timeoutSeconds, ...options });
  latencies.sort((a, b) => a - b);
  const unexpected = check.unexpected;
  return {
    ok: check.windowOk,
    rps: check.windowOk / durationSeconds,
    rampSeconds,
    durationSeconds,
    responses: result.requests.total,
    latency: { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? null },
    unexpected,
    socketErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    errors: Object.values(unexpected).reduce((a, b) => a + b, 0) + result.errors,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
  };
}

process.on("message", (message) => {
  if (message === "exit") process.exit(0);
  run(message).then(
    (result) => process.send({ id: message.id, result }),
    (error) => process.send({ id: message.id, error: String(error?.stack ?? error) }),
  );
});
process.send({ ready: true });
