/**
 * A pull request's `pulumi preview` runs on a CI runner, not on the laptop that ran `pulumi up`: the same config
 * must send the same inputs whatever the home folder, the checkout's path or the user name. Each example stack's plan
 * as recorded here (test/fixtures/plans: test/program/recorded-plans.test.ts checks they are what this checkout plans,
 * byte for byte) must be what a copy of the repository in another folder plans, in a process of its own with another
 * HOME and USER, with none of either machine's values anywhere in them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "../../tools/offline/stackFile";
import { planBatch } from "../support/planBatch";
import { exampleStackFiles, recordedPlanFile } from "../support/program";

/** The example stacks a user starts from, and the fixtures that exercise the other cluster and key modes. */
const STACK_FILES = exampleStackFiles();

/** A copy of the repository's tracked files in a fresh folder, sharing node_modules. */
function checkout(parent: string, name: string): string {
    const dir = path.join(parent, name);
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" })
        .split("\n")
        .filter(Boolean);
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

/** Every stack planned on another machine: its checkout, its HOME and USER, the program's folder as pulumi up sets it. */
async function planOn(machine: Machine): Promise<string[]> {
    const results = await planBatch(
        STACK_FILES.map((f) => ["--stack-file", path.join(machine.root, f), "--program", path.join(machine.root, "index")]),
        // The fixed keys the plans were recorded with: the signing keys live in the stack's state, not on either machine.
        { fixedKeys: true, cwd: machine.root, env: { HOME: machine.home, USER: machine.user, PULUMI_NODEJS_ROOT_DIRECTORY: machine.root } },
    );
    for (const r of results) expect({ argv: r.argv, code: r.code, stderr: r.stderr }).toEqual({ argv: r.argv, code: 0, stderr: "" });
    return results.map((r) => r.stdout);
}

describe("the same config plans the same inputs on every machine", () => {
    let parent: string;
    let laptop: Machine;
    let runner: Machine;
    let onLaptop: string[];
    let onRunner: string[];

    beforeAll(async () => {
        parent = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-machines-"));
        laptop = { root: REPO_ROOT, home: os.homedir(), user: os.userInfo().username };
        runner = { root: checkout(parent, "runner-work"), home: path.join(parent, "home-runner"), user: "runner" };
        fs.mkdirSync(runner.home);
        onLaptop = STACK_FILES.map((f) => fs.readFileSync(recordedPlanFile(f), "utf8"));
        onRunner = await planOn(runner);
    }, 120000);
    afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

    test.each(STACK_FILES.map((f, i) => [f, i] as const))("%s: byte-identical on a laptop and a CI runner", (_stackFile, i) => {
        expect(onRunner[i]).toBe(onLaptop[i]);
        for (const machine of [laptop, runner]) {
            expect(onLaptop[i]).not.toContain(machine.root);
            expect(onLaptop[i]).not.toContain(machine.home);
            expect(onLaptop[i]).not.toContain(parent);
        }
        expect(onLaptop[i]).not.toContain(REPO_ROOT);
        expect(onLaptop[i]).not.toContain(os.homedir());
        expect(onLaptop[i]).not.toMatch(/"dir":/);
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
                const target = path.resolve(REPO_ROOT, path.dirname(file), m[1]);
                visit(path.relative(REPO_ROOT, fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, "index.ts")));
            }
        };
        visit("index.ts");
        expect([...planned]).toEqual(
            expect.arrayContaining([
                "index.ts",
                "lib/config/index.ts",
                "lib/config/cluster.ts",
                "lib/cluster/kind.ts",
                "components/kindCluster.ts",
                "components/oidcIssuer.ts",
            ]),
        );
        expect(planned.has("lib/doctor/exchange.ts")).toBe(false);
        for (const file of planned) {
            const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
            expect([
                file,
                text.match(
                    /os\.homedir\(|os\.userInfo\(|process\.cwd\(|getRootDirectory\(|__dirname|Date\.now\(|new Date\(|Math\.random\(|process\.env\.(HOME|USER)/g,
                ),
            ]).toEqual([file, null]);
        }
    });
});
