/**
 * `pulumi up` of a stack as far as test:cluster needs it: the real program under the mocks (its issuer in Azurite),
 * the issuer documents written to Azurite by the program's own provider in Pulumi's dynamic-provider host, and every
 * resource's inputs as its provider receives them — what the kind Command runs, what the Kubernetes provider sends.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tls from "node:tls";
import { parse } from "yaml";
import { diagnose } from "../../../lib/doctor";
import { createHttpGet } from "../../../lib/doctor/https";
import type { Plan } from "../../../tools/offline/harness";
import { readPublicKeyFile } from "../../../tools/doctor";
import { AzureMocks } from "../../../tools/offline/mocks";
import { Azurite, azuriteFor } from "../../support/azurite";
import { DynamicProviderHost, startDynamicProviderHost } from "../../support/dynamicProviderHost";
import { sharedRelyingParty } from "../../support/native";
import { DynamicInputs, ProviderInputs, runProgram } from "../../support/program";
import { publishPlan, ResourceState } from "../../support/publish";
import type { RelyingParty } from "../../support/relyingParty";

const REPO_ROOT = path.resolve(__dirname, "../../..");

export const AUDIENCE = "api://AzureADTokenExchange";

/** A stack file's config (Pulumi.<stack>.yaml), with its issuer's storage account set to the test's in Azurite. */
export function stackConfig(file: string, accountName: string): Record<string, unknown> {
    const config = { ...(parse(fs.readFileSync(path.join(REPO_ROOT, file), "utf8")).config as Record<string, unknown>) };
    config["entra-wif:issuer"] = { ...((config["entra-wif:issuer"] as object) ?? {}), storageAccountName: accountName };
    return config;
}

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
        readonly host: DynamicProviderHost,
        readonly rp: RelyingParty,
        readonly mocks: AzureMocks,
    ) {}

    static async start(testFile: string, mockOptions: { fixedPrivateKeys?: Record<string, string> } = {}): Promise<Deployment> {
        const azurite = await azuriteFor(testFile);
        const host = await startDynamicProviderHost({ NODE_EXTRA_CA_CERTS: azurite.caFile });
        const mocks = new AzureMocks({ ...mockOptions, blobEndpoint: () => azurite.blobEndpoint, storageAccountKey: () => azurite.accountKey });
        return new Deployment(azurite, host, sharedRelyingParty(azurite.caFile), mocks);
    }

    /** Evaluates the program with `config` and publishes its documents (an update of the previous ones after the first). */
    async up(config: Record<string, unknown>): Promise<Deployed> {
        const dynamic: DynamicInputs = new Map();
        const inputs: ProviderInputs = new Map();
        const plan = await runProgram(config, { mocks: this.mocks, dynamic, providerInputs: inputs });
        this.documentsState = (await publishPlan(this.rp, this.azurite, this.host, { plan, dynamic }, "blob", this.documentsState)).state;
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

/** The parts of a Kubernetes object the tests read. */
export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: PodSpec;
}

export interface PodSpec {
    serviceAccountName?: string;
    containers: Array<{
        name: string;
        env?: Array<{ name: string; value?: string }>;
        volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
    }>;
    volumes?: Array<{ name: string } & Record<string, unknown>>;
}

/** The Kubernetes objects the plan sends, of one kind, as the provider receives them (apiVersion, kind, metadata, spec). */
export function kubernetesObjects(d: Deployed, kind: string): KubeObject[] {
    return d.plan.resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.type.endsWith(`:${kind}`))
        .map((r) => {
            const inputs = d.inputs.get(r.name)!;
            return { apiVersion: inputs.apiVersion, kind: inputs.kind, metadata: inputs.metadata, ...(inputs.spec ? { spec: inputs.spec } : {}) } as KubeObject;
        });
}

/** The decoded header and payload of a compact JWT. */
export function decodeJwt(token: string): {
    header: { alg: string; kid: string };
    payload: { iss: string; aud: string[]; sub: string; iat: number; exp: number };
} {
    const [h, p] = token.split(".");
    const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return { header: decode(h), payload: decode(p) };
}
