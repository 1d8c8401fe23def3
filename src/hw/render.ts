/** Handlebars rendering of templates/verilog/*.v.hbs with noEscape: Verilog is not HTML. */
import type HandlebarsModule from "handlebars";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/paths.js";
import { lazyPackage } from "../util/lazy.js";

const handlebars = lazyPackage<typeof HandlebarsModule>("handlebars");
let hbs: typeof HandlebarsModule | undefined;
const cache = new Map<string, HandlebarsTemplateDelegate>();

export function renderTemplate(name: string, params: object): string {
  let template = cache.get(name);
  if (!template) {
    const source = readFileSync(join(packageRoot(), "templates", "verilog", `${name}.v.hbs`), "utf8");
    template = (hbs ??= handlebars().create()).compile(source, { noEscape: true, strict: true });
    cache.set(name, template);
  }
  return template(params);
}
