/**
 * What test:cluster reads from a deployment (test/support/deployment.ts): a stack file's config pointed at Azurite,
 * the Kubernetes objects the program sends, and the claims of the tokens the apiserver signs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { Deployed } from "../../support/deployment";

const REPO_ROOT = path.resolve(__dirname, "../../..");

export const AUDIENCE = "api://AzureADTokenExchange";

/** A stack file's config (Pulumi.<stack>.yaml), with its issuer's storage account set to the test's in Azurite. */
export function stackConfig(file: string, accountName: string): Record<string, unknown> {
    const config = { ...(parse(fs.readFileSync(path.join(REPO_ROOT, file), "utf8")).config as Record<string, unknown>) };
    config["entra-wif:issuer"] = { ...((config["entra-wif:issuer"] as object) ?? {}), storageAccountName: accountName };
    return config;
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
