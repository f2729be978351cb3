/**
 * A pull request's `pulumi preview` runs on a CI runner, not on the laptop that ran `pulumi up`: the same config
 * must send the same inputs whatever the home folder, the checkout's path or the user name. Each example stack is
 * planned from two copies of the repository in different folders, with different HOME and USER, and the two plans
 * must be byte-identical, with none of those values anywhere in them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { evaluateProgram, Plan } from "../../tools/offline/harness";
import { AzureMocks } from "../../tools/offline/mocks";
import { loadStackFile, REPO_ROOT } from "../../tools/offline/stackFile";

process.setMaxListeners(100);

/** The example stacks a user starts from, and the fixtures that exercise the other cluster and key modes. */
const STACK_FILES = [
    "Pulumi.dev.yaml",
    ...fs.readdirSync(path.join(REPO_ROOT, "examples")).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f)).map((f) => `examples/${f}`),
    "test/fixtures/Pulumi.byo.yaml",
];

/** A copy of the repository's tracked files in a fresh folder, sharing node_modules. */
function checkout(parent: string, name: string): string {
    const dir = path.join(parent, name);
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    for (const file of files) {
        const from = path.join(REPO_ROOT, file);
        if (!fs.existsSync(from)) continue;
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(from, path.join(dir, file));
    }
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

interface Machine {
    root: string;
    home: string;
    user: string;
}

async function planOn(machine: Machine, stackFile: string, mocks: AzureMocks): Promise<string> {
    const saved = { cwd: process.cwd(), HOME: process.env.HOME, USER: process.env.USER, ROOT: process.env.PULUMI_NODEJS_ROOT_DIRECTORY };
    process.env.HOME = machine.home;
    process.env.USER = machine.user;
    // What `pulumi up` sets: the program's folder is the checkout.
    process.env.PULUMI_NODEJS_ROOT_DIRECTORY = machine.root;
    process.chdir(machine.root);
    try {
        const stack = loadStackFile(path.join(machine.root, stackFile), machine.root);
        let exports: Record<string, unknown> = {};
        const plan: Plan = await evaluateProgram({
            ...stack,
            mocks,
            load: () => {
                jest.isolateModules(() => {
                    exports = require(path.join(machine.root, "index"));
                });
                return exports;
            },
        });
        return JSON.stringify(plan, null, 2);
    } finally {
        process.chdir(saved.cwd);
        for (const [k, v] of [["HOME", saved.HOME], ["USER", saved.USER], ["PULUMI_NODEJS_ROOT_DIRECTORY", saved.ROOT]] as const) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

describe("the same config plans the same inputs on every machine", () => {
    let parent: string;
    let laptop: Machine;
    let runner: Machine;

    beforeAll(() => {
        parent = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-machines-"));
        laptop = { root: checkout(parent, "laptop-checkout"), home: path.join(parent, "home-alice"), user: "alice" };
        runner = { root: checkout(parent, "runner-work"), home: path.join(parent, "home-runner"), user: "runner" };
        fs.mkdirSync(laptop.home);
        fs.mkdirSync(runner.home);
    });
    afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

    test.each(STACK_FILES)("%s: byte-identical on a laptop and a CI runner", async (stackFile) => {
        // One mocks instance for both: the signing key lives in the stack's state, not on either machine.
        const mocks = new AzureMocks();
        const onLaptop = await planOn(laptop, stackFile, mocks);
        const onRunner = await planOn(runner, stackFile, mocks);
        expect(onRunner).toBe(onLaptop);
        for (const machine of [laptop, runner]) {
            expect(onLaptop).not.toContain(machine.root);
            expect(onLaptop).not.toContain(machine.home);
            expect(onLaptop).not.toContain(parent);
        }
        expect(onLaptop).not.toContain(REPO_ROOT);
        expect(onLaptop).not.toContain(os.homedir());
        expect(onLaptop).not.toMatch(/"dir":/);
    });

    test("the program reads nothing machine-specific: no home folder, working folder, user or clock", () => {
        // Every module index.ts loads, followed through its relative imports (the doctor's modules, which run inside
        // the gate's Command at `pulumi up` time and never while inputs are planned, are not among them).
        const planned = new Set<string>();
        const visit = (file: string) => {
            if (planned.has(file)) return;
            planned.add(file);
            const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
            for (const m of text.matchAll(/^import [^;]*? from "(\.{1,2}\/[^"]+)";/gm)) {
                if (/^import type /.test(m[0])) continue;
                visit(path.relative(REPO_ROOT, path.resolve(REPO_ROOT, path.dirname(file), `${m[1]}.ts`)));
            }
        };
        visit("index.ts");
        expect([...planned]).toEqual(expect.arrayContaining(["index.ts", "lib/config.ts", "lib/kind.ts", "components/kindCluster.ts", "components/oidcIssuer.ts"]));
        expect(planned.has("lib/entraExchange.ts")).toBe(false);
        for (const file of planned) {
            const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
            expect([file, text.match(/os\.homedir\(|os\.userInfo\(|process\.cwd\(|getRootDirectory\(|__dirname|Date\.now\(|new Date\(|Math\.random\(|process\.env\.(HOME|USER)/g)]).toEqual([file, null]);
        }
    });
});
