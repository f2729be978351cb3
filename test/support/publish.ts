/** Publishes a plan's documents to Azurite exactly as the program declares them (container, name, content type, text). */
import { Plan } from "../../tools/offline/harness";
import { Azurite } from "./azurite";
import { assetText } from "./program";
import type { RelyingParty } from "./relyingParty";

export async function publishPlan(rp: RelyingParty, azurite: Azurite, plan: Plan, containerName: string, access: "blob" | "private"): Promise<void> {
    const blobs = plan.resources
        .filter((r) => r.type === "azure-native:storage:Blob")
        .map((r) => ({ blobName: r.inputs.blobName as string, contentType: r.inputs.contentType as string, text: assetText(r) }));
    if (blobs.length !== 2) throw new Error(`expected the discovery document and the JWKS, got ${blobs.length} blobs`);
    await rp.publish({ blobEndpoint: azurite.blobEndpoint, accountName: azurite.accountName, accountKey: azurite.accountKey, containerName, access, blobs });
}
