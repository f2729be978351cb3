/**
 * The Entra side and the Azure resources around it: each identity's federated credentials and grants, role
 * definitions and scopes, the deterministic names of what the stack creates, and the sample vault's purge.
 */
export * from "./identities";
export * from "./roles";
export * from "./naming";
export * from "./keyVaultPurge";
