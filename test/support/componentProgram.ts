/**
 * A program using the package's component as a program in another language does (examples/yaml's resource): one
 * EntraWorkloadIdentity with the dev scenario's config, for the component's tests under the mocks.
 */
import { EntraWorkloadIdentity } from "../../components/entraWorkloadIdentity";

export const wif = new EntraWorkloadIdentity("wif", {
    location: "westeurope",
    issuer: { hosting: "blob", containerName: "oidc", storageAccountName: "stwifcomponent" },
    signingKey: { rsaBits: 2048 },
    cluster: { mode: "kind" },
    identity: { type: "managedIdentity" },
    workloads: [{ namespace: "demo", serviceAccount: "workload-sa" }],
    sample: { enabled: true },
});
