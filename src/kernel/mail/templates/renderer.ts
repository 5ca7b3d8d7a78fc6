import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../config/load-config.js";
import { escapeHtml } from "../../http/html.js";
import { describeDuration, renderEmail } from "../layout.js";
import type { OutgoingEmail, OutgoingSms } from "../message.js";
import {
  isSmsTemplate,
  isTemplateName,
  placeholdersOf,
  templateNamesOf,
  type SmsTemplateName,
  type TemplateCatalogue,
  type TemplateName,
  type TemplateVariables,
} from "./catalogue.js";

/**
 * Renders named messages: the built-in wording, or files from GATEHOUSE_TEMPLATES_DIR that replace
 * parts of it. Services never read template files; they name a template and pass its variables.
 */
export interface MessageTemplates {
  /** Subject, text and HTML of an email. Values are HTML-escaped in the HTML part only. */
  email<N extends TemplateName>(name: N, to: string, variables: TemplateVariables[N]): OutgoingEmail;
  /** The text of an SMS (only templates that have one: codes and identity notices). */
  sms<N extends SmsTemplateName>(name: N, to: string, variables: TemplateVariables[N]): OutgoingSms;
}

/** A template's parts as strings with `{{variable}}` placeholders. */
export interface TemplateSource {
  subject: string;
  text: string;
  html: string;
  sms?: string;
}

type Part = keyof TemplateSource;

/** File name suffix of each part in the override directory: `<name><suffix>`. */
export const TEMPLATE_FILE_SUFFIXES: Record<Part, string> = {
  subject: ".subject.txt",
  text: ".text.txt",
  html: ".html",
  sms: ".sms.txt",
};

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/** The built-in template as placeholder strings: what `gatehouse templates` would start you from. */
export function builtInSource(catalogue: TemplateCatalogue, name: TemplateName): TemplateSource {
  const template = catalogue[name];
  // The layout escapes what it is given; placeholders contain no character it would escape.
  const email = renderEmail({ productName: "{{productName}}", ...template.email });
  return { ...email, ...(template.sms !== undefined ? { sms: template.sms } : {}) };
}

/**
 * Reads the override directory once (at start-up) and checks every template file in it: a known
 * template name, a part that template has, and only placeholders it provides. Other files are
 * ignored. Throws ConfigError naming the file at fault.
 */
export function loadTemplateOverrides(catalogue: TemplateCatalogue, directory: string): Partial<Record<TemplateName, Partial<TemplateSource>>> {
  const problem = (detail: string) => new ConfigError(`Invalid configuration:\n  - GATEHOUSE_TEMPLATES_DIR: ${detail}`);
  let files: string[];
  try {
    files = readdirSync(directory).filter((f) => !f.startsWith("."));
  } catch (error) {
    throw problem(`cannot read ${directory} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const overrides: Partial<Record<TemplateName, Partial<TemplateSource>>> = {};
  for (const file of files.sort()) {
    const part = (Object.keys(TEMPLATE_FILE_SUFFIXES) as Part[]).find((p) => file.endsWith(TEMPLATE_FILE_SUFFIXES[p]));
    if (!part) continue;
    const name = file.slice(0, -TEMPLATE_FILE_SUFFIXES[part].length);
    if (!isTemplateName(catalogue, name)) throw problem(`${file} names no template; the templates are ${templateNamesOf(catalogue).join(", ")}`);
    if (part === "sms" && !isSmsTemplate(catalogue, name)) throw problem(`${file}: ${name} is not sent by SMS`);
    let content = readFileSync(join(directory, file), "utf8");
    content = part === "html" ? content : part === "text" ? content.trimEnd() : content.trim();
    if (content.trim() === "") throw problem(`${file} is empty`);
    if (part === "subject" && /[\r\n]/.test(content)) throw problem(`${file} must be a single line`);
    const allowed = placeholdersOf(catalogue, name);
    for (const [, variable] of content.matchAll(PLACEHOLDER)) {
      if (!allowed.includes(variable!)) throw problem(`${file} uses {{${variable}}}; ${name} provides ${allowed.map((v) => `{{${v}}}`).join(", ")}`);
    }
    (overrides[name] ??= {})[part] = content;
  }
  return overrides;
}

/** Replaces each `{{variable}}` in one pass, so a value that looks like a placeholder stays as it is. */
function substitute(template: string, values: Record<string, string>, encode: (value: string) => string): string {
  return template.replace(PLACEHOLDER, (_match, variable: string) => {
    const value = values[variable];
    if (value === undefined) throw new Error(`template variable {{${variable}}} has no value`);
    return encode(value);
  });
}

const plain = (value: string) => value;

/** HTML for an override that replaced the text but not the HTML: the new text, escaped, links clickable. */
function htmlFromText(text: string): string {
  const paragraphs = text.split(/\n{2,}/).map((p) =>
    escapeHtml(p)
      .replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`)
      .replace(/\n/g, "<br>"),
  );
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${paragraphs.map((p) => `<p>${p}</p>`).join("")}</body></html>`;
}

/** The messages of `catalogue` (the modules' built-in wording), with the overrides of `directory`. */
export function createMessageTemplates(options: { catalogue: TemplateCatalogue; productName: string; directory?: string | null }): MessageTemplates {
  const { catalogue } = options;
  const overrides = options.directory ? loadTemplateOverrides(catalogue, options.directory) : {};
  const sources = new Map<TemplateName, TemplateSource & { derivedHtml: boolean }>();
  for (const name of templateNamesOf(catalogue)) {
    const own = overrides[name] ?? {};
    sources.set(name, { ...builtInSource(catalogue, name), ...own, derivedHtml: own.text !== undefined && own.html === undefined });
  }

  const valuesFor = (name: TemplateName, to: string, variables: Record<string, unknown>): Record<string, string> => {
    const values: Record<string, string> = { productName: options.productName, to };
    for (const key of catalogue[name].variables.map(String)) {
      const value = variables[key];
      if (value === undefined || value === null) throw new Error(`template ${name} needs the variable ${key}`);
      values[key] = String(value);
    }
    if (typeof variables.ttlSeconds === "number") values.expiresIn = describeDuration(variables.ttlSeconds);
    return values;
  };

  return {
    email(name, to, variables) {
      const source = sources.get(name)!;
      const values = valuesFor(name, to, variables);
      const text = substitute(source.text, values, plain);
      return {
        to,
        // Header values are one line, whatever a variable contains.
        subject: substitute(source.subject, values, plain).replace(/[\r\n]+/g, " "),
        text,
        html: source.derivedHtml ? htmlFromText(text) : substitute(source.html, values, escapeHtml),
      };
    },
    sms(name, to, variables) {
      const source = sources.get(name)!;
      if (source.sms === undefined) throw new Error(`template ${name} has no SMS text`);
      return { to, text: substitute(source.sms, valuesFor(name, to, variables), plain) };
    },
  };
}
