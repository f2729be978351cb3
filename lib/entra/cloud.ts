/**
 * The Azure cloud azure-native deploys into, and the endpoints that follow from it before anything exists: ARM's,
 * and a storage account's blob endpoint, so the issuer URL of blob hosting is known before its account is created
 * (the kind cluster starts from it while the storage is still being made).
 *
 * The cloud is azure-native's own setting, read as azure-native reads it: ARM_ENVIRONMENT, else AZURE_ENVIRONMENT
 * (public, usgovernment, china). The storage suffixes are go-autorest's environments (autorest/azure/environments.go
 * StorageEndpointSuffix: core.windows.net, core.usgovcloudapi.net, core.chinacloudapi.cn), and a standard account's
 * blob endpoint is `https://<account>.blob.<suffix>/` (Microsoft Learn, "Storage account overview", standard
 * endpoints). An account created with Azure DNS zone endpoints would differ; the stack creates standard ones, and the
 * documents' provider refuses to publish under an issuer that is not the account's own (lib/trust/issuerDocuments.ts).
 */
export type AzureCloud = "public" | "usgovernment" | "china";

/** azure-native's cloud for this environment; anything it does not name a sovereign cloud is the public one. */
export function cloudOf(env: NodeJS.ProcessEnv = process.env): AzureCloud {
    switch ((env.ARM_ENVIRONMENT || env.AZURE_ENVIRONMENT || "public").toLowerCase()) {
        case "usgovernment":
        case "usgovernmentcloud":
            return "usgovernment";
        case "china":
        case "azurechinacloud":
            return "china";
        default:
            return "public";
    }
}

export const ARM_URLS: Readonly<Record<AzureCloud, string>> = {
    public: "https://management.azure.com/",
    usgovernment: "https://management.usgovcloudapi.net/",
    china: "https://management.chinacloudapi.cn/",
};

export const STORAGE_SUFFIXES: Readonly<Record<AzureCloud, string>> = {
    public: "core.windows.net",
    usgovernment: "core.usgovcloudapi.net",
    china: "core.chinacloudapi.cn",
};

/** The invoke the project's plugin serves: {accountName} → {endpoint}, the blob endpoint the account will have. */
export const BLOB_ENDPOINT_TOKEN = "entra-wif:index:blobEndpoint";

/**
 * Where the blob endpoint is elsewhere (Azure Stack Hub's `https://{account}.blob.<region>.<fqdn>/`, or the engine
 * tier's storage front): a URL with `{account}` in it, ending in "/".
 */
export const BLOB_ENDPOINT_TEMPLATE_ENV = "ENTRA_WIF_BLOB_ENDPOINT_TEMPLATE";

/** The blob endpoint a standard storage account of this name has in azure-native's cloud, with its trailing slash. */
export function blobEndpointOf(accountName: string, env: NodeJS.ProcessEnv = process.env): string {
    if (!/^[a-z0-9]{3,24}$/.test(accountName)) throw new Error(`${JSON.stringify(accountName)} is not a storage account name`);
    const template = env[BLOB_ENDPOINT_TEMPLATE_ENV];
    if (template) {
        if (!template.includes("{account}") || !/^https:\/\/.+\/$/.test(template)) {
            throw new Error(`${BLOB_ENDPOINT_TEMPLATE_ENV} must be an https URL ending in "/" with {account} in it, not ${JSON.stringify(template)}`);
        }
        return template.replace("{account}", accountName);
    }
    return `https://${accountName}.blob.${STORAGE_SUFFIXES[cloudOf(env)]}/`;
}
