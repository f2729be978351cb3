/**
 * Everything a control-plane node needs to take the stack's issuer and key, in one folder to copy there:
 *
 *   npm run --silent bundle -- --stack <name> --out <dir>
 *
 * Reads the stack's outputs (`pulumi stack output --json --show-secrets`, on this machine: the one with the state),
 * checks that the JWKS Entra reads holds every key of the stack (the doctor's endpoint checks, as the snippets' step 1
 * does), and only then writes the folder (lib/cluster/bundle.ts): the key files (sa.key 0600, only when the stack
 * generated the key; sa.pub 0644), the distribution's config fragment and install.sh. The node needs no Node, Pulumi
 * or state. Exit 0 written; 1 refused (the stack's outputs, the JWKS, the folder); 2 bad arguments.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Distribution } from "../lib/cluster/distributions";
import { bundleRefusal, nodeBundle } from "../lib/cluster/bundle";
import { createHttpGet } from "../lib/doctor/https";
import { allPassed, diagnoseEndpoints, formatChecks } from "../lib/doctor/report";
import { Flag, formatHelp, INFO_FLAGS, infoRequested } from "./cli";

const USAGE = "usage: npm run --silent bundle -- --stack <name> --out <dir>   (--help explains every flag)";

export const BUNDLE_FLAGS: readonly Flag[] = [
    ["--stack <name>", "The stack whose outputs the node needs (pulumi stack output --stack <name>): run it where that stack's state is."],
    ["--out <dir>", "The folder to write: it must not exist yet, or be empty. Copy it to the node (scp -r) and run sudo ./install.sh there."],
    ...INFO_FLAGS,
];

export function bundleHelpText(): string {
    return formatHelp(
        [
            "A folder for a control-plane node of a cluster you run (cluster.mode existing): the key files, the config fragment",
            "of the stack's cluster.distribution and install.sh, written once the published JWKS holds every key of the stack.",
        ],
        USAGE,
        BUNDLE_FLAGS,
        ["exit: 0 written, 1 refused (the stack, its JWKS or the folder; nothing written), 2 bad arguments"],
    );
}

export class BundleRefused extends Error {}

/** The stack's outputs a bundle reads, with the secrets shown. */
export interface BundleOutputs {
    issuerUrl: string;
    clusterMode?: string;
    clusterSnippets?: { distribution?: Distribution };
    serviceAccountSigningKey?: string;
    serviceAccountPublicKeys: string;
    signingPublicKeys: string[];
}

/** `pulumi stack output --json --show-secrets` of a stack, or the refusal that says why not. */
export function stackOutputs(stack: string, env: NodeJS.ProcessEnv = process.env): BundleOutputs {
    const r = spawnSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], { encoding: "utf8", env, timeout: 120000 });
    if (r.error) throw new BundleRefused(`pulumi stack output needs the Pulumi CLI: ${r.error.message}`);
    if (r.status !== 0) throw new BundleRefused(`pulumi stack output --stack ${stack} failed: ${r.stderr.trim().split("\n").pop()}`);
    return JSON.parse(r.stdout) as BundleOutputs;
}

/** Writes the bundle for these outputs into `out`, after the published JWKS is checked; returns what was written. */
export async function writeBundle(outputs: BundleOutputs, out: string, get = createHttpGet()): Promise<string[]> {
    if (outputs.clusterMode !== "existing" || !outputs.clusterSnippets?.distribution) {
        throw new BundleRefused(
            `the stack's cluster.mode is ${outputs.clusterMode ?? "unknown"}: a bundle is for a cluster you run (cluster.mode existing); ` +
                "a kind cluster the stack creates gets its files from pulumi up",
        );
    }
    const distribution = outputs.clusterSnippets.distribution;
    const refusal = bundleRefusal(distribution);
    if (refusal) throw new BundleRefused(refusal);
    if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new BundleRefused(`${out} is not empty: give a new folder (--out)`);
    // The node must never sign with a kid Entra cannot find: publish (pulumi up), confirm, then switch.
    const checks = await diagnoseEndpoints({ issuer: outputs.issuerUrl, publicKeys: outputs.signingPublicKeys }, get);
    if (!allPassed(checks)) {
        throw new BundleRefused(`the published JWKS does not hold every key of the stack yet (run pulumi up first):\n${formatChecks(checks)}`);
    }
    const files = nodeBundle({
        distribution,
        issuer: outputs.issuerUrl,
        privateKeyPem: outputs.serviceAccountSigningKey,
        publicKeysPem: outputs.serviceAccountPublicKeys,
    });
    fs.mkdirSync(out, { recursive: true, mode: 0o700 });
    fs.chmodSync(out, 0o700);
    for (const f of files) {
        fs.writeFileSync(path.join(out, f.path), f.text, { mode: f.mode });
        fs.chmodSync(path.join(out, f.path), f.mode);
    }
    return files.map((f) => f.path);
}

/** The arguments, or the usage error. */
export function parseBundleArgs(argv: string[]): { stack: string; out: string } {
    let stack: string | undefined;
    let out: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--stack" && argv[i + 1] !== undefined) stack = argv[++i];
        else if (argv[i] === "--out" && argv[i + 1] !== undefined) out = argv[++i];
        else throw new Error(argv[i] === "--stack" || argv[i] === "--out" ? `${argv[i]} needs a value` : `unknown argument: ${argv[i]}`);
    }
    if (!stack) throw new Error("missing --stack");
    if (!out) throw new Error("missing --out");
    return { stack, out: path.resolve(out) };
}

if (require.main === module) {
    const info = infoRequested(process.argv.slice(2), bundleHelpText);
    if (info !== undefined) process.stdout.write(info, () => process.exit(0));
    else main();
}

function main(): void {
    let args: { stack: string; out: string };
    try {
        args = parseBundleArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`, () => process.exit(2));
        return;
    }
    (async () => writeBundle(stackOutputs(args.stack), args.out))().then(
        (written) => {
            const key = written.includes("sa.key") ? " It holds the stack's private key (sa.key, 0600): delete it once installed." : "";
            process.stdout.write(`${args.out}: ${written.join(", ")}.${key}\nCopy it to the node and run there: sudo ./install.sh\n`, () => process.exit(0));
        },
        (e: Error) => {
            const expected = e instanceof BundleRefused;
            process.stderr.write(`${expected ? "" : "bundle failed: "}${e.message}\n`, () => process.exit(1));
        },
    );
}
