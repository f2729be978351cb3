import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import { defaultResourceGroupName } from "../lib/entra/naming";

export interface StackResourceGroupArgs {
    /** An existing group to deploy into; when absent the component creates `rg-<project>-<stack>`. Plain: it decides whether a group is created. */
    existingResourceGroupName?: string;
    /** Region of a created group. */
    location: pulumi.Input<string>;
    /**
     * Resolves once the stack may write (the deployer's preflight): the group, and so everything in it, waits for it,
     * and a failure stops the stack before its first write.
     */
    writableWhen?: pulumi.Input<unknown>;
}

/** The resource group everything Azure-side of the stack lives in: created, or an existing one looked up. */
export class StackResourceGroup extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;
    /** ARM id, the `resourceGroup` role scope. */
    public readonly id: pulumi.Output<string>;
    /** The name as a plain string, known before anything exists: a seed for derived names. */
    public readonly plainName: string;

    constructor(name: string, args: StackResourceGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("entra-wif:index:ResourceGroup", name, {}, opts);

        if (args.existingResourceGroupName) {
            this.plainName = args.existingResourceGroupName;
            // Looked up rather than assumed, so a misspelt group fails at preview, not halfway through an update.
            const existing = resources.getResourceGroupOutput({ resourceGroupName: this.plainName }, { parent: this });
            const ready = pulumi.all([existing, args.writableWhen]).apply(([g]) => g);
            this.name = ready.apply((g) => g.name);
            this.id = ready.apply((g) => g.id);
        } else {
            this.plainName = defaultResourceGroupName(pulumi.getProject(), pulumi.getStack());
            const group = new resources.ResourceGroup(
                `${name}-rg`,
                { resourceGroupName: this.plainName, location: pulumi.all([args.location, args.writableWhen]).apply(([location]) => location) },
                {
                    parent: this,
                    // Stacks from before this component had the group under the issuer: keep it, do not replace it.
                    aliases: [{ name: "issuer-rg", parent: pulumi.createUrn("issuer", "entra-wif:index:OidcIssuer") }],
                },
            );
            this.name = group.name;
            this.id = group.id;
        }
        this.registerOutputs({ name: this.name, id: this.id });
    }
}
