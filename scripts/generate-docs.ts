import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configurationDoc, errorsDoc } from "./reference-docs.js";

const docs = join(import.meta.dirname, "..", "docs");
writeFileSync(join(docs, "configuration.md"), configurationDoc());
writeFileSync(join(docs, "errors.md"), errorsDoc());
process.stdout.write("Wrote docs/configuration.md and docs/errors.md\n");
