// The suite's config plus test/helpers/lag-monitor.ts: prints each test file's longest
// event-loop block (QUANTRTL_LAG lines).
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

export default mergeConfig(base, defineConfig({ test: { setupFiles: ["test/helpers/lag-monitor.ts"] } }));
