import { buildJwks } from "../../lib/trust/keys";
import {
    blobIssuerUrl,
    buildDiscoveryDocument,
    discoveryUrl,
    issuerUrlProblems,
    joinIssuerPath,
    jwksUrl,
    serializeDiscoveryDocument,
    serviceAccountSubject,
    staticWebsiteIssuerUrl,
} from "../../lib/trust/oidc";
import { k8s, vector } from "../support/vectors";

describe("discovery document", () => {
    test("byte-identical to kube-apiserver's for Kubernetes' vector", () => {
        const doc = buildDiscoveryDocument("https://issuer.example.com", buildJwks([k8s.rsaPublic(), k8s.ecdsaPublic()]));
        expect(serializeDiscoveryDocument(doc)).toBe(vector("kubernetes/expected_openid_configuration_compact.json"));
    });

    test("RSA only advertises RS256; algorithms are a sorted set", () => {
        expect(buildDiscoveryDocument("https://i.example/", buildJwks([k8s.rsaPublic(), k8s.otherRsaPublic()])).id_token_signing_alg_values_supported).toEqual([
            "RS256",
        ]);
        expect(buildDiscoveryDocument("https://i.example/", buildJwks([k8s.ecdsaPublic(), k8s.rsaPublic()])).id_token_signing_alg_values_supported).toEqual([
            "ES256",
            "RS256",
        ]);
    });

    test.each([
        ["https://acct.blob.core.windows.net/oidc/", "https://acct.blob.core.windows.net/oidc/openid/v1/jwks"],
        ["https://acct.blob.core.windows.net/oidc", "https://acct.blob.core.windows.net/oidc/openid/v1/jwks"],
        ["https://issuer.example.com", "https://issuer.example.com/openid/v1/jwks"],
    ])("issuer %s is kept exactly; jwks_uri %s", (issuer, jwks) => {
        const doc = buildDiscoveryDocument(issuer, buildJwks([k8s.rsaPublic()]));
        expect(doc.issuer).toBe(issuer);
        expect(doc.jwks_uri).toBe(jwks);
        expect(Object.keys(doc)).toEqual([
            "issuer",
            "jwks_uri",
            "response_types_supported",
            "subject_types_supported",
            "id_token_signing_alg_values_supported",
        ]);
    });

    test("refuses an issuer Entra would refuse", () => {
        expect(() => buildDiscoveryDocument("http://insecure.example/", buildJwks([k8s.rsaPublic()]))).toThrow(/https/);
    });
});

describe("document locations", () => {
    test("discovery and JWKS URLs under the issuer", () => {
        expect(discoveryUrl("https://a.blob.core.windows.net/oidc/")).toBe("https://a.blob.core.windows.net/oidc/.well-known/openid-configuration");
        expect(jwksUrl("https://a.blob.core.windows.net/oidc/")).toBe("https://a.blob.core.windows.net/oidc/openid/v1/jwks");
        expect(discoveryUrl("https://issuer.example.com")).toBe("https://issuer.example.com/.well-known/openid-configuration");
        expect(joinIssuerPath("https://h/x/", "/p")).toBe("https://h/x/p");
    });

    test("blob hosting issuer is the container URL with its trailing slash", () => {
        expect(blobIssuerUrl("https://acct.blob.core.windows.net/", "oidc")).toBe("https://acct.blob.core.windows.net/oidc/");
        expect(blobIssuerUrl("http://127.0.0.1:10000/devstoreaccount1", "oidc")).toBe("http://127.0.0.1:10000/devstoreaccount1/oidc/");
    });

    test("static website issuer is the web endpoint as Azure reports it", () => {
        expect(staticWebsiteIssuerUrl("https://acct.z6.web.core.windows.net/")).toBe("https://acct.z6.web.core.windows.net/");
    });
});

describe("issuer URL validation", () => {
    test.each([
        "https://acct.blob.core.windows.net/oidc/",
        "https://issuer.example.com",
        "https://oidc.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/",
    ])("%s is valid", (url) => expect(issuerUrlProblems(url)).toEqual([]));

    test.each([
        ["", /empty/],
        ["acct.blob.core.windows.net/oidc", /not an absolute URL/],
        ["http://acct.blob.core.windows.net/oidc/", /https, not http/],
        ["https://acct.blob.core.windows.net/oidc/?sv=2024", /query/],
        ["https://acct.blob.core.windows.net/oidc/?", /query/],
        ["https://acct.blob.core.windows.net/oidc/#frag", /fragment/],
        ["https://user:pw@acct.blob.core.windows.net/oidc/", /credentials/],
        ["https://acct.blob.core.windows.net/o idc/", /whitespace/],
    ])("%s is rejected", (url, problem) => {
        expect(issuerUrlProblems(url).join("; ")).toMatch(problem);
    });
});

test("service account subject", () => {
    expect(serviceAccountSubject("demo", "workload-sa")).toBe("system:serviceaccount:demo:workload-sa");
});
