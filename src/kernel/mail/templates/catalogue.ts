import type { EmailLayoutInput } from "../layout.js";

/**
 * What each template needs from its caller, by name. Empty here: each module adds its own templates
 * by declaration merging (its templates.ts), so the kernel renders them without knowing their
 * wording. Every template also receives `productName` and `to` (the recipient), and `ttlSeconds`
 * becomes `expiresIn` ("15 minutes") for the text.
 */
export interface TemplateVariables {}

/** Templates that are also sent by SMS, marked by their modules the same way. */
export interface SmsTemplates {}

export type TemplateName = keyof TemplateVariables;
export type SmsTemplateName = keyof SmsTemplates & TemplateName;

/** A built-in template: its caller's variables, an email layout and optional SMS text, with `{{variable}}` placeholders. */
export interface BuiltInTemplate<N extends TemplateName> {
  variables: ReadonlyArray<keyof TemplateVariables[N]>;
  email: Omit<EmailLayoutInput, "productName">;
  sms?: string;
}

/** Every template's built-in wording: what the modules define, put together by createGatehouse. */
export type TemplateCatalogue = { [N in TemplateName]: BuiltInTemplate<N> };

/** A module's templates, checked against the variables it declared for them. */
export function defineTemplates<T extends Partial<TemplateCatalogue>>(templates: T): T {
  return templates;
}

export const templateNamesOf = (catalogue: TemplateCatalogue) => Object.keys(catalogue) as TemplateName[];

export const isTemplateName = (catalogue: TemplateCatalogue, name: string): name is TemplateName => Object.hasOwn(catalogue, name);

export const isSmsTemplate = (catalogue: TemplateCatalogue, name: string): name is SmsTemplateName =>
  isTemplateName(catalogue, name) && catalogue[name].sms !== undefined;

/** The placeholders a template may use: the caller's variables plus those every template gets. */
export function placeholdersOf(catalogue: TemplateCatalogue, name: TemplateName): string[] {
  const own = catalogue[name].variables.map(String);
  return ["productName", "to", ...own, ...(own.includes("ttlSeconds") ? ["expiresIn"] : [])];
}
