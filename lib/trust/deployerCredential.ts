/**
 * The deployer's own Entra credential, chosen from the environment exactly as azure-native chooses its own when no
 * `azure-native:` auth config is set (pulumi-azure-native provider/pkg/provider/auth_azidentity.go,
 * newSingleMethodAuthCredential and readAuthConfig): the first method configured wins and a configured but incomplete
 * one is an error, never a fall-through:
 *   1. DefaultAzureCredential          ARM_USE_DEFAULT_AZURE_CREDENTIAL=true
 *   2. client certificate              ARM_CLIENT_CERTIFICATE_PATH (+ ARM_CLIENT_CERTIFICATE_PASSWORD), ARM_TENANT_ID, ARM_CLIENT_ID
 *   3. client secret                   ARM_CLIENT_SECRET, ARM_TENANT_ID, ARM_CLIENT_ID
 *   4. OIDC (GitHub Actions and others) ARM_USE_OIDC=true, ARM_TENANT_ID, ARM_CLIENT_ID, and ARM_OIDC_TOKEN, or
 *                                      ARM_OIDC_TOKEN_FILE_PATH, or ACTIONS_ID_TOKEN_REQUEST_URL + _TOKEN (audience
 *                                      ARM_OIDC_AUDIENCE, default api://AzureADTokenExchange)
 *   5. managed identity                ARM_USE_MSI=true (ARM_CLIENT_ID picks a user-assigned identity)
 *   6. the Azure CLI login (az login)  otherwise (ARM_TENANT_ID passed as --tenant)
 *
 * The issuer documents' writer (provider/main.ts, a process of its own) and its preflight take their tokens from here,
 * so the documents are written with the deployer's identity and no storage account key exists in the stack's state.
 * The secret parts (client secret, OIDC token, certificate password) are read from the environment when a token is
 * needed and are never returned, logged or stored. `azure-native:` stack config cannot reach that process: the stack
 * config check (parseStackConfig, lib/config/index.ts) refuses such settings at startup and names the variable to export instead.
 *
 * Pure choice (`credentialMethod`); the credential objects are built lazily from @azure/identity.
 */
import * as fs from "node:fs";
import type { TokenCredential } from "@azure/core-auth";

export type CredentialMethod =
    | { kind: "default"; tenantId?: string }
    | { kind: "clientCertificate"; tenantId: string; clientId: string; certificatePath: string }
    | { kind: "clientSecret"; tenantId: string; clientId: string }
    | { kind: "oidc"; tenantId: string; clientId: string; source: "ARM_OIDC_TOKEN" | "ARM_OIDC_TOKEN_FILE_PATH" | "ACTIONS_ID_TOKEN_REQUEST_URL" }
    | { kind: "managedIdentity"; clientId?: string }
    | { kind: "azureCli"; tenantId?: string };

/** A credential configured in the environment, but not completely: names what is missing. */
export class CredentialSetupError extends Error {}

const value = (env: NodeJS.ProcessEnv, name: string) => (env[name] ?? "").trim() || undefined;

function required(env: NodeJS.ProcessEnv, method: string, names: string[]): void {
    const missing = names.filter((n) => value(env, n) === undefined);
    if (missing.length > 0) {
        throw new CredentialSetupError(
            `entra-wif: ${method} is configured for the deployer, but ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set; ` +
                "azure-native refuses the same environment (it does not fall through to another method)",
        );
    }
}

/** Which method azure-native would use with this environment, or why the environment is incomplete. */
export function credentialMethod(env: NodeJS.ProcessEnv = process.env): CredentialMethod {
    const tenantId = value(env, "ARM_TENANT_ID");
    const clientId = value(env, "ARM_CLIENT_ID");
    if (value(env, "ARM_USE_DEFAULT_AZURE_CREDENTIAL") === "true") return { kind: "default", tenantId };
    const certificatePath = value(env, "ARM_CLIENT_CERTIFICATE_PATH");
    if (certificatePath !== undefined) {
        required(env, "a client certificate (ARM_CLIENT_CERTIFICATE_PATH)", ["ARM_TENANT_ID", "ARM_CLIENT_ID"]);
        return { kind: "clientCertificate", tenantId: tenantId!, clientId: clientId!, certificatePath };
    }
    if (value(env, "ARM_CLIENT_SECRET") !== undefined) {
        required(env, "a client secret (ARM_CLIENT_SECRET)", ["ARM_TENANT_ID", "ARM_CLIENT_ID"]);
        return { kind: "clientSecret", tenantId: tenantId!, clientId: clientId! };
    }
    if (value(env, "ARM_USE_OIDC") === "true") {
        required(env, "OIDC (ARM_USE_OIDC)", ["ARM_TENANT_ID", "ARM_CLIENT_ID"]);
        const source = value(env, "ARM_OIDC_TOKEN")
            ? "ARM_OIDC_TOKEN"
            : value(env, "ARM_OIDC_TOKEN_FILE_PATH")
              ? "ARM_OIDC_TOKEN_FILE_PATH"
              : value(env, "ACTIONS_ID_TOKEN_REQUEST_URL") && value(env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
                ? "ACTIONS_ID_TOKEN_REQUEST_URL"
                : undefined;
        if (source === undefined) {
            throw new CredentialSetupError(
                "entra-wif: OIDC (ARM_USE_OIDC) is configured for the deployer, but no token is: set ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH, " +
                    "or run in GitHub Actions with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN)",
            );
        }
        return { kind: "oidc", tenantId: tenantId!, clientId: clientId!, source };
    }
    if (value(env, "ARM_USE_MSI") === "true") return { kind: "managedIdentity", clientId };
    return { kind: "azureCli", tenantId };
}

/** The method in words, for messages: who the documents are written as. */
export function describeCredential(method: CredentialMethod): string {
    switch (method.kind) {
        case "default":
            return "DefaultAzureCredential (ARM_USE_DEFAULT_AZURE_CREDENTIAL)";
        case "clientCertificate":
            return `the service principal ${method.clientId} with a client certificate (ARM_CLIENT_CERTIFICATE_PATH)`;
        case "clientSecret":
            return `the service principal ${method.clientId} with a client secret (ARM_CLIENT_SECRET)`;
        case "oidc":
            return `the service principal ${method.clientId} by OIDC (${method.source})`;
        case "managedIdentity":
            return method.clientId ? `the managed identity ${method.clientId} (ARM_USE_MSI)` : "the machine's managed identity (ARM_USE_MSI)";
        case "azureCli":
            return "the Azure CLI login (az login)";
    }
}

/** The GitHub Actions ID token for Entra, as azure-native asks for it (getOidcTokenExchangeAssertion). */
async function actionsIdToken(env: NodeJS.ProcessEnv): Promise<string> {
    const url = new URL(value(env, "ACTIONS_ID_TOKEN_REQUEST_URL")!);
    url.searchParams.set("audience", value(env, "ARM_OIDC_AUDIENCE") ?? "api://AzureADTokenExchange");
    const response = await fetch(url, {
        headers: { Accept: "application/json", Authorization: `Bearer ${value(env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN")}` },
        signal: AbortSignal.timeout(30000),
    });
    if (!response.ok) throw new Error(`GitHub OIDC: ${url.origin} answered HTTP ${response.status}`);
    return ((await response.json()) as { value: string }).value;
}

/** The credential for `method`; secrets are read from `env` here and kept only inside the credential object. */
export function deployerCredential(method: CredentialMethod, env: NodeJS.ProcessEnv = process.env): TokenCredential {
    // Loaded here: only the provider plugin asks for tokens, and @azure/identity is large.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const identity = require("@azure/identity") as typeof import("@azure/identity");
    switch (method.kind) {
        case "default":
            return new identity.DefaultAzureCredential(method.tenantId ? { tenantId: method.tenantId } : {});
        case "clientCertificate": {
            // Node's @azure/identity reads PEM (certificate and key in one file); azure-native's Go SDK reads PFX too.
            const text = fs.readFileSync(method.certificatePath, "utf8");
            if (!text.includes("-----BEGIN")) {
                throw new CredentialSetupError(
                    `entra-wif: ARM_CLIENT_CERTIFICATE_PATH (${method.certificatePath}) is not PEM; the documents' writer reads a PEM file holding ` +
                        "the certificate and its key: `openssl pkcs12 -in cert.pfx -nodes -out cert.pem`, then point ARM_CLIENT_CERTIFICATE_PATH at cert.pem",
                );
            }
            return new identity.ClientCertificateCredential(method.tenantId, method.clientId, { certificate: text });
        }
        case "clientSecret":
            return new identity.ClientSecretCredential(method.tenantId, method.clientId, value(env, "ARM_CLIENT_SECRET")!);
        case "oidc":
            return new identity.ClientAssertionCredential(method.tenantId, method.clientId, async () => {
                if (method.source === "ARM_OIDC_TOKEN") return value(env, "ARM_OIDC_TOKEN")!;
                if (method.source === "ARM_OIDC_TOKEN_FILE_PATH") return fs.readFileSync(value(env, "ARM_OIDC_TOKEN_FILE_PATH")!, "utf8").trim();
                return actionsIdToken(env);
            });
        case "managedIdentity":
            return method.clientId ? new identity.ManagedIdentityCredential({ clientId: method.clientId }) : new identity.ManagedIdentityCredential();
        case "azureCli":
            return new identity.AzureCliCredential(method.tenantId ? { tenantId: method.tenantId } : {});
    }
}

/**
 * `azure-native:` stack config keys that choose or complete the deployer's credential, and the environment variable
 * azure-native reads when the key is absent (readAuthConfig). The documents' writer sees only the environment.
 */
export const AZURE_NATIVE_AUTH_KEYS: Readonly<Record<string, string>> = {
    clientId: "ARM_CLIENT_ID",
    tenantId: "ARM_TENANT_ID",
    clientSecret: "ARM_CLIENT_SECRET",
    clientCertificatePath: "ARM_CLIENT_CERTIFICATE_PATH",
    clientCertificatePassword: "ARM_CLIENT_CERTIFICATE_PASSWORD",
    useMsi: "ARM_USE_MSI",
    useOidc: "ARM_USE_OIDC",
    oidcAudience: "ARM_OIDC_AUDIENCE",
    oidcToken: "ARM_OIDC_TOKEN",
    oidcTokenFilePath: "ARM_OIDC_TOKEN_FILE_PATH",
    oidcRequestToken: "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    oidcRequestUrl: "ACTIONS_ID_TOKEN_REQUEST_URL",
    useDefaultAzureCredential: "ARM_USE_DEFAULT_AZURE_CREDENTIAL",
};

/**
 * The `azure-native:` auth settings in the stack config that the environment does not repeat: the documents' writer
 * would write as someone else than azure-native deploys as. Each as [config key, environment variable].
 */
export function authConfigOutsideEnvironment(config: Record<string, string>, env: NodeJS.ProcessEnv): Array<[string, string]> {
    return Object.entries(AZURE_NATIVE_AUTH_KEYS)
        .filter(([key, variable]) => {
            const configured = config[`azure-native:${key}`];
            return configured !== undefined && configured !== "" && (env[variable] ?? "") !== configured;
        })
        .map(([key, variable]) => [`azure-native:${key}`, variable]);
}
