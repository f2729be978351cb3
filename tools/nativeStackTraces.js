/**
 * Preloaded before ts-node registers (node --require): turns ts-node's source-map-support into a no-op, leaving
 * V8's native stack traces. Pulumi captures a stack trace for every promise and every resource, and mapping each
 * frame through source maps was most of the per-resource cost of the program (docs/benchmarks.md). Nothing is
 * lost: the Sucrase transpiler (tools/sucraseTranspiler.js) keeps every line where it was in the .ts file.
 */
"use strict";
const path = require("node:path");
try {
    // The copy ts-node itself loads, wherever npm placed it.
    const tsNodeDir = path.dirname(require.resolve("ts-node/package.json"));
    require(require.resolve("@cspotcode/source-map-support", { paths: [tsNodeDir] })).install = function install() {};
} catch {
    // No ts-node 10 here (Pulumi would fall back to its vendored one): nothing to switch off.
}
