// ESLint, the ecosystem's way: @eslint/js and typescript-eslint's recommended rules everywhere, and on the program
// itself (what `pulumi up` evaluates) @pulumi/eslint-plugin's typed rules against Outputs in plain template strings
// (they must be built with pulumi.interpolate). Run by `npm test` (npm run lint).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import stylistic from "@stylistic/eslint-plugin";
import { readFileSync } from "node:fs";

/** Prettier's line width (.prettierrc.json), which max-len holds what Prettier does not wrap to. */
const { printWidth } = JSON.parse(readFileSync(new URL("./.prettierrc.json", import.meta.url), "utf8"));

const node = {
    process: "readonly",
    Buffer: "readonly",
    console: "readonly",
    __dirname: "readonly",
    __filename: "readonly",
    require: "readonly",
    module: "writable",
    exports: "writable",
    setTimeout: "readonly",
    clearTimeout: "readonly",
    setInterval: "readonly",
    clearInterval: "readonly",
    URL: "readonly",
    URLSearchParams: "readonly",
    fetch: "readonly",
    AbortSignal: "readonly",
    NodeJS: "readonly",
};

/** The program itself, linted with type information (tools/check/static.mjs hands these rules its TypeScript program). */
export const TYPED_FILES = ["index.ts", "components/**/*.ts", "lib/**/*.ts"];

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "coverage/", ".pulumi-state/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { globals: node },
        plugins: { "@stylistic": stylistic },
        rules: {
            // Prettier wraps code at .prettierrc.json's printWidth but leaves long strings, template literals, regular
            // expressions and comments as they are; this holds those to the same width.
            "@stylistic/max-len": ["error", { code: printWidth, tabWidth: 4 }],
            // `_`-prefixed names are deliberately unused (a destructured field left out).
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
        },
    },
    {
        files: TYPED_FILES,
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        // The mocks and the harness answer and read the engine's untyped gRPC payloads (Pulumi's MockResourceArgs
        // inputs are Record<string, any>): typing them would restate the provider schemas.
        files: ["tools/offline/mocks.ts", "tools/offline/harness.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        // CommonJS files Node loads as they are (a ts-node transpiler, a require hook).
        files: ["**/*.js"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
