/**
 * The order jest starts test files in. jest runs the slowest first when it has timed them before, and otherwise the
 * largest files first, which is what CI gets: a clean clone has no timings, and a long file started last leaves the
 * other worker idle at the end. Without timings of its own, this sequencer takes the seconds below instead (a run on
 * the two-core reference machine, docs/benchmarks.md); only their order matters. A unit test file not listed counts
 * as short; any other file not listed has no timing, so jest starts it first.
 */
"use strict";
const path = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;

const SECONDS = {
    "integration/azurite.test.ts": 9,
    "program/plan-cli.test.ts": 9,
    "integration/e2e.test.ts": 8,
    "program/issuer.test.ts": 8,
    "unit/kind.test.ts": 6,
    "integration/doctor.test.ts": 6,
    "program/bad-input.test.ts": 6,
    "program/machine-independence.test.ts": 5,
    "program/rotation.test.ts": 4,
    "integration/rotation.test.ts": 4,
    "integration/exchange.test.ts": 3.5,
    "integration/replace.test.ts": 3.5,
    "program/run-mode.test.ts": 3,
    "program/identity.test.ts": 2.5,
    "program/lifecycle.test.ts": 2.5,
    "unit/keys.test.ts": 2.5,
    "program/aks.test.ts": 2,
    "program/recorded-plans.test.ts": 2,
    "unit/keyVaultPurge.test.ts": 1.5,
    "program/cluster.test.ts": 1.5,
    "unit/keyPool.test.ts": 1.5,
    "program/arc.test.ts": 1,
};

class ReferenceTimingSequencer extends Sequencer {
    time(test) {
        const measured = super.time(test);
        if (measured !== undefined) return measured;
        const key = path.relative(path.join(__dirname, ".."), test.path).split(path.sep).join("/");
        // Seconds, as jest's own timings are kept in milliseconds; a file not listed is short.
        return key in SECONDS ? SECONDS[key] * 1000 : /\/unit\//.test(test.path) ? 100 : undefined;
    }
}

module.exports = ReferenceTimingSequencer;
