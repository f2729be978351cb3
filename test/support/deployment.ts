/**
 * A stack's `pulumi up` as far as the tests that use real components need it: the real program under the mocks (its
 * issuer in Azurite), the issuer documents written to Azurite by the project's own provider plugin (each up an
 * update of the documents before), every resource's inputs as its provider receives them, and the doctor's checks
 * against what Azurite then serves.
 */
import * as fs from "node:fs";
import * as tls from "node:tls";
import { diagnose } from "../../lib/doctor";
import { createHttpGet } from "../../lib/doctor/https";
import { readPublicKeyFile } from "../../tools/doctor";
import type { Plan } from "../../tools/offline/harness";
import { AzureMocks } from "../../tools/offline/mocks";
import { Azurite, azuriteFor } from "../../tools/engine/azurite";
import { ProviderPlugin, startProviderPlugin } from "./providerPlugin";
import { sharedRelyingParty } from "./native";
import { PluginInputs, ProviderInputs, runProgram } from "./program";
import { publishPlan, ResourceState } from "./publish";
import type { RelyingParty } from "./relyingParty";

export interface Deployed {
    plan: Plan;
    /** Inputs as each provider receives them, by resource name. */
    inputs: ProviderInputs;
}

/** One stack's lifetime: its mocks (keys by name outlive an up, as provider state does) and its documents' state. */
export class Deployment {
    private documentsState: ResourceState | undefined;

    private constructor(
        readonly azurite: Azurite,
        readonly host: ProviderPlugin,
        readonly rp: RelyingParty,
        readonly mocks: AzureMocks,
    ) {}

    static async start(testFile: string, mockOptions: { fixedPrivateKeys?: Record<string, string> } = {}): Promise<Deployment> {
        const azurite = await azuriteFor(testFile);
        const host = await startProviderPlugin({ NODE_EXTRA_CA_CERTS: azurite.caFile });
        const mocks = new AzureMocks({ ...mockOptions, blobEndpoint: () => azurite.blobEndpoint, storageAccountKey: () => azurite.accountKey });
        return new Deployment(azurite, host, sharedRelyingParty(azurite.caFile), mocks);
    }

    /** Evaluates the program with `config` and publishes its documents (an update of the previous ones after the first). */
    async up(config: Record<string, unknown>): Promise<Deployed> {
        const plugin: PluginInputs = new Map();
        const inputs: ProviderInputs = new Map();
        const plan = await runProgram(config, { mocks: this.mocks, plugin, providerInputs: inputs });
        this.documentsState = (await publishPlan(this.rp, this.azurite, this.host, { plan, plugin }, "blob", this.documentsState)).state;
        return { plan, inputs };
    }

    /**
     * The doctor's checks, as `npm run doctor -- --issuer … --token-file … --subject … --public-key <file>` runs them,
     * against what Azurite serves; returns the failed ids. The public key file is read as the CLI reads it (sa.pub
     * holds every key the cluster verifies with, one PEM block each).
     */
    async doctorFailures(input: { issuer: string; token?: string; subject?: string; publicKeyFile?: string }): Promise<string[]> {
        const get = createHttpGet({ ca: [...tls.rootCertificates, fs.readFileSync(this.azurite.caFile, "utf8")] });
        const { publicKeyFile, ...rest } = input;
        const checks = await diagnose({ ...rest, ...(publicKeyFile ? { publicKeys: readPublicKeyFile(publicKeyFile) } : {}) }, get);
        return checks.filter((c) => !c.ok).map((c) => c.id);
    }

    async stop(): Promise<void> {
        await this.host?.stop();
        await this.azurite?.stop();
    }
}
