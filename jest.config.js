/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": "ts-jest" },
    // The program tests evaluate the whole Pulumi program and the integration tests start Azurite.
    testTimeout: 60000,
    // Pulumi's runtime is process-global state (mocks, config): one test file per worker process.
    maxWorkers: 2,
    verbose: false,
};
