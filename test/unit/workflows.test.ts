/** The CI workflows, parsed: triggers, permissions and the steps a reviewer relies on. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../tools/offline/stackFile";

type Step = { id?: string; uses?: string; run?: string; with?: Record<string, unknown>; name?: string; env?: Record<string, string>; if?: string };
type Job = { steps: Step[]; strategy?: { matrix: Record<string, unknown> }; needs?: string; outputs?: Record<string, string> };
type Workflow = { on: Record<string, unknown>; permissions: Record<string, string>; env: Record<string, string>; jobs: Record<string, Job> };

const read = (file: string): Workflow => parse(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", file), "utf8"));
const azureEnv = {
    ARM_USE_OIDC: "true",
    ARM_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}",
    ARM_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}",
    ARM_SUBSCRIPTION_ID: "${{ vars.AZURE_SUBSCRIPTION_ID }}",
    PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
};

function expectAzureSignInWithoutSecrets(w: Workflow, job: Job) {
    expect(w.permissions["id-token"]).toBe("write");
    expect(w.env).toMatchObject(azureEnv);
    const login = job.steps.find((s) => s.uses?.startsWith("azure/login@"))!;
    expect(login.with).toEqual({
        "client-id": "${{ vars.AZURE_CLIENT_ID }}",
        "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
        "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
    });
    // No client secret or credentials JSON anywhere: the sign-in is federated.
    const text = JSON.stringify(w);
    expect(text).not.toMatch(/ARM_CLIENT_SECRET|client-secret|creds|AZURE_CREDENTIALS/);
}

describe("preview.yml", () => {
    const w = read("preview.yml");
    const job = w.jobs.preview;

    test("runs on pull requests to main", () => {
        expect(Object.keys(w.on)).toEqual(["pull_request"]);
        expect(w.on.pull_request).toEqual({ branches: ["main"] });
    });

    test("permissions: read the code, an OIDC token, comment on the pull request", () => {
        expect(w.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    });

    test("npm ci, npm test, then pulumi/actions preview of the chosen stack with a comment on the pull request", () => {
        const runs = job.steps.map((s) => s.run ?? s.uses);
        expect(runs.indexOf("npm ci")).toBeGreaterThan(-1);
        expect(runs.indexOf("npm test")).toBeGreaterThan(runs.indexOf("npm ci"));
        const preview = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        expect(job.steps.indexOf(preview)).toBeGreaterThan(runs.indexOf("npm test"));
        expect(preview.with).toMatchObject({
            command: "preview",
            "stack-name": "${{ vars.PREVIEW_STACK }}",
            "comment-on-pr": true,
            "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
        });
        expect(job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))!.with).toMatchObject({ "node-version": 22 });
    });

    test("signs in to Azure without secrets", () => expectAzureSignInWithoutSecrets(w, job));

    test("the offline change preview: the base's stack files from git, the preview posted once and updated, a broken invariant failing it", () => {
        const step = (id: string) => job.steps.find((s) => s.id === id || s.name?.startsWith(id))!;
        expect(job.steps[0].with).toMatchObject({ "fetch-depth": 0 });
        const changes = step("changes");
        expect(job.steps.indexOf(changes)).toBeGreaterThan(job.steps.findIndex((s) => s.run === "npm test"));
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
            }
            // Only the stack files, at their paths.
            expect(fs.readFileSync(path.join(dir, "change-preview.md"), "utf8")).toBe("Pulumi.dev.yaml\nexamples/Pulumi.aks.yaml\n");

            // The post: a stand-in gh that has the marked comment 42 already, then none.
            const post = step("Post the change preview");
            fs.writeFileSync(
                path.join(dir, "bin", "gh"),
                `#!/bin/sh\necho "$*" >> "${dir}/gh.log"\ncase "$*" in *--paginate*) [ -n "$EXISTING" ] && echo "$EXISTING" ;; esac\nexit 0\n`,
                { mode: 0o755 },
            );
            const env = { GH_TOKEN: "t", REPO: "o/r", PR: "7", PATH: `${path.join(dir, "bin")}:${process.env.PATH}` };
            expect(sh(post.run!, { ...env, EXISTING: "42" }).status).toBe(0);
            expect(sh(post.run!, { ...env, EXISTING: "" }).status).toBe(0);
            const log = fs.readFileSync(path.join(dir, "gh.log"), "utf8").split("\n");
            expect(
                log.filter((l) => l.startsWith("api --method PATCH repos/o/r/issues/comments/42 -f body=<!-- entra-wif offline change preview -->")),
            ).toHaveLength(1);
            expect(
                log.filter((l) => l.startsWith("api --method POST repos/o/r/issues/7/comments -f body=<!-- entra-wif offline change preview -->")),
            ).toHaveLength(1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        const fail = job.steps.at(-1)!;
        expect(fail.if).toBe("always() && steps.changes.outputs.code == '3'");
    });
});

describe("destroy.yml", () => {
    const w = read("destroy.yml");
    const demoStacks = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, ".github", "demo-stacks.json"), "utf8")) as string[];

    test("runs on demand and on a schedule", () => {
        expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        expect((w.on.schedule as Array<{ cron: string }>)[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    });

    test("permissions: read the code and an OIDC token, nothing more", () => {
        expect(w.permissions).toEqual({ contents: "read", "id-token": "write" });
    });

    test("destroys and removes exactly the stacks listed in .github/demo-stacks.json", () => {
        expect(demoStacks.length).toBeGreaterThan(0);
        for (const stack of demoStacks) expect(fs.existsSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`))).toBe(true);
        const list = w.jobs.stacks.steps.find((s) => s.run?.includes(".github/demo-stacks.json"))!;
        expect(list.run).toMatch(/is not a demo stack/);
        const destroy = w.jobs.destroy;
        expect(destroy.needs).toBe("stacks");
        expect(destroy.strategy!.matrix.stack).toBe("${{ fromJSON(needs.stacks.outputs.stacks) }}");
        const step = destroy.steps.find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "destroy")!;
        expect(step.with).toMatchObject({ command: "destroy", "stack-name": "${{ matrix.stack }}", remove: true });
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

    test("signs in to Azure without secrets", () => expectAzureSignInWithoutSecrets(w, w.jobs.destroy));
});

test("the stack list script accepts listed stacks and refuses others", () => {
    const w = read("destroy.yml");
    const script = w.jobs.stacks.steps.find((s) => s.id === "list" || s.run?.includes("demo-stacks.json"))!.run!;
    const out = path.join(os.tmpdir(), `gh-output-${process.pid}`);
    const run = (requested: string) => {
        fs.writeFileSync(out, "");
        // GitHub runs the step with bash and the runner's node; here, this node.
        const r = spawnSync("bash", ["-c", script], {
            cwd: REPO_ROOT,
            env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}`, REQUESTED: requested, GITHUB_OUTPUT: out },
            encoding: "utf8",
        });
        return { code: r.status, output: fs.readFileSync(out, "utf8"), stdout: r.stdout };
    };
    expect(run("")).toMatchObject({
        code: 0,
        output: `stacks=${JSON.stringify(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, ".github", "demo-stacks.json"), "utf8")))}\n`,
    });
    expect(run("dev")).toMatchObject({ code: 0, output: 'stacks=["dev"]\n' });
    const refused = run("prod");
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/::error::prod is not a demo stack/);
    fs.rmSync(out, { force: true });
});

test("the README's benchmark figures are the ones docs/benchmarks.md records", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
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
        expect(headingsOutside).toEqual(["## The graph", "## Modes", "## Where each piece lives", "## Decisions"]);
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

    test("runs on demand and weekly", () => {
        expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        expect((w.on.schedule as Array<{ cron: string }>)[0].cron).toMatch(/^\d+ \d+ \* \* [0-6]$/);
    });

    test("signs in to Azure without secrets, with read-only access to the code", () => {
        expect(w.permissions).toEqual({ contents: "read", "id-token": "write" });
        expectAzureSignInWithoutSecrets(w, job);
    });

    test("the job keeps what renews az's sign-in in the late steps: the OIDC token permission and the client, tenant and subscription ids", () => {
        // tools/live/e2e.ts renewAzureSignIn reads these (and GitHub's ACTIONS_ID_TOKEN_REQUEST_* of an id-token: write job).
        expect(w.permissions["id-token"]).toBe("write");
        expect(w.env).toMatchObject({ ARM_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}", ARM_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}" });
    });

    test("installs what the cycle needs, runs npm run e2e on the e2e stack, and publishes the JSON report even on failure", () => {
        const uses = job.steps.map((s) => s.uses ?? s.run ?? "");
        expect(uses.some((u) => u.startsWith("pulumi/actions@"))).toBe(true);
        expect(job.steps.find((s) => s.uses?.startsWith("helm/kind-action@"))!.with).toEqual({ install_only: true });
        const e2e = job.steps.find((s) => s.run?.startsWith("npm run e2e"))!;
        expect(e2e.run).toMatch(/^npm run e2e -- --stack e2e --report e2e-report\.json/);
        expect(job.steps.indexOf(e2e)).toBeGreaterThan(uses.indexOf("npm ci"));
        const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
        expect(upload.if).toBe("always()");
        expect(upload.with).toMatchObject({ path: "e2e-report.json" });
        expect(fs.existsSync(path.join(REPO_ROOT, "Pulumi.e2e.yaml"))).toBe(true);
        expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts.e2e).toBe(
            "node -r ts-node/register/transpile-only tools/live/e2e.ts",
        );
    });
});

describe("every workflow that runs Pulumi", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const workflows: Array<[string, string]> = [
        ["preview.yml", "preview"],
        ["destroy.yml", "destroy"],
        ["e2e.yml", "e2e"],
    ];

    test.each(workflows)("%s installs the Pulumi CLI with pulumi/actions v7 at the SDK's version", (file, jobName) => {
        const steps = read(file).jobs[jobName].steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
        expect(steps.length).toBeGreaterThan(0);
        for (const step of steps) {
            expect(step.uses).toBe("pulumi/actions@v7");
            // The CLI and the SDK are released together: the same version, so a runner never picks up a newer CLI unasked.
            expect(step.with?.["pulumi-version"]).toBe(pkg.dependencies["@pulumi/pulumi"]);
        }
    });

    test.each(workflows)("%s stops before Azure and Pulumi when PULUMI_BACKEND_URL is empty, and runs on when it is set", (file, jobName) => {
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
});
