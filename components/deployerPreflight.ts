import * as pulumi from "@pulumi/pulumi";
import { CHECK_DEPLOYER_TOKEN, DeployerCheckArgs } from "../lib/entra/preflight";

export interface DeployerPreflightArgs {
    /** The subscription the stack deploys into (getClientConfig). */
    subscriptionId: pulumi.Input<string>;
    /** The stack's resource group, existing or to be created. */
    resourceGroupName: pulumi.Input<string>;
    /** Whether the stack assigns roles (lib/entra/preflight.ts preflightOf). */
    assignsRoles: boolean;
    /** The storage account the stack creates, as Azure Policy is asked about it; absent when there is none (AKS). */
    account?: DeployerCheckArgs["account"];
}

/**
 * What ARM would refuse the deployer, asked through the project's plugin (`entra-wif:index:checkDeployer`,
 * provider/main.ts) before anything is written: the stack's resource group waits for it. On `pulumi up` a problem
 * stops the program, every problem on a line of its own; a preview (often a reader's, in a pull request) only warns.
 * Resolves to the problems found (none when all is well).
 */
export function deployerPreflight(args: DeployerPreflightArgs, opts?: pulumi.InvokeOutputOptions): pulumi.Output<string[]> {
    const answer = pulumi.runtime.invokeOutput<{ problems: string[] }>(CHECK_DEPLOYER_TOKEN, { ...args }, opts);
    return answer.apply((a) => {
        const problems = Array.isArray(a.problems) ? a.problems : [];
        if (problems.length === 0) return problems;
        if (pulumi.runtime.isDryRun()) {
            for (const problem of problems) void pulumi.log.warn(`entra-wif: pulumi up would stop here: ${problem}`);
            return problems;
        }
        const message = `entra-wif: nothing was written, because Azure would refuse it:\n${problems.map((p) => `- ${p}`).join("\n")}`;
        const error = new pulumi.RunError(message);
        // The SDK prefixes a rejected input's message with 'error serializing property "…": ' at every level it passes
        // (the same error object, @pulumi/pulumi runtime/rpc.js serializeAllProperties), and prints a RunError by its
        // message: the lines above stay as they are.
        Object.defineProperty(error, "message", { get: () => message, set: () => undefined });
        throw error;
    });
}
