/**
 * How `pulumi up` runs the program: Pulumi's nodejs language host registers ts-node with the options below (copied
 * from @pulumi/pulumi/cmd/run/run.js, CommonJS branch). These tests run that exact registration in a child process
 * and check what tsconfig.json promises: transpile-only with Sucrase, native stack traces, and error lines that
 * still point into the .ts file.
 */
import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/offline/stackFile";

/** What run.js does when PULUMI_NODEJS_TYPESCRIPT is true and the project is not an ES module. */
const PULUMI_REGISTRATION = `
const { loadTypeScriptCompilerOptions, typeScriptRequireStrings } = require("@pulumi/pulumi/tsutils");
const compilerOptions = loadTypeScriptCompilerOptions("tsconfig.json");
let transpileOnly = undefined;
if (process.env.PULUMI_NODEJS_TRANSPILE_ONLY) transpileOnly = process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true";
else transpileOnly = compilerOptions.noCheck;
const { tsnodeRequire, typescriptRequire } = typeScriptRequireStrings();
require(tsnodeRequire).register({
    compiler: typescriptRequire,
    transpileOnly,
    project: "tsconfig.json",
    skipProject: false,
    compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
});
const service = process[Symbol.for("ts-node.register.instance")];
process.stdout.write(JSON.stringify({ transpileOnly: service.options.transpileOnly, transpiler: service.options.transpiler, prepareStackTrace: Error.prepareStackTrace?.name }) + "\\n");
try {
    require(process.env.FIXTURE);
} catch (err) {
    process.stdout.write(JSON.stringify({ stack: err.stack }) + "\\n");
}
`;

let dir: string;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-run-mode-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runAsPulumi(fixtureSource: string) {
    const fixture = path.join(dir, `fixture-${Math.random().toString(36).slice(2)}.ts`);
    fs.writeFileSync(fixture, fixtureSource);
    const r = spawnSync(process.execPath, ["-e", PULUMI_REGISTRATION], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        timeout: 60000,
        env: { ...process.env, FIXTURE: fixture, PULUMI_NODEJS_TRANSPILE_ONLY: "" },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const [options, thrown] = r.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
    return { fixture, options, stack: thrown?.stack as string | undefined };
}

/** The name of the stack formatter ts-node installs when nothing switches it off. */
function sourceMappedPrepareStackTrace(): string {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register", "-e", "process.stdout.write(String(Error.prepareStackTrace?.name))"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        timeout: 60000,
        env: { ...process.env, TS_NODE_SKIP_PROJECT: "true" },
    });
    expect(r.stdout).toBeTruthy();
    return r.stdout;
}

// Type-only constructs before the throw: a transpiler that dropped their lines would shift the reported line.
const THROWS_ON_LINE_12 = `interface Settings {
    name: string;
    size: number;
}
type Pair = [
    Settings,
    Settings,
];
const pair: Pair = [{ name: "a", size: 1 }, { name: "b", size: 2 }];
function fail(settings: Settings): never {
    const label: string = settings.name;
    throw new Error(\`failed: \${label}\`);
}
fail(pair[0]);
`;

test("Pulumi.yaml runs the TypeScript program through ts-node, with no node arguments of its own", () => {
    const project = parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
    expect(project.runtime.name).toBe("nodejs");
    expect(project.runtime.options.typescript).toBe(true);
    expect(project.runtime.options.nodeargs).toBeUndefined();
});

test("Pulumi finds the project's ts-node and TypeScript, not its vendored ts-node 7 (which ignores tsconfig's ts-node section)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    // Runtime dependencies, so an install without dev dependencies still runs the program as configured.
    expect(pkg.dependencies).toHaveProperty("ts-node");
    expect(pkg.dependencies).toHaveProperty("typescript");
    expect(pkg.dependencies).toHaveProperty("sucrase");
});

test("registered as Pulumi registers it, the program is transpiled by Sucrase without type checking", () => {
    const { options } = runAsPulumi("export const ok: number = 1;\n");
    expect(options.transpileOnly).toBe(true);
    expect(options.transpiler).toBe("./tools/sucraseTranspiler.js");
});

test("a type error does not stop the program (npm test's tsc is where types are checked)", () => {
    const { stack } = runAsPulumi('const n: number = "not a number";\nexport const value = n;\n');
    expect(stack).toBeUndefined();
});

test("a thrown error names the .ts file and its real line, with native stack traces", () => {
    const { fixture, options, stack } = runAsPulumi(THROWS_ON_LINE_12);
    // No source-map-support hook: V8 formats the stack itself.
    expect(options.prepareStackTrace).not.toBe(sourceMappedPrepareStackTrace());
    expect(stack).toMatch(/^Error: failed: a\n/);
    const frames = stack!.split("\n").slice(1);
    expect(frames[0]).toContain(`${fixture}:12:`);
    expect(frames[1]).toContain(`${fixture}:14:`);
});

test("with source maps still installed the same lines come out (so the switch loses nothing)", () => {
    const fixture = path.join(dir, "mapped.ts");
    fs.writeFileSync(fixture, THROWS_ON_LINE_12);
    // ts-node without this project's settings: TypeScript's transpiler, and source-map-support maps each frame.
    const r = spawnSync(
        process.execPath,
        ["-r", "ts-node/register", "-e", `try { require(${JSON.stringify(fixture)}) } catch (e) { process.stdout.write(e.stack) }`],
        {
            cwd: REPO_ROOT,
            encoding: "utf8",
            timeout: 60000,
            env: { ...process.env, TS_NODE_SKIP_PROJECT: "true" },
        },
    );
    expect(r.stdout.split("\n")[1]).toContain(`${fixture}:12:`);
});
