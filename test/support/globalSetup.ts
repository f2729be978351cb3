/**
 * Before any test file runs: one Azurite for the whole run, when the run includes a test file that needs it (the
 * integration tests), instead of one per file. It is started, not waited for: the first files to run need none, and
 * a file that does waits (bounded) for the file this process writes once Azurite listens. Its address reaches the
 * workers through the environment (SHARED_AZURITE_ENV); test/support/globalTeardown.ts stops it by its PID.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { accountFor, launchAzurite, SHARED_AZURITE_ENV, SharedAzurite } from "../../tools/engine/azurite";

const INTEGRATION = path.resolve(__dirname, "..", "integration");

export default async function globalSetup(globalConfig: { testPathPattern?: string }): Promise<void> {
    const pattern = new RegExp(globalConfig.testPathPattern ?? "", "i");
    const files = fs.readdirSync(INTEGRATION).filter((f) => f.endsWith(".test.ts"));
    if (!files.some((f) => pattern.test(path.join(INTEGRATION, f)))) return;
    const signals = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-azurite-run-"));
    const { azurite, ready } = await launchAzurite({ accounts: files.map(accountFor) });
    const shared: SharedAzurite = {
        origin: `${new URL(azurite.blobEndpoint).origin}/`,
        caFile: azurite.caFile,
        pid: azurite.pid,
        readyFile: path.join(signals, "ready"),
        failedFile: path.join(signals, "failed"),
    };
    ready.then(
        () => fs.writeFileSync(shared.readyFile, ""),
        (err: Error) => fs.writeFileSync(shared.failedFile, err.message),
    );
    process.env[SHARED_AZURITE_ENV] = JSON.stringify(shared);
    (globalThis as { entraWifAzurite?: unknown }).entraWifAzurite = {
        stop: async () => {
            await azurite.stop();
            fs.rmSync(signals, { recursive: true, force: true });
        },
    };
}
