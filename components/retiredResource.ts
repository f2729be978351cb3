import * as pulumi from "@pulumi/pulumi";
import { RETIRED_RESOURCE_TYPE } from "../lib/trust/retiredResources";

export interface RetiredResourceArgs {
    /** What it stands in for, as `<type> <name>`: for a person reading the state. */
    retires: pulumi.Input<string>;
}

/**
 * A placeholder under the name of a resource an earlier version registered (lib/trust/retiredResources.ts), so that
 * resource's old state is taken over rather than deleted by its old provider. Served by the project's own plugin;
 * it calls nothing on create, update, refresh or delete. Type `entra-wif:index:RetiredResource`.
 */
export class RetiredResource extends pulumi.CustomResource {
    constructor(name: string, args: RetiredResourceArgs, opts?: pulumi.CustomResourceOptions) {
        super(RETIRED_RESOURCE_TYPE, name, { retires: args.retires }, opts);
    }
}
