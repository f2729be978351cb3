/**
 * The EntraWorkloadIdentity component's inputs (the package other languages use) as the stack config the program
 * reads: the same sections under the same keys, so parseStackConfig validates them with the same one-line messages,
 * all at once. Pure: the project's defaults (Pulumi.yaml's `config:` defaults) are given, not read.
 */
import { OFFLINE_SECRET, PROJECT } from "./types";

/** The config sections the component takes, each as the stack file holds it. */
export const PACKAGE_SECTIONS = ["issuer", "signingKey", "cluster", "webhook", "identity", "identities", "workloads", "sample"] as const;

/**
 * Pulumi.yaml's `config:` defaults, which the Pulumi CLI hands a program for a key its stack file leaves out: the same
 * for the component's inputs. test/unit/packageInputs.test.ts keeps them equal to Pulumi.yaml's.
 */
export const PROJECT_CONFIG_DEFAULTS: Readonly<Record<string, unknown>> = {
    resourceGroupName: "",
    issuer: { hosting: "blob", containerName: "oidc", verify: true, sharedKeyAccess: false },
    signingKey: { rsaBits: 2048, publicKeys: [] },
    cluster: { mode: "kind" },
    demo: false,
    kubeconfig: "",
    webhook: { enabled: true, version: "1.6.0", azureEnvironment: "AzurePublicCloud" },
    identity: { type: "managedIdentity" },
    identities: [],
    workloads: [],
    sample: { enabled: false },
};

/** The defaults as Pulumi's flat config map holds them (structured values as JSON text). */
export function projectConfigDefaults(): Record<string, string> {
    return Object.fromEntries(
        Object.entries(PROJECT_CONFIG_DEFAULTS).map(([key, value]) => [`${PROJECT}:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

/** Anything a caller may pass; checked here only for being plain data, then as config. */
export interface PackageInputs {
    location?: unknown;
    resourceGroupName?: unknown;
    kubeconfig?: unknown;
    [section: string]: unknown;
}

/** An input that is another resource's output, not yet known: the config it stands for cannot be checked. */
export class NotPlainInput extends Error {}

/**
 * Pulumi's flat config map for these inputs: `azure-native:location`, `entra-wif:<section>` as JSON text, the project's
 * default for a section the inputs leave out (whole, as the CLI applies Pulumi.yaml's defaults). A kubeconfig that is a
 * secret (an Output) is present and unread, as a secret stack value is offline. An input the component does not know
 * is passed on under its own key, so the config check names it and the nearest known one.
 */
export function rawConfigOf(inputs: PackageInputs, defaults: Record<string, string>, isOutput: (value: unknown) => boolean): Record<string, string> {
    const raw: Record<string, string> = { ...defaults };
    for (const [key, value] of Object.entries(inputs)) {
        if (value === undefined || value === null) continue;
        if (key === "kubeconfig") {
            raw[`${PROJECT}:kubeconfig`] = isOutput(value) ? OFFLINE_SECRET : String(value);
            continue;
        }
        if (containsOutput(value, isOutput)) {
            throw new NotPlainInput(
                `entra-wif: ${key} is another resource's output; the component takes it as stack config is taken: a plain value known before the ` +
                    "update (only kubeconfig may be an output, a secret)",
            );
        }
        if (key === "location") raw["azure-native:location"] = String(value);
        else raw[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return raw;
}

function containsOutput(value: unknown, isOutput: (value: unknown) => boolean): boolean {
    if (isOutput(value)) return true;
    if (Array.isArray(value)) return value.some((v) => containsOutput(v, isOutput));
    if (value && typeof value === "object") return Object.values(value).some((v) => containsOutput(v, isOutput));
    return false;
}
