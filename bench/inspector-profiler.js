/**
 * CPU profiles of exactly the measured window: the harness starts Gatehouse with --inspect on a
 * local port and drives V8's profiler over the DevTools protocol around one measurement, so the
 * profile holds no start-up, warm-up or idle time between targets.
 */
import { writeFileSync } from "node:fs";

export async function connectProfiler(inspectPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  let lastId = 0;
  const pending = new Map();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    const resolve = pending.get(message.id);
    if (resolve) {
      pending.delete(message.id);
      resolve(message);
    }
  });
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      pending.set(id, (message) => (message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result)));
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 500 }); // microseconds
  return {
    start: () => call("Profiler.start"),
    async stopTo(path) {
      const { profile } = await call("Profiler.stop");
      writeFileSync(path, JSON.stringify(profile));
      return path;
    },
    close: () => socket.close(),
  };
}
