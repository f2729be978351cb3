/**
 * The order jest starts test files in, the same on a clean clone in CI as on a laptop that has run them before
 * (jest's own order is the largest files first without timings, the slowest first with them).
 *
 * First the files that start many processes and load no Pulumi SDK (the e2e cycle, the kind scripts, the stand-in
 * tools): a process is forked from the jest worker, and forking costs more the larger the worker has grown, which it
 * does once it has loaded the SDK. Then the rest, the slowest first, so that no long file starts last and leaves the
 * other worker idle at the end. The seconds are a run on the two-core reference machine (docs/benchmarks.md); only
 * their order matters. A file that failed last time still goes first; a file not listed counts as short.
 */
"use strict";
const path = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;

/** Many processes, no SDK: started while the workers are small. */
const FORK_HEAVY = ["integration/e2e.test.ts", "unit/kind.test.ts"];

const SECONDS = {
    "program/plan-cli.test.ts": 12,
    "integration/azurite.test.ts": 10,
    "integration/issuerDocuments.test.ts": 8,
    "program/changePreview.test.ts": 7,
    "program/issuer.test.ts": 8,
    "integration/doctor.test.ts": 6,
    "program/bad-input.test.ts": 5,
    "program/machine-independence.test.ts": 5,
    "program/rotation.test.ts": 4,
    "integration/rotation.test.ts": 4,
    "integration/exchange.test.ts": 3.5,
    "program/changes.test.ts": 5,
    "program/upgrade.test.ts": 2.5,
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

const key = (test) => path.relative(path.join(__dirname, ".."), test.path).split(path.sep).join("/");

class ReferenceOrderSequencer extends Sequencer {
    sort(tests) {
        const rank = (test) => {
            const k = key(test);
            if (FORK_HEAVY.includes(k)) return -1e6 + FORK_HEAVY.indexOf(k);
            return -(SECONDS[k] ?? 0.1);
        };
        return [...tests].sort((a, b) => {
            const failedA = this.hasFailed(a);
            if (failedA !== this.hasFailed(b)) return failedA ? -1 : 1;
            return rank(a) - rank(b) || (a.path < b.path ? -1 : 1);
        });
    }
}

module.exports = ReferenceOrderSequencer;
