import type { TemplateCatalogue } from "./kernel/mail/templates/catalogue.js";
import { accountTemplates } from "./modules/accounts/index.js";
import { identityTemplates } from "./modules/identities/index.js";
import { passwordlessTemplates } from "./modules/passwordless/index.js";
import { passwordTemplates } from "./modules/passwords/index.js";
import { sessionTemplates } from "./modules/sessions/index.js";

/**
 * Every message Gatehouse sends, as each module wrote it: a template a module declares but does
 * not define, or defines twice, does not compile here.
 */
export const messageCatalogue = {
  ...accountTemplates,
  ...identityTemplates,
  ...passwordTemplates,
  ...passwordlessTemplates,
  ...sessionTemplates,
} satisfies TemplateCatalogue;
