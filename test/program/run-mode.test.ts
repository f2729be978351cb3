/**
 * How `pulumi up` runs the program: Pulumi's nodejs language host registers ts-node with the options below (copied
 * from @pulumi/pulumi/cmd/run/run.js, CommonJS branch). These tests run that exact registration in a child process
 * and check what tsconfig.json promises: transpile-only with Sucrase, native stack traces, and error lines that
 * still point into the .ts file.
 */
import { parse } from "yaml";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { ProcessResult, runProcess } from "../support/processes";

/**
 * What the language host does: cmd/run/index.js loads source-map-support first (its line
 * `require("source-map-support/register")`), then run.js registers ts-node when PULUMI_NODEJS_TYPESCRIPT is true and
 * the project is not an ES module.
 */
const PULUMI_REGISTRATION = `
require(require.resolve("source-map-support/register", { paths: [require("node:path").dirname(require.resolve("@pulumi/pulumi/package.json"))] }));
const hostFormatter = Error.prepareStackTrace?.name;
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
const { options } = process[Symbol.for("ts-node.register.instance")];
const registered = { transpileOnly: options.transpileOnly, transpiler: options.transpiler, prepareStackTrace: Error.prepareStackTrace?.name, hostFormatter };
process.stdout.write(JSON.stringify(registered) + "\\n");
for (const fixture of JSON.parse(process.env.FIXTURES)) {
    try {
        require(fixture);
        process.stdout.write(JSON.stringify({ fixture }) + "\\n");
    } catch (err) {
        process.stdout.write(JSON.stringify({ fixture, stack: err.stack }) + "\\n");
    }
}
`;

/** ts-node registered without this project's settings: TypeScript's transpiler, and source-map-support maps each frame. */
const SOURCE_MAPPED_REGISTRATION = `
const formatter = String(Error.prepareStackTrace?.name);
let stack;
try {
    require(process.env.FIXTURE);
} catch (err) {
    stack = err.stack;
}
process.stdout.write(JSON.stringify({ formatter, stack }));
`;

function run(args: string[], env: Record<string, string>): Promise<ProcessResult> {
    return runProcess(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env } });
}

/**
 * Each fixture required in turn by one process that registers ts-node exactly as Pulumi does: the options it got, and
 * per fixture the stack of what it threw (if it threw).
 */
async function runAsPulumi(fixtures: Record<string, string>) {
    const files = Object.fromEntries(Object.keys(fixtures).map((name) => [name, path.join(dir, `fixture-${name}.ts`)]));
    for (const [name, source] of Object.entries(fixtures)) fs.writeFileSync(files[name], source);
    const r = await run(["-e", PULUMI_REGISTRATION], { FIXTURES: JSON.stringify(Object.values(files)), PULUMI_NODEJS_TRANSPILE_ONLY: "" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [options, ...required] = r.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { fixture: string; stack?: string });
    expect(required.map((f) => f.fixture)).toEqual(Object.values(files));
    return {
        options: options as unknown as { transpileOnly: boolean; transpiler: string; prepareStackTrace: string | undefined; hostFormatter: string | undefined },
        fixture: (name: string) => ({ file: files[name], stack: required.find((f) => f.fixture === files[name])!.stack }),
    };
}

/** A fixture required with ts-node as it registers itself without a project, source maps included. */
async function runSourceMapped(source: string) {
    const file = path.join(dir, "mapped.ts");
    fs.writeFileSync(file, source);
    const r = await run(["-r", "ts-node/register", "-e", SOURCE_MAPPED_REGISTRATION], { FIXTURE: file, TS_NODE_SKIP_PROJECT: "true" });
    expect(r.stderr).toBe("");
    return { file, ...(JSON.parse(r.stdout) as { formatter: string; stack: string }) };
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

let dir: string;
let asPulumi: Awaited<ReturnType<typeof runAsPulumi>>;
let sourceMapped: Awaited<ReturnType<typeof runSourceMapped>>;
beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-run-mode-"));
    // Both processes at once.
    [asPulumi, sourceMapped] = await Promise.all([
        runAsPulumi({
            ok: "export const ok: number = 1;\n",
            "type-error": 'const n: number = "not a number";\nexport const value = n;\n',
            throws: THROWS_ON_LINE_12,
        }),
        runSourceMapped(THROWS_ON_LINE_12),
    ]);
}, 120000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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
    expect(asPulumi.options.transpileOnly).toBe(true);
    expect(asPulumi.options.transpiler).toBe("./tools/sucraseTranspiler.js");
    expect(asPulumi.fixture("ok").stack).toBeUndefined();
});

test("a type error does not stop the program (npm test's tsc is where types are checked)", () => {
    expect(asPulumi.fixture("type-error").stack).toBeUndefined();
});

test("a thrown error names the .ts file and its real line, with native stack traces", () => {
    const { file, stack } = asPulumi.fixture("throws");
    // The host's source-map-support was installed, and is gone once ts-node has loaded the transpiler: V8 formats
    // the stack itself.
    expect(asPulumi.options.hostFormatter).toBe("prepareStackTrace");
    expect(sourceMapped.formatter).toBeTruthy();
    expect(asPulumi.options.prepareStackTrace).toBeUndefined();
    expect(stack).toMatch(/^Error: failed: a\n/);
    const frames = stack!.split("\n").slice(1);
    expect(frames[0]).toContain(`${file}:12:`);
    expect(frames[1]).toContain(`${file}:14:`);
});

test("with source maps still installed the same lines come out (so the switch loses nothing)", () => {
    expect(sourceMapped.stack.split("\n")[1]).toContain(`${sourceMapped.file}:12:`);
});

test("PULUMI_NODEJS_TRANSPILE_ONLY=false makes ts-node refuse the project's transpiler (the README says to leave it unset)", async () => {
    const file = path.join(dir, "fixture-transpile-only-false.ts");
    fs.writeFileSync(file, "export const ok: number = 1;\n");
    const r = await run(["-e", PULUMI_REGISTRATION], { FIXTURES: JSON.stringify([file]), PULUMI_NODEJS_TRANSPILE_ONLY: "false" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Custom transpiler can only be used when transpileOnly is enabled/);
});
