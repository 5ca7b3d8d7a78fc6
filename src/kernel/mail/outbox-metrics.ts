import type { Registry } from "prom-client";
import { scrapedGauge } from "../metrics/metrics.js";
import type { Clock } from "../time/clock.js";
import type { Outbox, OutboxBacklog } from "./outbox.js";

/**
 * Outbox gauges, read from the table at scrape time, so every node reports the shared queue as it
 * is: messages owed (pending, sending, failed) and how long the oldest pending one has waited.
 * Alert on a growing age (delivery is stuck) and on any failed message (an operator must look).
 */
export function registerOutboxMetrics(registry: Registry, outbox: Outbox, clock: Clock): void {
  // Both gauges are collected in the same scrape: one query serves them.
  let reading: Promise<OutboxBacklog> | null = null;
  const backlog = () => (reading ??= outbox.backlog().finally(() => (reading = null)));

  scrapedGauge(registry, { name: "gatehouse_outbox_messages", help: "Outbox messages not yet delivered, by status.", labelNames: ["status"] }, async () => {
    const { pending, sending, failed } = await backlog();
    return [
      { labels: { status: "pending" }, value: pending },
      { labels: { status: "sending" }, value: sending },
      { labels: { status: "failed" }, value: failed },
    ];
  });
  scrapedGauge(
    registry,
    {
      name: "gatehouse_outbox_oldest_pending_age_seconds",
      help: "Time the oldest pending outbox message has waited since it was queued; 0 when none is pending.",
    },
    async () => {
      const { oldestPendingAt } = await backlog();
      return [{ value: oldestPendingAt ? Math.max(0, (clock.now().getTime() - oldestPendingAt.getTime()) / 1000) : 0 }];
    },
  );
}
