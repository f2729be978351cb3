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
