// ESLint (flat config) with typescript-eslint's recommended rules; formatting is Prettier's (eslint-config-prettier turns the overlapping rules off).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "out/**", "models/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        URL: "readonly",
      },
    },
    rules: {
      // unused names are tsc's job (noUnusedLocals in tsconfig.test.json); a leading _ marks an argument kept for its position
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // `(a += n), (b[k] = n)`: a counter's updates on one line, the house style in cell counting and tables
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
  {
    // tests build malformed documents on purpose: a loose type is the point there
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
