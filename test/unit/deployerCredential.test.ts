/**
 * The deployer's credential for the issuer documents, chosen from the environment in azure-native's order
 * (pulumi-azure-native provider/pkg/provider/auth_azidentity.go newSingleMethodAuthCredential): the first configured
 * method wins, an incomplete one is an error and never a fall-through; and the `azure-native:` auth config that the
 * writer's process cannot see is refused at startup, naming the variable to export.
 */
import { parseStackConfig } from "../../lib/config";
import { authConfigOutsideEnvironment, credentialMethod, CredentialSetupError, describeCredential } from "../../lib/trust/deployerCredential";
import { untilGrantReachesStorage } from "../../lib/trust/issuerDocuments";
import { principalTypeOfToken } from "../../lib/entra/roles";
import { mockAccessToken } from "../../tools/offline/mocks";

const sp = { ARM_TENANT_ID: "tenant-1", ARM_CLIENT_ID: "client-1" };

describe("the method, in azure-native's order", () => {
    test.each([
        ["nothing set: the Azure CLI login", {}, { kind: "azureCli", tenantId: undefined }],
        ["a tenant only: the Azure CLI login in that tenant", { ARM_TENANT_ID: "t" }, { kind: "azureCli", tenantId: "t" }],
        [
            "ARM_USE_DEFAULT_AZURE_CREDENTIAL first, before a client secret",
            { ...sp, ARM_CLIENT_SECRET: "s", ARM_USE_DEFAULT_AZURE_CREDENTIAL: "true" },
            { kind: "default", tenantId: "tenant-1" },
        ],
        [
            "a certificate before a secret",
            { ...sp, ARM_CLIENT_SECRET: "s", ARM_CLIENT_CERTIFICATE_PATH: "/c.pem" },
            { kind: "clientCertificate", ...{ tenantId: "tenant-1", clientId: "client-1", certificatePath: "/c.pem" } },
        ],
        [
            "a client secret before OIDC",
            { ...sp, ARM_CLIENT_SECRET: "s", ARM_USE_OIDC: "true", ARM_OIDC_TOKEN: "x" },
            { kind: "clientSecret", tenantId: "tenant-1", clientId: "client-1" },
        ],
        [
            "OIDC from GitHub Actions' request URL",
            { ...sp, ARM_USE_OIDC: "true", ACTIONS_ID_TOKEN_REQUEST_URL: "https://x", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t" },
            { kind: "oidc", tenantId: "tenant-1", clientId: "client-1", source: "ACTIONS_ID_TOKEN_REQUEST_URL" },
        ],
        [
            "OIDC from a token file before the request URL",
            { ...sp, ARM_USE_OIDC: "true", ARM_OIDC_TOKEN_FILE_PATH: "/t", ACTIONS_ID_TOKEN_REQUEST_URL: "https://x", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t" },
            { kind: "oidc", tenantId: "tenant-1", clientId: "client-1", source: "ARM_OIDC_TOKEN_FILE_PATH" },
        ],
        [
            "OIDC before a managed identity",
            { ...sp, ARM_USE_OIDC: "true", ARM_OIDC_TOKEN: "x", ARM_USE_MSI: "true" },
            { kind: "oidc", tenantId: "tenant-1", clientId: "client-1", source: "ARM_OIDC_TOKEN" },
        ],
        ["a user-assigned managed identity", { ARM_USE_MSI: "true", ARM_CLIENT_ID: "mi" }, { kind: "managedIdentity", clientId: "mi" }],
        ["ARM_USE_MSI=false is not a choice", { ARM_USE_MSI: "false" }, { kind: "azureCli", tenantId: undefined }],
    ])("%s", (_name, env, method) => {
        expect(credentialMethod(env)).toEqual(method);
    });

    test.each([
        [
            "a client secret without a tenant",
            { ARM_CLIENT_ID: "c", ARM_CLIENT_SECRET: "s" },
            /a client secret \(ARM_CLIENT_SECRET\) is configured .* ARM_TENANT_ID is not set/,
        ],
        ["a certificate without client and tenant", { ARM_CLIENT_CERTIFICATE_PATH: "/c.pem" }, /ARM_TENANT_ID and ARM_CLIENT_ID are not set/],
        [
            "OIDC without any token",
            { ...sp, ARM_USE_OIDC: "true" },
            /no token is: set ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH, or run in GitHub Actions with `permissions: id-token: write`/,
        ],
        ["OIDC with a request URL but no request token", { ...sp, ARM_USE_OIDC: "true", ACTIONS_ID_TOKEN_REQUEST_URL: "https://x" }, /no token is/],
    ])("incomplete, refused without falling through: %s", (_name, env, message) => {
        expect(() => credentialMethod(env)).toThrow(CredentialSetupError);
        expect(() => credentialMethod(env)).toThrow(message);
    });

    test("messages name who writes, never a secret", () => {
        const env = { ...sp, ARM_CLIENT_SECRET: "s3cr3t-value" };
        const said = describeCredential(credentialMethod(env));
        expect(said).toBe("the service principal client-1 with a client secret (ARM_CLIENT_SECRET)");
        expect(said).not.toContain("s3cr3t-value");
        expect(describeCredential(credentialMethod({}))).toBe("the Azure CLI login (az login)");
    });
});

describe("azure-native auth config the writer cannot see", () => {
    const base = { "azure-native:location": "westeurope" };

    test("config repeated by the environment, or absent, passes", () => {
        expect(authConfigOutsideEnvironment({ ...base, "azure-native:clientId": "c" }, { ARM_CLIENT_ID: "c" })).toEqual([]);
        expect(authConfigOutsideEnvironment(base, {})).toEqual([]);
    });

    test("each setting only in config, or different there, is named with its variable", () => {
        expect(
            authConfigOutsideEnvironment(
                { ...base, "azure-native:clientId": "c", "azure-native:clientSecret": "s", "azure-native:useOidc": "true" },
                { ARM_CLIENT_ID: "other" },
            ),
        ).toEqual([
            ["azure-native:clientId", "ARM_CLIENT_ID"],
            ["azure-native:clientSecret", "ARM_CLIENT_SECRET"],
            ["azure-native:useOidc", "ARM_USE_OIDC"],
        ]);
    });

    test("the stack config is refused at startup, the secret's value not shown; not with sharedKeyAccess, nor on AKS", () => {
        const raw = { ...base, "azure-native:clientSecret": "s3cr3t-value" };
        const run = (extra: Record<string, string>) => () => parseStackConfig({ ...raw, ...extra }, { stack: "dev", env: {} });
        expect(run({})).toThrow(
            /^azure-native:clientSecret: "\[secret\]" is not valid; the issuer documents are written with the deployer's Entra token .* ARM_CLIENT_SECRET/,
        );
        expect(run({})).not.toThrow(/s3cr3t-value/);
        expect(run({ "entra-wif:issuer": JSON.stringify({ sharedKeyAccess: true }) })).not.toThrow();
        expect(run({ "entra-wif:cluster": JSON.stringify({ mode: "aks" }) })).not.toThrow();
        // Without an environment to compare (the offline tools), nothing is judged.
        expect(() => parseStackConfig(raw, { stack: "dev" })).not.toThrow();
    });
});

describe("the wait for a fresh grant (untilGrantReachesStorage), on a fake clock", () => {
    const mismatch = () =>
        Object.assign(new Error("This request is not authorized to perform this operation using this permission."), {
            code: "AuthorizationPermissionMismatch",
            statusCode: 403,
        });
    function clock() {
        let now = 0;
        const slept: number[] = [];
        const lines: string[] = [];
        return {
            slept,
            lines,
            wait: { maxMs: 60_000, report: (l: string) => lines.push(l), now: () => now, sleep: async (ms: number) => void (slept.push(ms), (now += ms)) },
        };
    }

    test("retries only the mismatch: 1 s, 2 s, 4 s, then every 5 s, each wait reported with the time spent and the bound", async () => {
        const c = clock();
        let calls = 0;
        const result = await untilGrantReachesStorage(async () => (++calls < 6 ? Promise.reject(mismatch()) : "written"), "acct", c.wait);
        expect(result).toBe("written");
        expect(c.slept).toEqual([1000, 2000, 4000, 5000, 5000]);
        expect(c.lines).toEqual(
            [0, 1, 3, 7, 12].map(
                (s) => `entra-wif: waiting for the Storage Blob Data Contributor grant to reach storage account acct: ${s} s of at most 1 min`,
            ),
        );
    });

    test("at the bound the mismatch is thrown as it came; the last pause never overshoots the bound", async () => {
        const c = clock();
        await expect(untilGrantReachesStorage(async () => Promise.reject(mismatch()), "acct", c.wait)).rejects.toMatchObject({
            code: "AuthorizationPermissionMismatch",
        });
        expect(c.slept.reduce((a, b) => a + b, 0)).toBe(60_000);
    });

    test("any other error is not waited for: a firewall's 403, a refused shared key, no answer", async () => {
        for (const err of [
            Object.assign(new Error("firewall"), { code: "AuthorizationFailure", statusCode: 403 }),
            Object.assign(new Error("key"), { code: "KeyBasedAuthenticationNotPermitted", statusCode: 403 }),
            Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
        ]) {
            const c = clock();
            await expect(untilGrantReachesStorage(async () => Promise.reject(err), "acct", c.wait)).rejects.toBe(err);
            expect(c.slept).toEqual([]);
        }
    });
});

describe("the deployer's principal type, from its token (a role assignment must declare it)", () => {
    test("a user's delegated token (scp) and an application's app-only token (no scp), as Entra issues them", () => {
        expect(principalTypeOfToken(mockAccessToken("user", "https://management.azure.com/"))).toBe("User");
        expect(principalTypeOfToken(mockAccessToken("servicePrincipal", "https://management.azure.com/"))).toBe("ServicePrincipal");
        const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.x`;
        // Without idtyp (an older token): scp decides.
        expect(principalTypeOfToken(token({ scp: "user_impersonation" }))).toBe("User");
        expect(principalTypeOfToken(token({ roles: ["x"] }))).toBe("ServicePrincipal");
        expect(() => principalTypeOfToken("not-a-token")).toThrow(/not a JWT/);
    });
});
