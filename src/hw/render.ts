/** Handlebars rendering of templates/verilog/*.v.hbs with noEscape: Verilog is not HTML. */
import Handlebars from "handlebars";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/paths.js";

const hbs = Handlebars.create();
const cache = new Map<string, HandlebarsTemplateDelegate>();

export function renderTemplate(name: string, params: object): string {
  let template = cache.get(name);
  if (!template) {
    const source = readFileSync(join(packageRoot(), "templates", "verilog", `${name}.v.hbs`), "utf8");
    template = hbs.compile(source, { noEscape: true, strict: true });
    cache.set(name, template);
  }
  return template(params);
}
