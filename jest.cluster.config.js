/**
 * `npm run test:cluster`: the tests that run etcd, kube-apiserver and the azure-workload-identity webhook, built from
 * the Go module proxy by tools/cluster/build.ts (which the npm script runs first). Kept out of `npm test`, which
 * needs Node alone.
 */
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    roots: ["<rootDir>/test/cluster"],
    testPathIgnorePatterns: ["/node_modules/"],
    testSequencer: undefined,
    // Each file starts the Azurite it needs (tools/engine/azurite.ts azuriteFor), as a file run on its own does.
    globalSetup: undefined,
    globalTeardown: undefined,
    // Each file starts its own control plane; two at once on a two-CPU machine only slows both.
    maxWorkers: 1,
    testTimeout: 180000,
};
