/** The CI workflows, parsed: triggers, permissions and the steps a reviewer relies on. */
import { DOC_FILES, readDoc } from "../support/docs";
import { latencyFileOf } from "../../tools/live/e2e";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { joinedPattern } from "../support/patterns";

type Step = {
    id?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    name?: string;
    env?: Record<string, string>;
    if?: string;
    "continue-on-error"?: boolean;
};
type Job = {
    steps: Step[];
    if?: string;
    environment?: string;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    env?: Record<string, string>;
    strategy?: { matrix: Record<string, unknown> };
    needs?: string;
    outputs?: Record<string, string>;
};
type Workflow = { on: Record<string, unknown>; permissions: Record<string, string>; env?: Record<string, string>; jobs: Record<string, Job> };

const WORKFLOWS = ["preview.yml", "destroy.yml", "e2e.yml"] as const;
const text = (file: string) => fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", file), "utf8");
const read = (file: string): Workflow => parse(text(file));
const azureEnv = {
    ARM_USE_OIDC: "true",
    ARM_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}",
    ARM_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}",
    ARM_SUBSCRIPTION_ID: "${{ vars.AZURE_SUBSCRIPTION_ID }}",
    PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
};
const PASSPHRASE = "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}";
/** A step that runs the Pulumi CLI or the program: the only kind that may see the stack's passphrase. */
const runsPulumi = (s: Step) =>
    (s.uses?.startsWith("pulumi/actions@") && s.with?.command !== undefined) || /\bpulumi (login|stack|destroy|up|preview)\b|npm run e2e/.test(s.run ?? "");

/**
 * Each action's commit, looked up in a snapshot of the action's own repository (`git rev-parse <tag>^{commit}`):
 * the newest release of the major version the workflows used before they were pinned.
 */
const PINS: Record<string, [sha: string, version: string]> = {
    "actions/checkout": ["11d5960a326750d5838078e36cf38b85af677262", "v4.4.0"],
    "actions/setup-node": ["49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"],
    "actions/upload-artifact": ["ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"],
    "actions/download-artifact": ["d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"],
    "azure/login": ["7184910d9eb2b1c5e48f7073824a90609bb9b6d6", "v2.3.1"],
    "pulumi/actions": ["8e5e406f4007fca908480587cb9893c07090f58d", "v7.0.0"],
    "helm/kind-action": ["ef37e7f390d99f746eb8b610417061a60e82a6cc", "v1.14.0"],
};

/** Every `uses:` of a workflow that is not a 40-hex SHA from PINS with its version in a comment, as a line each. */
function pinProblems(workflow: string): string[] {
    const problems: string[] = [];
    for (const [, ref, comment] of workflow.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
        const [action, sha] = ref.split("@");
        const version = comment.replace(/^\s*#\s*/, "").trim();
        if (!/^[0-9a-f]{40}$/.test(sha ?? "")) problems.push(`${ref}: not pinned by a full commit SHA`);
        else if (PINS[action]?.[0] !== sha || PINS[action]?.[1] !== version)
            problems.push(`${ref}: not the looked-up commit of ${PINS[action]?.[1] ?? action}, or no version comment`);
    }
    return problems;
}

function expectAzureSignInWithoutSecrets(job: Job) {
    expect(job.permissions?.["id-token"]).toBe("write");
    expect(job.env).toMatchObject(azureEnv);
    const login = job.steps.find((s) => s.uses?.startsWith("azure/login@"))!;
    expect(login.with).toEqual({
        "client-id": "${{ vars.AZURE_CLIENT_ID }}",
        "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
        "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
    });
    // No client secret or credentials JSON anywhere: the sign-in is federated.
    expect(JSON.stringify(job)).not.toMatch(/ARM_CLIENT_SECRET|client-secret|creds|AZURE_CREDENTIALS/);
}

describe("every workflow", () => {
    test.each(WORKFLOWS)("%s: every uses: is an action pinned by a 40-hex commit SHA with its version in a comment, the SHA the table looked up", (file) => {
        expect(text(file)).toMatch(/^\s*(?:-\s+)?uses:/m);
        expect(pinProblems(text(file))).toEqual([]);
    });

    test("the pin check refuses a tag, a branch, a short SHA, a SHA the table does not hold and a missing version comment", () => {
        const workflow = text("e2e.yml");
        const pinned = `actions/checkout@${PINS["actions/checkout"][0]} # ${PINS["actions/checkout"][1]}`;
        expect(workflow).toContain(pinned);
        for (const bad of ["actions/checkout@v4", "actions/checkout@main", "actions/checkout@11d5960", `actions/checkout@${"0".repeat(40)} # v4.4.0`]) {
            expect([bad, pinProblems(workflow.replace(pinned, bad))]).toEqual([bad, [expect.stringContaining(bad.split(" ")[0])]]);
        }
        expect(pinProblems(workflow.replace(pinned, `actions/checkout@${PINS["actions/checkout"][0]}`))).toHaveLength(1);
    });

    test.each(WORKFLOWS)("%s: nothing is granted at the top; each job asks for its own permissions", (file) => {
        const w = read(file);
        expect(w.permissions).toEqual({});
        expect(w.env).toBeUndefined();
        for (const [name, job] of Object.entries(w.jobs)) expect([name, job.permissions !== undefined]).toEqual([name, true]);
    });

    test.each(WORKFLOWS)("%s: every checkout leaves no token in .git/config, and npm ci runs no install script", (file) => {
        for (const job of Object.values(read(file).jobs)) {
            for (const step of job.steps.filter((s) => s.uses?.startsWith("actions/checkout@"))) expect(step.with?.["persist-credentials"]).toBe(false);
            for (const step of job.steps.filter((s) => s.run?.startsWith("npm ci"))) expect(step.run).toBe("npm ci --ignore-scripts");
        }
    });

    test.each(WORKFLOWS)("%s: the passphrase reaches only the steps that run Pulumi, in jobs of an environment", (file) => {
        const w = read(file);
        for (const [name, job] of Object.entries(w.jobs)) {
            expect([name, JSON.stringify(job.env ?? {}).includes("PULUMI_CONFIG_PASSPHRASE")]).toEqual([name, false]);
            for (const step of job.steps) {
                const has = JSON.stringify(step).includes("secrets.PULUMI_CONFIG_PASSPHRASE");
                if (has) {
                    expect([name, step.name ?? step.uses, runsPulumi(step), job.environment !== undefined]).toEqual([name, step.name ?? step.uses, true, true]);
                    expect(step.env?.PULUMI_CONFIG_PASSPHRASE).toBe(PASSPHRASE);
                }
            }
        }
    });

    test.each(WORKFLOWS)("%s: a job holding an OIDC token runs in an environment, so the token's subject is that environment's", (file) => {
        for (const [name, job] of Object.entries(read(file).jobs)) {
            if (job.permissions?.["id-token"] === "write")
                expect([name, job.environment]).toEqual([name, expect.stringMatching(/^(pr-preview|demo-destroy|e2e)$/)]);
        }
    });

    test("a job that touches a stack waits for any other on the same stack, and is never cancelled part-way", () => {
        const groups: Record<string, string> = {};
        for (const file of WORKFLOWS) {
            for (const [name, job] of Object.entries(read(file).jobs)) {
                if (!job.steps.some(runsPulumi)) continue;
                expect([file, name, job.concurrency?.["cancel-in-progress"]]).toEqual([file, name, false]);
                groups[`${file}:${name}`] = job.concurrency!.group;
            }
        }
        expect(groups).toEqual({
            "preview.yml:preview": "pulumi-stack-${{ vars.PREVIEW_STACK }}",
            "destroy.yml:destroy": "pulumi-stack-${{ matrix.stack }}",
            "e2e.yml:e2e": "pulumi-stack-e2e",
        });
    });

    test.each(WORKFLOWS)("%s installs the Pulumi CLI with pulumi/actions v7 at the SDK's version", (file) => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        const steps = Object.values(read(file).jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")));
        expect(steps.length).toBeGreaterThan(0);
        for (const step of steps) {
            expect(step.uses).toBe(`pulumi/actions@${PINS["pulumi/actions"][0]}`);
            // The CLI and the SDK are released together: the same version, so a runner never picks up a newer CLI unasked.
            expect(step.with?.["pulumi-version"]).toBe(pkg.dependencies["@pulumi/pulumi"]);
        }
    });

    test.each([
        ["preview.yml", "preview"],
        ["destroy.yml", "destroy"],
        ["e2e.yml", "e2e"],
    ])("%s stops before Azure and Pulumi when PULUMI_BACKEND_URL is empty, and runs on when it is set", (file, jobName) => {
        const steps = read(file).jobs[jobName].steps;
        const guard = steps.findIndex((s) => s.run?.includes('[ -z "$PULUMI_BACKEND_URL" ]'));
        expect(guard).toBeGreaterThan(-1);
        expect(guard).toBeLessThan(steps.findIndex((s) => s.uses?.startsWith("azure/login@")));
        expect(guard).toBeLessThan(steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@")));
        const run = (value: string) =>
            spawnSync("bash", ["-e", "-c", steps[guard].run!], { env: { PATH: process.env.PATH, PULUMI_BACKEND_URL: value }, encoding: "utf8" });
        const empty = run("");
        expect(empty.status).toBe(1);
        expect(empty.stdout).toMatch(/^::error::the repository variable PULUMI_BACKEND_URL is empty/);
        expect(run("azblob://pulumi-state?storage_account=entrawifstate").status).toBe(0);
    });

    test(".ci/run lints the workflows with zizmor, pinned by version and wheel hash", () => {
        expect(fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8")).toMatch(/^bash tools\/check\/workflows\.sh$/m);
        const req = fs.readFileSync(path.join(REPO_ROOT, "tools", "check", "zizmor-requirements.txt"), "utf8");
        expect(req).toMatch(/^zizmor==\d+\.\d+\.\d+ \\$/m);
        expect([...req.matchAll(/--hash=sha256:[0-9a-f]{64}/g)].length).toBeGreaterThanOrEqual(1);
        expect(fs.readFileSync(path.join(REPO_ROOT, "tools", "check", "workflows.sh"), "utf8")).toMatch(/--require-hashes/);
    });
});

describe("preview.yml", () => {
    const w = read("preview.yml");
    const { test: testJob, comment, preview } = w.jobs;

    test("runs on pull requests to main, in three jobs", () => {
        expect(Object.keys(w.on)).toEqual(["pull_request"]);
        expect(w.on.pull_request).toEqual({ branches: ["main"] });
        expect(Object.keys(w.jobs)).toEqual(["test", "comment", "preview"]);
    });

    test("the job that runs the pull request's code holds a read-only token: no OIDC token, no passphrase, no Azure sign-in", () => {
        expect(testJob.permissions).toEqual({ contents: "read" });
        expect(testJob.environment).toBeUndefined();
        const json = JSON.stringify(testJob);
        expect(json).not.toMatch(/secrets\.|id-token|azure\/login|ARM_|cloud-url|PULUMI_BACKEND_URL|PULUMI_ACCESS_TOKEN/);
        // The CLI is installed for the engine's change preview, and asked for nothing else: no command, no login.
        const cli = testJob.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
        expect(cli.map((s) => s.with)).toEqual([{ "pulumi-version": expect.any(String) }]);
        expect(testJob.steps.indexOf(cli[0])).toBeLessThan(testJob.steps.findIndex((s) => s.id === "changes"));
        expect(testJob.steps.find((s) => s.id === "changes")!.run).toMatch(/npm run --silent changes -- --base-dir "\$base" --markdown > change-preview.md/);
        const runs = testJob.steps.map((s) => s.run ?? s.uses);
        expect(runs.indexOf("npm test")).toBeGreaterThan(runs.indexOf("npm ci --ignore-scripts"));
        expect(testJob.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))!.with).toMatchObject({ "node-version": 22 });
    });

    test("the comment job checks out nothing and runs no npm: it only posts the test job's artifact", () => {
        expect(comment.permissions).toEqual({ "pull-requests": "write" });
        expect(comment.needs).toBe("test");
        expect(comment.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
        expect(comment.steps.some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(false);
        expect(comment.steps.some((s) => /\bnpm\b|\bnode\b/.test(s.run ?? ""))).toBe(false);
        const upload = testJob.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
        const download = comment.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))!;
        expect(download.with).toEqual({ name: (upload.with as { name: string }).name });
    });

    test("the live preview: only for this repository's branches, only in the reviewed pr-preview environment, its own identity", () => {
        expect(preview.needs).toBe("test");
        expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
        expect(preview.environment).toBe("pr-preview");
        expect(preview.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
        expectAzureSignInWithoutSecrets(preview);
        const step = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        expect(step.with).toMatchObject({
            command: "preview",
            "stack-name": "${{ vars.PREVIEW_STACK }}",
            "comment-on-pr": true,
            "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
        });
        expect(step.env).toEqual({ PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });
    });

    test("the offline change preview: the base's stack files from git, a broken invariant failing the check", () => {
        const changes = testJob.steps.find((s) => s.id === "changes")!;
        expect(testJob.steps[0].with).toMatchObject({ "fetch-depth": 0, "persist-credentials": false });
        expect(testJob.steps.indexOf(changes)).toBeGreaterThan(testJob.steps.findIndex((s) => s.run === "npm test"));
        expect(changes.env).toEqual({ BASE_SHA: "${{ github.event.pull_request.base.sha }}" });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-preview-"));
        const sh = (cmd: string, env: Record<string, string> = {}) =>
            spawnSync("bash", ["-e", "-c", cmd], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
        try {
            // A repository whose base commit has two stack files, and a stand-in npm that prints what it was asked.
            const git = (...args: string[]) => spawnSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd: dir, encoding: "utf8" });
            git("init", "-q");
            fs.mkdirSync(path.join(dir, "examples"));
            fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
            fs.writeFileSync(path.join(dir, "examples", "Pulumi.aks.yaml"), "config: {a: 1}\n");
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\n");
            git("add", ".");
            git("commit", "-q", "-m", "base");
            const base = git("rev-parse", "HEAD").stdout.trim();
            fs.mkdirSync(path.join(dir, "bin"));
            fs.writeFileSync(path.join(dir, "bin", "npm"), `#!/bin/sh\nfind "$6" -type f | sort | sed "s|$6/||"\nexit \${NPM_CODE:-0}\n`, { mode: 0o755 });
            const out = path.join(dir, "github-output");
            for (const [npmCode, stepCode] of [
                ["0", 0],
                ["3", 0],
                ["1", 1],
            ] as const) {
                fs.writeFileSync(out, "");
                const r = sh(changes.run!, {
                    BASE_SHA: base,
                    RUNNER_TEMP: dir,
                    GITHUB_OUTPUT: out,
                    NPM_CODE: npmCode,
                    PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
                });
                expect([npmCode, r.status]).toEqual([npmCode, stepCode]);
                expect(fs.readFileSync(out, "utf8")).toBe(`code=${npmCode}\n`);
                expect(fs.readFileSync(path.join(dir, "change-preview.code"), "utf8")).toBe(`${npmCode}\n`);
            }
            // Only the stack files, at their paths.
            expect(fs.readFileSync(path.join(dir, "change-preview.md"), "utf8")).toBe("Pulumi.dev.yaml\nexamples/Pulumi.aks.yaml\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        const fail = testJob.steps.at(-1)!;
        expect(fail.if).toBe("always() && steps.changes.outputs.code == '3'");
    });

    test("the post updates the bot's own marked comment only, never one a person wrote with the marker (run with a stand-in gh and real jq)", () => {
        const post = comment.steps.find((s) => s.name?.startsWith("Post the change preview"))!;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-comment-"));
        try {
            fs.writeFileSync(path.join(dir, "change-preview.md"), "# the preview\n");
            fs.mkdirSync(path.join(dir, "bin"));
            // The stand-in answers the comments listing from $COMMENTS, applying --jq with jq as gh does.
            fs.writeFileSync(
                path.join(dir, "bin", "gh"),
                [
                    "#!/bin/bash",
                    `echo "$*" >> "${dir}/gh.log"`,
                    'if [[ "$*" == *--paginate* ]]; then while [ "$1" != "--jq" ]; do shift; done; printf "%s" "$COMMENTS" | jq -r "$2"; fi',
                    "exit 0",
                ].join("\n"),
                { mode: 0o755 },
            );
            const marker = "<!-- entra-wif offline change preview -->";
            const bot = { login: "github-actions[bot]", type: "Bot" };
            const person = { login: "mallory", type: "User" };
            const run = (comments: unknown[]) => {
                fs.writeFileSync(path.join(dir, "gh.log"), "");
                const r = spawnSync("bash", ["-e", "-c", post.run!], {
                    cwd: dir,
                    env: {
                        PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
                        HOME: dir,
                        GH_TOKEN: "t",
                        REPO: "o/r",
                        PR: "7",
                        COMMENTS: JSON.stringify(comments),
                    },
                    encoding: "utf8",
                });
                expect(r.stderr).toBe("");
                expect(r.status).toBe(0);
                return fs
                    .readFileSync(path.join(dir, "gh.log"), "utf8")
                    .split("\n")
                    .filter((l) => l.includes("--method"))
                    .map((l) => l.split(" -f ")[0]);
            };
            expect(run([{ id: 41, user: person, body: `${marker}\nfake` }])).toEqual(["api --method POST repos/o/r/issues/7/comments"]);
            expect(
                run([
                    { id: 42, user: bot, body: `${marker}\nold` },
                    { id: 43, user: person, body: `${marker}\nfake` },
                    { id: 44, user: bot, body: "another bot comment" },
                ]),
            ).toEqual(["api --method PATCH repos/o/r/issues/comments/42"]);
            expect(run([])).toEqual(["api --method POST repos/o/r/issues/7/comments"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("destroy.yml", () => {
    const w = read("destroy.yml");

    test("runs on demand and on a schedule, from main only", () => {
        expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        expect((w.on.schedule as Array<{ cron: string }>)[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
        expect(w.jobs.stacks.if).toBe("github.ref == 'refs/heads/main'");
        expect(w.jobs.destroy.if).toBe("github.ref == 'refs/heads/main' && needs.stacks.outputs.stacks != '[]'");
    });

    test("the list job reads stack files only: no OIDC token, no secret; the destroy runs in demo-destroy with its own identity", () => {
        expect(w.jobs.stacks.permissions).toEqual({ contents: "read" });
        expect(JSON.stringify(w.jobs.stacks)).not.toMatch(/secrets\.|id-token/);
        expect(w.jobs.destroy.environment).toBe("demo-destroy");
        expect(w.jobs.destroy.permissions).toEqual({ contents: "read", "id-token": "write" });
        expectAzureSignInWithoutSecrets(w.jobs.destroy);
    });

    test("destroys and removes exactly the stacks the list job found marked entra-wif:demo: true, and only those the backend holds", () => {
        const list = w.jobs.stacks.steps.find((s) => s.id === "list")!;
        expect(list.env).toEqual({ REQUESTED: "${{ inputs.stack }}" });
        const destroy = w.jobs.destroy;
        expect(destroy.needs).toBe("stacks");
        expect(destroy.strategy!.matrix.stack).toBe("${{ fromJSON(needs.stacks.outputs.stacks) }}");
        const step = destroy.steps.find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "destroy")!;
        expect(step.with).toMatchObject({ command: "destroy", "stack-name": "${{ matrix.stack }}", remove: true });
        expect(step.if).toBe("steps.exists.outputs.found == 'true'");
    });

    test("the existence check, run with a stand-in pulumi: a stack the backend holds is destroyed, one it does not is skipped", () => {
        const script = w.jobs.destroy.steps.find((s) => s.id === "exists")!.run!;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-exists-"));
        try {
            fs.writeFileSync(
                path.join(dir, "pulumi"),
                `#!/bin/sh\ncase "$1" in login) echo logged in ;; stack) echo '[{"name":"e2e"},{"name":"organization/entra-wif/demo"}]' ;; esac\n`,
                { mode: 0o755 },
            );
            const out = path.join(dir, "out");
            const run = (stack: string) => {
                fs.writeFileSync(out, "");
                const r = spawnSync("bash", ["-e", "-c", script], {
                    env: { PATH: `${dir}:${path.dirname(process.execPath)}:/usr/bin:/bin`, STACK: stack, GITHUB_OUTPUT: out, PULUMI_BACKEND_URL: "file:///x" },
                    encoding: "utf8",
                });
                expect(r.status).toBe(0);
                return fs.readFileSync(out, "utf8");
            };
            expect(run("e2e")).toBe("found=true\n");
            expect(run("demo")).toBe("found=true\n");
            expect(run("gone")).toBe("found=false\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    test("purges the soft-deleted sample Key Vault after the destroy", () => {
        const steps = w.jobs.destroy.steps;
        const remember = steps.findIndex((s) => s.id === "vault");
        expect(steps[remember].run).toMatch(/pulumi stack output --json --stack "\$STACK"/);
        // The CLI is there before the step that reads the stack with it.
        expect(steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"))).toBeLessThan(remember);
        const destroy = steps.findIndex((s) => s.with?.command === "destroy");
        const purge = steps.findIndex((s) => s.run?.includes("az keyvault purge"));
        expect(remember).toBeGreaterThan(-1);
        expect(remember).toBeLessThan(destroy);
        expect(purge).toBeGreaterThan(destroy);
    });

    test.each([
        ["nothing is soft-deleted (every normal night: the stack purged its vault)", "exit 3", "no soft-deleted vault kv-demo: nothing to purge", false],
        ["a vault of that name is soft-deleted (a stack destroyed by an earlier version)", "exit 0", "", true],
    ])("the purge step, run with a stand-in az, when %s", (_when, showDeleted, said, purged) => {
        const script = w.jobs.destroy.steps.find((s) => s.run?.includes("az keyvault purge"))!.run!;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-purge-"));
        try {
            fs.writeFileSync(
                path.join(dir, "az"),
                `#!/bin/sh\necho "$*" >> "${dir}/calls"\ncase "$2" in show-deleted) ${showDeleted} ;; purge) exit 0 ;; esac\n`,
                { mode: 0o755 },
            );
            const r = spawnSync("bash", ["-e", "-c", script], { env: { PATH: `${dir}:/usr/bin:/bin`, VAULT: "kv-demo" }, encoding: "utf8" });
            expect(r.status).toBe(0);
            expect(r.stdout.trim()).toBe(said);
            const calls = fs.readFileSync(path.join(dir, "calls"), "utf8");
            expect(calls.includes("keyvault purge --name kv-demo")).toBe(purged);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the list step, run as GitHub runs it (bash, the project's npm script) on this checkout's stack files", () => {
    const script = read("destroy.yml").jobs.stacks.steps.find((s) => s.id === "list")!.run!;
    const out = path.join(os.tmpdir(), `gh-output-${process.pid}`);
    const run = (requested: string) => {
        fs.writeFileSync(out, "");
        const r = spawnSync("bash", ["-e", "-c", script], {
            cwd: REPO_ROOT,
            env: { ...process.env, GITHUB_ACTIONS: "true", REQUESTED: requested, GITHUB_OUTPUT: out },
            encoding: "utf8",
        });
        return { code: r.status, output: fs.readFileSync(out, "utf8"), stderr: r.stderr };
    };
    afterAll(() => fs.rmSync(out, { force: true }));

    test("the nightly run: every stack marked a demo, and no stack for its name alone (dev is not one)", () => {
        expect(run("")).toMatchObject({ code: 0, output: 'stacks=["e2e"]\n' });
    });

    test("a dispatch naming a demo stack", () => {
        expect(run("e2e")).toMatchObject({ code: 0, output: 'stacks=["e2e"]\n' });
    });

    test("a dispatch naming a stack that is not marked a demo is refused with a clear message, and nothing is handed to the destroy job", () => {
        const refused = run("dev");
        expect(refused.code).toBe(1);
        expect(refused.output).toBe("");
        expect(refused.stderr).toMatch(
            joinedPattern(
                /^::error::dev is not a demo stack: Pulumi\.dev\.yaml does not set entra-wif:demo: true, /,
                /and a stack's name alone never decides; nothing was destroyed/,
            ),
        );
        expect(run("prod").stderr).toMatch(/^::error::prod is not a demo stack: there is no Pulumi\.prod\.yaml on this branch; nothing was destroyed/);
        expect(run("../Pulumi").stderr).toMatch(/is not a stack name/);
    });
});

test("the documentation's benchmark figures are the ones docs/benchmarks.md records", () => {
    const readme = readDoc(DOC_FILES.testing);
    const section = readme.slice(readme.indexOf("## How fast it runs"), readme.indexOf("\n## ", readme.indexOf("## How fast it runs") + 3));
    // Targets ("≤ 1.5×") are not measurements.
    const measured = [...section.matchAll(/(?<!≤ )\b(\d+\.\d+)×/g)].map((m) => m[1]);
    expect(measured.length).toBeGreaterThanOrEqual(3);
    const ratios = fs
        .readFileSync(path.join(REPO_ROOT, "docs", "benchmarks.md"), "utf8")
        .split("## Figures")[1]
        .split("\n## ")[0];
    const recorded = [...ratios.matchAll(/\| (\d+\.\d+)× \|/g)].map((m) => m[1]);
    for (const figure of measured) expect(recorded).toContain(figure);
});

describe("docs/ARCHITECTURE.md", () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, "docs", "ARCHITECTURE.md"), "utf8");

    test("renders right: every code fence is closed, and every section heading is outside one", () => {
        const lines = text.split("\n");
        let inFence = false;
        const headingsOutside: string[] = [];
        for (const line of lines) {
            if (/^```/.test(line)) inFence = !inFence;
            else if (!inFence && /^## /.test(line)) headingsOutside.push(line);
        }
        expect(inFence).toBe(false);
        expect(headingsOutside).toEqual(["## The graph", "## The package boundary", "## Modes", "## Where each piece lives", "## Decisions"]);
    });

    test("names every component, and has one row per lib folder naming each of its files; every path it names exists", () => {
        for (const file of fs.readdirSync(path.join(REPO_ROOT, "components"))) expect([file, text.includes(`components/${file}`)]).toEqual([file, true]);
        const folders = fs.readdirSync(path.join(REPO_ROOT, "lib"));
        // lib/ holds folders only: a file's path names its concern.
        expect(folders.filter((f) => !fs.statSync(path.join(REPO_ROOT, "lib", f)).isDirectory())).toEqual([]);
        for (const folder of folders) {
            const rows = text.split("\n").filter((l) => l.startsWith(`| \`lib/${folder}/\` |`));
            expect([folder, rows.length]).toEqual([folder, 1]);
            for (const file of fs.readdirSync(path.join(REPO_ROOT, "lib", folder)).filter((f) => f !== "index.ts" || folder === "doctor")) {
                expect([folder, file, rows[0].includes(`\`${file}\``)]).toEqual([folder, file, true]);
            }
            // Each folder's index says what the folder holds, first thing.
            expect(fs.readFileSync(path.join(REPO_ROOT, "lib", folder, "index.ts"), "utf8")).toMatch(/^\/\*\*\n \* \S/);
        }
        for (const m of text.matchAll(/`((?:lib|components|tools|test|docs)\/[\w./-]+)`/g)) {
            const named = m[1].split(" ")[0];
            expect([named, fs.existsSync(path.join(REPO_ROOT, named))]).toEqual([named, true]);
        }
    });
});

describe("e2e.yml", () => {
    const w = read("e2e.yml");
    const job = w.jobs.e2e;

    test("runs on demand and weekly, from main only, in the e2e environment with its own identity", () => {
        expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        expect((w.on.schedule as Array<{ cron: string }>)[0].cron).toMatch(/^\d+ \d+ \* \* [0-6]$/);
        expect(job.if).toBe("github.ref == 'refs/heads/main'");
        expect(job.environment).toBe("e2e");
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
        expectAzureSignInWithoutSecrets(job);
    });

    test("the job keeps what renews az's sign-in in the late steps: the OIDC token permission and the client, tenant and subscription ids", () => {
        // tools/live/e2e.ts renewAzureSignIn reads these (and GitHub's ACTIONS_ID_TOKEN_REQUEST_* of an id-token: write job).
        expect(job.env).toMatchObject({ ARM_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}", ARM_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}" });
    });

    test("installs what the cycle needs, runs npm run e2e on the e2e stack, and publishes the JSON report even on failure", () => {
        const uses = job.steps.map((s) => s.uses ?? s.run ?? "");
        expect(uses.some((u) => u.startsWith("pulumi/actions@"))).toBe(true);
        expect(job.steps.find((s) => s.uses?.startsWith("helm/kind-action@"))!.with).toEqual({ install_only: true });
        const e2e = job.steps.find((s) => s.run?.startsWith("npm run e2e"))!;
        // The keep flag comes in through the environment, never pasted into the script.
        expect(e2e.run).toBe("npm run e2e -- --stack e2e --report e2e-report.json $KEEP");
        expect(e2e.env).toEqual({ PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, KEEP: "${{ inputs.keep && '--keep' || '' }}" });
        expect(job.steps.indexOf(e2e)).toBeGreaterThan(uses.indexOf("npm ci --ignore-scripts"));
        const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
        expect(upload.if).toBe("always()");
        // The report and the latency table measured beside it (tools/live/e2e.ts latencyFileOf).
        expect(String(upload.with!.path).trim().split("\n")).toEqual(["e2e-report.json", latencyFileOf("e2e-report.json")]);
        expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts.e2e).toBe(
            "node -r ts-node/register/transpile-only tools/live/e2e.ts",
        );
    });

    test("its throwaway stack is marked a demo, so the nightly destroy removes what a --keep run left", () => {
        expect(parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.e2e.yaml"), "utf8")).config["entra-wif:demo"]).toBe(true);
    });
});
