/**
 * `npm run test:engine`: the program taken through what users run, by the real Pulumi engine built from the Go module
 * proxy (tools/engine/build.ts, which the npm script runs first), with stand-in providers
 * (tools/engine/standins/) and Azurite. Kept out of `npm test`, which needs Node alone.
 */
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    roots: ["<rootDir>/test/engine"],
    testPathIgnorePatterns: ["/node_modules/"],
    testSequencer: undefined,
    // Each file starts the Azurite it needs, with the storage accounts its stacks name.
    globalSetup: undefined,
    globalTeardown: undefined,
    // Two files at once: a `pulumi up` waits on its processes' starts as much as it computes, so two overlap well on
    // two CPUs (docs/benchmarks.md has the figures).
    maxWorkers: 2,
    // One step is one pulumi command (seconds); the bound is generous for a cold CI machine.
    testTimeout: 300000,
};
