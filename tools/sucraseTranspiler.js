/**
 * A ts-node transpiler (tsconfig.json "ts-node".transpiler) that strips types with Sucrase instead of TypeScript's
 * transpileModule: the same JavaScript for this code base (isolatedModules, no enums or namespaces) in a fraction of
 * the time, which is most of what `pulumi up` spends before the program runs. Type checking is `npm test`'s job.
 * Plain JavaScript, because it is loaded before any TypeScript can be.
 *
 * Loading it also leaves V8's native stack traces in place of ts-node's source-mapped ones. Pulumi captures a stack
 * trace for every resource and many promises, and mapping each frame through source maps was most of the
 * per-resource cost of the program (docs/benchmarks.md). Nothing is lost: Sucrase keeps every line where it was in
 * the .ts file, so a trace names the right file and line. ts-node requires this module before it installs
 * source-map support (ts-node 10 `create()`), so the switch lives here, wherever ts-node is registered from; the
 * formatter Pulumi's language host installs before that is removed here too.
 */
"use strict";
const path = require("node:path");
const { transform } = require("sucrase");

// The copy of source-map-support ts-node itself loads, wherever npm placed it.
const tsNodeDir = path.dirname(require.resolve("ts-node/package.json"));
require(require.resolve("@cspotcode/source-map-support", { paths: [tsNodeDir] })).install = function install() {};

// Pulumi's language host installs the other source-map-support before it registers ts-node (@pulumi/pulumi
// cmd/run/index.js: `require("source-map-support/register")`), and its formatter maps every frame of every trace the
// SDK captures just the same (measured in docs/benchmarks.md). It is the only formatter installed by then, so it goes
// too, when it is that one.
if (typeof Error.prepareStackTrace === "function" && Object.keys(require.cache).some((f) => /[\\/]source-map-support[\\/]source-map-support\.js$/.test(f))) {
    Error.prepareStackTrace = undefined;
}

// The last output per file, reused while the file's text is unchanged. `pulumi up` transpiles each file once, so
// this only matters to a process that loads the program afresh many times: the program tests and the batch plans
// (test/support/planBatch.ts), where transpiling every file again on every load cost seconds.
const transpiled = new Map();

exports.create = function create() {
    return {
        transpile(input, { fileName }) {
            const last = transpiled.get(fileName);
            if (last && last.input === input) return last.output;
            const output = transpileWithSucrase(input, fileName);
            transpiled.set(fileName, { input, output });
            return output;
        },
    };
};

function transpileWithSucrase(input, fileName) {
    const result = transform(input, {
        transforms: ["typescript", "imports"],
        filePath: fileName,
        sourceMapOptions: { compiledFilename: fileName },
        // Emit what tsc would for CommonJS with esModuleInterop.
        production: true,
    });
    return { outputText: result.code, sourceMapText: JSON.stringify(result.sourceMap) };
}
