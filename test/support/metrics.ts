import type { Gatehouse } from "../../src/gatehouse.js";

/** How many password hashes or verifications this Gatehouse has run: hash work, counted exactly. */
export async function hashOperations(gatehouse: Gatehouse): Promise<number> {
  const metric = await gatehouse.metrics.passwordHashSeconds.get();
  return metric.values.find((v) => v.metricName === "gatehouse_password_hash_duration_seconds_count")?.value ?? 0;
}
