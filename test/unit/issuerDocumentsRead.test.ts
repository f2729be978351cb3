/**
 * A refresh of the issuer documents when the storage behind them is gone (lib/trust/issuerDocuments.ts read): a
 * storage account deleted outside Pulumi takes its host name with it, and the documents are reported gone, so refresh
 * drops them and the next `pulumi up` writes them again, instead of failing with "fetch failed".
 */
import { issuerDocumentsOperations, isHostGone, IssuerDocumentsState, readIssuerDocuments } from "../../lib/trust/issuerDocuments";

const state: IssuerDocumentsState = {
    accountName: "stgone",
    blobEndpoint: "https://stgone.blob.core.windows.net/",
    hosting: "blob",
    containerName: "oidc",
    publicBaseUrl: "https://stgone.blob.core.windows.net/oidc/",
    documents: [{ path: "openid/v1/jwks", text: '{"keys":[]}' }],
    contentType: "application/json",
    cacheControl: "no-cache",
    urls: ["https://stgone.blob.core.windows.net/oidc/openid/v1/jwks"],
};

const realFetch = global.fetch;
afterEach(() => {
    global.fetch = realFetch;
});
const failWith = (code: string) => {
    global.fetch = (async () => {
        throw Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(`getaddrinfo ${code} stgone.blob.core.windows.net`), { code }) });
    }) as typeof fetch;
};

test("an account whose host name no longer resolves: the documents are gone, and the provider's read answers an empty id", async () => {
    failWith("ENOTFOUND");
    expect(await readIssuerDocuments(state)).toBeUndefined();
    expect(await issuerDocumentsOperations.read("stgone/oidc/openid/v1/jwks", state)).toEqual({ id: "", props: {} });
});

test("any other network failure fails the refresh, naming the URL and the cause", async () => {
    failWith("ECONNREFUSED");
    await expect(readIssuerDocuments(state)).rejects.toThrow(
        "entra-wif: reading https://stgone.blob.core.windows.net/oidc/openid/v1/jwks anonymously, as Entra reads it, failed: ECONNREFUSED",
    );
});

test("a 404 reads as a missing document, which the next up writes again; a 403 fails with the status", async () => {
    global.fetch = (async () => new Response("", { status: 404 })) as typeof fetch;
    expect((await readIssuerDocuments(state))!.documents).toEqual([{ path: "openid/v1/jwks", text: "" }]);
    global.fetch = (async () => new Response("", { status: 403 })) as typeof fetch;
    await expect(readIssuerDocuments(state)).rejects.toThrow(/answered HTTP 403; Entra cannot read the issuer either/);
});

test("isHostGone looks at the cause's code only", () => {
    expect(isHostGone({ cause: { code: "ENOTFOUND" } })).toBe(true);
    expect(isHostGone(new Error("ENOTFOUND"))).toBe(false);
});
