import { systemContext } from "./kernel/http/request-context.js";
import { ControlCommandError, type ControlCommand } from "./kernel/control/control-socket.js";
import { newestAppliedMigrationMillis } from "./kernel/db/migrate.js";
import type { Gatehouse } from "./gatehouse.js";

/**
 * What a server on the embedded database answers on its control socket: the work of the command
 * line that needs the database the server holds. `gatehouse keys rotate`, `keys rotate-master` and
 * `gatehouse migrate` send these (src/main.ts).
 */
export function controlCommands(gatehouse: Gatehouse): Record<string, ControlCommand> {
  return {
    async "keys.rotate"(args) {
      if (args.immediate !== undefined && typeof args.immediate !== "boolean")
        throw new ControlCommandError("invalid_arguments", "immediate must be true or false.");
      const rotation = await gatehouse.signingKeys.rotate({ immediate: args.immediate === true, context: systemContext("control-socket") });
      return { kid: rotation.kid, activatesAt: rotation.activatesAt.toISOString(), retiredKids: rotation.retiredKids };
    },
    async "keys.rotate-master"() {
      return { ...(await gatehouse.rewrapSealed()), kid: gatehouse.keyring.currentKid };
    },
    // Migrations were applied when the server started; this tells the command line how far.
    async "migrations.status"() {
      return { newestApplied: await newestAppliedMigrationMillis(gatehouse.database) };
    },
  };
}
