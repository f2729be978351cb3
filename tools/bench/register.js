/**
 * For the benchmark only: registers ts-node in one of the ways the program could be run, ignoring tsconfig.json's
 * "ts-node" section, to measure what each of the settings in tsconfig.json saves.
 *   ENTRA_WIF_BENCH_REGISTER=typecheck   Pulumi's default: ts-node type-checks with TypeScript, source-mapped stacks
 *   ENTRA_WIF_BENCH_REGISTER=typescript  transpile-only with TypeScript's transpiler, source-mapped stacks
 *   ENTRA_WIF_BENCH_REGISTER=sucrase     transpile-only with Sucrase, source-mapped stacks
 */
"use strict";
const path = require("node:path");
const tsconfig = require(path.join(__dirname, "..", "..", "tsconfig.json"));
const base = { skipProject: true, compilerOptions: tsconfig.compilerOptions };
const modes = {
    typecheck: { transpileOnly: false },
    typescript: { transpileOnly: true },
    sucrase: { transpileOnly: true, transpiler: path.join(__dirname, "..", "sucraseTranspiler.js") },
};
const mode = modes[process.env.ENTRA_WIF_BENCH_REGISTER];
if (!mode) throw new Error(`ENTRA_WIF_BENCH_REGISTER must be one of ${Object.keys(modes).join(", ")}`);
// The Sucrase transpiler switches source-map support off when it loads; put it back for the comparison.
const sourceMapSupport = require(require.resolve("@cspotcode/source-map-support", { paths: [path.dirname(require.resolve("ts-node/package.json"))] }));
const install = sourceMapSupport.install;
require("ts-node").register({ ...base, ...mode });
sourceMapSupport.install = install;
process[Symbol.for("ts-node.register.instance")].installSourceMapSupport();
