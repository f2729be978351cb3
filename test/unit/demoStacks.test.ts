/** Which stacks the nightly destroy may tear down: only those whose stack file says entra-wif:demo: true. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { demoStacks, main, stacksToDestroy } from "../../tools/offline/demoStacks";
import { REPO_ROOT } from "../../tools/offline/stackFile";

function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-wif-demo-"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
    return dir;
}

describe("demo stacks", () => {
    const dir = project({
        "Pulumi.dev.yaml": "config:\n  azure-native:location: westeurope\n",
        "Pulumi.demo.yaml": "config:\n  entra-wif:demo: true\n",
        "Pulumi.off.yaml": "config:\n  entra-wif:demo: false\n",
        // As `pulumi config set entra-wif:demo true` writes it (a string), and with the project's namespace left out.
        "Pulumi.cli.yaml": 'config:\n  entra-wif:demo: "true"\n',
        "Pulumi.short.yaml": "config:\n  demo: true\n",
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("the marker decides, never the name: dev without it is not a demo", () => {
        expect(demoStacks(dir)).toEqual(["cli", "demo", "short"]);
        expect(stacksToDestroy("", dir)).toEqual(["cli", "demo", "short"]);
        expect(stacksToDestroy("demo", dir)).toEqual(["demo"]);
    });

    test.each([
        ["dev", /^dev is not a demo stack: Pulumi\.dev\.yaml does not set entra-wif:demo: true.*nothing was destroyed/],
        ["off", /^off is not a demo stack/],
        ["prod", /^prod is not a demo stack: there is no Pulumi\.prod\.yaml on this branch; nothing was destroyed$/],
        ["a b", /^"a b" is not a stack name/],
        ["../x", /^"\.\.\/x" is not a stack name/],
    ])("a request for %s is refused", (stack, message) => {
        expect(() => stacksToDestroy(stack, dir)).toThrow(message);
    });

    test("a marker that is not true or false is refused, naming the file and the command", () => {
        const bad = project({ "Pulumi.x.yaml": "config:\n  entra-wif:demo: yes-please\n" });
        try {
            expect(() => demoStacks(bad)).toThrow('Pulumi.x.yaml: entra-wif:demo is "yes-please"; use true or false (pulumi config set entra-wif:demo true)');
        } finally {
            fs.rmSync(bad, { recursive: true, force: true });
        }
    });

    test("this repository: only the e2e stack is a demo; the developers' dev stack is not", () => {
        expect(demoStacks()).toEqual(["e2e"]);
    });

    test("the CLI: a JSON list and exit 0; a refusal as a GitHub annotation in a job and exit 1; bad arguments exit 2", () => {
        const run = (argv: string[], actions = false) => {
            let out = "";
            let err = "";
            const before = process.env.GITHUB_ACTIONS;
            process.env.GITHUB_ACTIONS = actions ? "true" : "";
            try {
                const code = main(
                    argv,
                    (s) => (out += s),
                    (s) => (err += s),
                );
                return { code, out, err };
            } finally {
                if (before === undefined) delete process.env.GITHUB_ACTIONS;
                else process.env.GITHUB_ACTIONS = before;
            }
        };
        expect(run([])).toEqual({ code: 0, out: '["e2e"]\n', err: "" });
        expect(run(["--stack", "dev"], true)).toMatchObject({ code: 1, out: "", err: expect.stringMatching(/^::error::dev is not a demo stack/) });
        expect(run(["--stack", "dev"])).toMatchObject({ code: 1, err: expect.stringMatching(/^dev is not a demo stack/) });
        expect(run(["--bogus"])).toMatchObject({ code: 2, err: expect.stringMatching(/^unknown argument: --bogus\nusage: npm run --silent demo-stacks/) });
        expect(run(["--help"]).out).toMatch(/entra-wif:demo: true/);
    });
});
