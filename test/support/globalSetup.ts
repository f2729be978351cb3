/**
 * Before any test file runs: one Azurite for the whole run, when the run includes a test file that needs it (the
 * integration tests), instead of one per file. Its address reaches the workers through the environment
 * (SHARED_AZURITE_ENV); test/support/globalTeardown.ts stops it by its PID.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { accountFor, SHARED_AZURITE_ENV, startAzurite } from "./azurite";

const INTEGRATION = path.resolve(__dirname, "..", "integration");

export default async function globalSetup(globalConfig: { testPathPattern?: string }): Promise<void> {
    const pattern = new RegExp(globalConfig.testPathPattern ?? "", "i");
    const files = fs.readdirSync(INTEGRATION).filter((f) => f.endsWith(".test.ts"));
    if (!files.some((f) => pattern.test(path.join(INTEGRATION, f)))) return;
    const azurite = await startAzurite({ accounts: files.map(accountFor) });
    process.env[SHARED_AZURITE_ENV] = JSON.stringify({ origin: new URL(azurite.blobEndpoint).origin + "/", caFile: azurite.caFile, pid: azurite.pid });
    (globalThis as { entraWifAzurite?: { stop(): Promise<void> } }).entraWifAzurite = azurite;
}
