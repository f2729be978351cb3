/**
 * The SDKs other languages use, generated from schema.json by the code generators of the Pulumi CLI's own module
 * (tools/engine/go/gen-sdk, built from the Go proxy: the proxy serves no Python or Go language host that would run
 * `pulumi package gen-sdk`), and each language's example (examples/python, examples/go) checked against them: the
 * Python SDK imports and type-checks under python3 with the Pulumi SDK from PyPI (pinned by hash), the Go SDK and the
 * Go example compile. Neither is run against the engine here: YAML is the language run end to end (package.test.ts).
 */
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { enginePath } from "../../tools/engine/build";
import { goEnv, REPO_ROOT } from "../../tools/goBuild";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-sdks-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
    return spawnSync(command, args, { encoding: "utf8", cwd: options.cwd ?? work, env: options.env ?? process.env, timeout: options.timeoutMs ?? 300000 });
}
function must(command: string, args: string[], options: Parameters<typeof run>[2] = {}): string {
    const r = run(command, args, options);
    if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

/** The SDK for a language, written into the work folder. */
function generate(language: "python" | "go"): string {
    const dir = enginePath().find((d) => fs.existsSync(path.join(d, "gen-sdk")))!;
    const out = path.join(work, `sdk-${language}`);
    must(path.join(dir, "gen-sdk"), [path.join(REPO_ROOT, "schema.json"), language, out]);
    return out;
}

describe("Python", () => {
    let sdk: string;
    let python: string;
    beforeAll(() => {
        sdk = generate("python");
        const venv = path.join(work, "venv");
        must("python3", ["-m", "venv", venv]);
        python = path.join(venv, "bin", "python");
        must(python, [
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--only-binary=:all:",
            "-r",
            path.join(REPO_ROOT, "tools", "package", "python-requirements.txt"),
        ]);
        // Installed as a user's `pip install` would (the SDK reads its version from its own package metadata), from
        // the folder alone: its dependencies are the ones just installed.
        must(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-index", "--no-build-isolation", sdk]);
    }, 600000);

    const env = () => process.env;

    test("the SDK imports, with the component and its settings under their Python names", () => {
        const said = must(
            python,
            ["-c", "import pulumi_entra_wif as e; print(e.EntraWorkloadIdentity.__name__, e.IssuerSettingsArgs.__name__, e.WorkloadSettingsArgs.__name__)"],
            { env: env() },
        );
        expect(said.trim()).toBe("EntraWorkloadIdentity IssuerSettingsArgs WorkloadSettingsArgs");
    });

    test("the README's Python example type-checks against it, and a wrong type does not", () => {
        const example = path.join(REPO_ROOT, "examples", "python", "__main__.py");
        expect(must(python, ["-m", "mypy", "--no-error-summary", example], { env: env() })).toBe("");
        const wrong = path.join(work, "wrong.py");
        fs.writeFileSync(wrong, fs.readFileSync(example, "utf8").replace("rsa_bits=2048", 'rsa_bits="2048"'));
        const r = run(python, ["-m", "mypy", "--no-error-summary", wrong], { env: env() });
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(/Argument "rsa_bits" to "SigningKeySettingsArgs" has incompatible type "str"; expected "int \| None"/);
    });
});

describe("Go", () => {
    test("the SDK and the README's Go example compile", () => {
        // The generator writes the package under the last element of the schema's Go import path.
        const modulePath = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")).language.go.importBasePath as string;
        const sdk = path.join(generate("go"), path.basename(modulePath));
        fs.writeFileSync(path.join(sdk, "go.mod"), `module ${modulePath}\n\ngo 1.26\n\nrequire github.com/pulumi/pulumi/sdk/v3 v3.276.0\n`);
        const example = path.join(work, "example-go");
        fs.mkdirSync(example);
        fs.copyFileSync(path.join(REPO_ROOT, "examples", "go", "main.go"), path.join(example, "main.go"));
        fs.writeFileSync(
            path.join(example, "go.mod"),
            ["module entra-wif.local/example", "", "go 1.26", "", `require ${modulePath} v0.0.0`, "", `replace ${modulePath} => ${sdk}`, ""].join("\n"),
        );
        // The modules come from the Go proxy (or Go's module cache), as the engine's builds do.
        const env = { ...goEnv(), GOFLAGS: "-mod=mod -buildvcs=false" };
        must("go", ["mod", "tidy"], { cwd: sdk, env, timeoutMs: 600000 });
        must("go", ["mod", "tidy"], { cwd: example, env, timeoutMs: 600000 });
        must("go", ["vet", "./..."], { cwd: example, env, timeoutMs: 600000 });
        must("go", ["build", "-o", path.join(work, "example"), "."], { cwd: example, env, timeoutMs: 600000 });
        expect(fs.existsSync(path.join(work, "example"))).toBe(true);
    }, 900000);
});
