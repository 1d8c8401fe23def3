/** hw/resource-errors.md is the table of the committed measurements (regenerate: npm run resource-errors). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { resourceErrorsMarkdown } from "../../scripts/resource-errors.js";
import { packageRoot } from "../../src/util/paths.js";

test("the committed error table matches hw/resource-model.json and hw/network-validation.json", () => {
  const root = packageRoot();
  expect(readFileSync(join(root, "hw", "resource-errors.md"), "utf8")).toBe(resourceErrorsMarkdown(root));
});
