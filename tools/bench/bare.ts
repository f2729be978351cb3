/**
 * The benchmark's baseline: a program that imports the same SDK modules as index.ts and registers one resource.
 * The difference between it and the real program is the program's own cost.
 */
import * as pulumi from "@pulumi/pulumi";
import "@pulumi/azure-native/authorization";
import "@pulumi/azure-native/containerservice";
import "@pulumi/azure-native/keyvault";
import "@pulumi/azure-native/managedidentity";
import * as resources from "@pulumi/azure-native/resources";
import "@pulumi/azure-native/storage";
import "@pulumi/azuread";
import "@pulumi/command";
import "@pulumi/kubernetes";
import "@pulumi/tls";

const group = new resources.ResourceGroup("group-rg", { resourceGroupName: `rg-bench-${pulumi.getStack()}`, location: "westeurope" });
export const resourceGroupName = group.name;

/**
 * With ENTRA_WIF_BENCH_DYNAMIC=1, also one trivial dynamic resource: what the SDK charges any program that has one
 * (it serializes the provider's closure at registration, opening a V8 inspector session first), apart from what the
 * program's own IssuerDocuments provider adds.
 */
if (process.env.ENTRA_WIF_BENCH_DYNAMIC) {
    const provider: pulumi.dynamic.ResourceProvider = { create: async (inputs) => ({ id: "bench", outs: inputs }) };
    // IssuerDocuments' type token, so the offline plan's mocks answer for it.
    const props = { accountName: "bench", containerName: "bench", publicBaseUrl: "https://bench.invalid/", documents: [] };
    class BenchDynamic extends pulumi.dynamic.Resource {}
    new BenchDynamic(provider, "bench-dynamic", props, undefined, "entra-wif", "IssuerDocuments");
}
