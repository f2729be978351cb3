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
export function deployerPreflight(args: DeployerPreflightArgs, opts?: pulumi.InvokeOptions): pulumi.Output<string[]> {
    // Asked with the inputs resolved; a failure to ask at all (no token, ARM not answering, a proxy refusing) is one
    // problem like the others: it stops an up before its first write and only warns in a preview.
    const asked = pulumi.output(args).apply(async (resolved) => {
        try {
            const a = (await pulumi.runtime.invoke(CHECK_DEPLOYER_TOKEN, { ...resolved }, opts)) as { problems?: unknown };
            return Array.isArray(a.problems) ? (a.problems as string[]) : [];
        } catch (err) {
            const reason =
                String((err as Error).message || err).replace(/^(Invoke of '[^']+' failed|invocation of \S+ returned an error): /, "") || "no reason given";
            return [`Azure could not be asked what it would refuse: ${reason}`];
        }
    });
    return asked.apply((problems) => {
        if (problems.length === 0) return problems;
        if (pulumi.runtime.isDryRun()) {
            for (const problem of problems) void pulumi.log.warn(`entra-wif: pulumi up would stop here: ${problem}`);
            return problems;
        }
        throw runError(`entra-wif: nothing was written, because Azure would refuse it:\n${problems.map((p) => `- ${p}`).join("\n")}`);
    });
}

/**
 * A RunError whose message stays as written: the SDK prefixes a rejected input's message with 'error serializing
 * property "…": ' at every level it passes (the same error object, @pulumi/pulumi runtime/rpc.js
 * serializeAllProperties), and prints a RunError by its message alone (cmd/run uncaughtHandler).
 */
function runError(message: string): pulumi.RunError {
    const error = new pulumi.RunError(message);
    Object.defineProperty(error, "message", { get: () => message, set: () => undefined });
    return error;
}
