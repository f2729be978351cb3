/**
 * The blob endpoint a storage account will have, derived from azure-native's cloud before the account exists, and the
 * documents' provider refusing to publish under an issuer that is not the account's own.
 */
import { armEndpoint } from "../../lib/entra/preflight";
import { BLOB_ENDPOINT_TEMPLATE_ENV, blobEndpointOf, cloudOf } from "../../lib/entra/cloud";
import { checkIssuerDocuments, IssuerDocumentsInputs } from "../../lib/trust/issuerDocuments";

test.each([
    [{}, "public", "https://stwif.blob.core.windows.net/"],
    [{ ARM_ENVIRONMENT: "public" }, "public", "https://stwif.blob.core.windows.net/"],
    [{ ARM_ENVIRONMENT: "usgovernment" }, "usgovernment", "https://stwif.blob.core.usgovcloudapi.net/"],
    [{ AZURE_ENVIRONMENT: "china" }, "china", "https://stwif.blob.core.chinacloudapi.cn/"],
    [{ ARM_ENVIRONMENT: "AzureChinaCloud" }, "china", "https://stwif.blob.core.chinacloudapi.cn/"],
    // azure-native reads ARM_ENVIRONMENT first.
    [{ ARM_ENVIRONMENT: "usgovernment", AZURE_ENVIRONMENT: "china" }, "usgovernment", "https://stwif.blob.core.usgovcloudapi.net/"],
])("%j: the %s cloud, blob endpoint %s", (env, cloud, endpoint) => {
    expect(cloudOf(env)).toBe(cloud);
    expect(blobEndpointOf("stwif", env)).toBe(endpoint);
});

test("ARM and storage follow the same cloud setting", () => {
    expect(armEndpoint({ ARM_ENVIRONMENT: "china" }).url).toBe("https://management.chinacloudapi.cn/");
    expect(armEndpoint({}).url).toBe("https://management.azure.com/");
});

test("a template (Azure Stack Hub, or the engine tier's storage front) places the account where it says", () => {
    expect(blobEndpointOf("stwif", { [BLOB_ENDPOINT_TEMPLATE_ENV]: "https://{account}.blob.local.azurestack.external/" })).toBe(
        "https://stwif.blob.local.azurestack.external/",
    );
    expect(blobEndpointOf("stwif", { [BLOB_ENDPOINT_TEMPLATE_ENV]: "https://127.0.0.1:8443/{account}/" })).toBe("https://127.0.0.1:8443/stwif/");
    expect(() => blobEndpointOf("stwif", { [BLOB_ENDPOINT_TEMPLATE_ENV]: "https://127.0.0.1:8443/" })).toThrow(/with \{account\} in it/);
    expect(() => blobEndpointOf("Not_An_Account")).toThrow(/is not a storage account name/);
});

describe("the documents' provider checks the derived issuer against the account", () => {
    const inputs = (publicBaseUrl: string): Partial<IssuerDocumentsInputs> => ({
        accountName: "stwif",
        blobEndpoint: "https://stwif.blob.core.windows.net/",
        hosting: "blob",
        containerName: "oidc",
        publicBaseUrl,
        contentType: "application/json",
        cacheControl: "no-cache",
        documents: [{ path: "openid/v1/jwks", text: "{}" }],
    });

    test("the account's own container URL passes", () => {
        expect(checkIssuerDocuments(inputs("https://stwif.blob.core.windows.net/oidc/"))).toEqual([]);
    });

    test("an issuer derived for another cloud is refused before any write, naming both URLs and the setting", () => {
        expect(checkIssuerDocuments(inputs("https://stwif.blob.core.chinacloudapi.cn/oidc/"))).toEqual([
            {
                property: "publicBaseUrl",
                reason:
                    "the issuer https://stwif.blob.core.chinacloudapi.cn/oidc/ is not where storage account stwif serves container oidc " +
                    "(https://stwif.blob.core.windows.net/oidc/): the issuer was derived from the account name for azure-native's cloud " +
                    "(ARM_ENVIRONMENT, else AZURE_ENVIRONMENT; ENTRA_WIF_BLOB_ENDPOINT_TEMPLATE for Azure Stack Hub); set it to the cloud the account is in",
            },
        ]);
    });

    test("a static website's issuer is the account's web endpoint, not judged against the blob endpoint", () => {
        expect(checkIssuerDocuments({ ...inputs("https://stwif.z6.web.core.windows.net/"), hosting: "staticWebsite", containerName: "$web" })).toEqual([]);
    });
});
