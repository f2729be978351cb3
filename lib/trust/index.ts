/**
 * The trust documents: the signing keys and their kids, the discovery document and JWKS built from them exactly as
 * kube-apiserver builds its own, and the provider that publishes both in place in Azure Storage.
 */
export * from "./keys";
export * from "./oidc";
export * from "./issuerDocuments";
export * from "./deployerCredential";
export * from "./retiredResources";
