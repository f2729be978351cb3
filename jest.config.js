/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    // test/cluster runs real etcd, kube-apiserver and the webhook, and test/engine the real Pulumi engine, built with
    // Go: npm run test:cluster and npm run test:engine, not npm test.
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/cluster/", "<rootDir>/test/engine/"],
    // Types are stripped by Sucrase, as `pulumi up` strips them (tools/sucraseTranspiler.js): lines stay where they
    // are and a cold cache (a clean clone in CI) costs milliseconds; `npm test` type-checks with tsc first. Dynamic
    // import() becomes require(), as tsc emits it for CommonJS.
    transform: { "^.+\\.ts$": ["@sucrase/jest-plugin", { preserveDynamicImport: false }] },
    // The program tests evaluate the whole Pulumi program and the integration tests start Azurite.
    testTimeout: 60000,
    // One Azurite for the run's integration tests, each file in a storage account of its own.
    globalSetup: "<rootDir>/test/support/globalSetup.ts",
    globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
    // The slowest first even without timings of jest's own (a clean clone in CI).
    testSequencer: "<rootDir>/test/support/sequencer.js",
    // Pulumi's runtime is process-global state (mocks, config): one test file per worker process.
    maxWorkers: 2,
    verbose: false,
};
