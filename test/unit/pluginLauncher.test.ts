/**
 * The package's plugin launcher (provider/pulumi-resource-entra-wif) in a checkout that has no
 * node_modules yet (cloned for its package, npm ci forgotten): it installs the dependencies once, keeping stdout for the
 * port the engine reads, then runs the plugin; without npm it says what the package needs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Sandbox, sandbox } from "../support/shell";

const LAUNCHER = path.resolve(__dirname, "../../provider/pulumi-resource-entra-wif");
let box: Sandbox;
let launcher: string;

beforeEach(() => {
    box = sandbox();
    fs.symlinkSync(fs.existsSync("/usr/bin/dirname") ? "/usr/bin/dirname" : "/bin/dirname", path.join(box.bin, "dirname"));
    const pkg = path.join(box.root, "fetched", "provider");
    fs.mkdirSync(pkg, { recursive: true });
    launcher = path.join(pkg, "pulumi-resource-entra-wif");
    fs.copyFileSync(LAUNCHER, launcher);
    fs.chmodSync(launcher, 0o755);
    // The plugin itself: it prints the port it serves on, as the provider server does.
    box.fake("node", "echo 45123");
});
afterEach(() => box.cleanup());

test("a fetched copy without node_modules: npm ci once, its output on stderr, then the plugin with the engine's address", () => {
    box.fake("npm", "mkdir -p node_modules/sucrase/register && : > node_modules/sucrase/register/ts.js && echo 'added 300 packages'");
    const first = box.run(`'${launcher}' 127.0.0.1:4000`, {});
    expect(first.code).toBe(0);
    expect(first.stdout).toBe("45123\n");
    expect(first.stderr).toMatch(
        /^entra-wif: installing the package's dependencies in .*\/fetched\/provider\/\.\. \(npm ci --omit=dev\), once\nadded 300 packages\n$/,
    );
    const second = box.run(`'${launcher}' 127.0.0.1:4000`, {});
    expect(second.stdout).toBe("45123\n");
    expect(box.calls().filter((c) => c.startsWith("npm"))).toEqual(["npm ci --omit=dev --no-audit --no-fund"]);
    expect(
        box
            .calls()
            .filter((c) => c.startsWith("node"))
            .at(-1),
    ).toMatch(/^node -r .*\/node_modules\/sucrase\/register\/ts .*\/provider\/main\.ts 127\.0\.0\.1:4000$/);
});

test("without npm it names what the package needs, and starts nothing", () => {
    const r = box.run(`'${launcher}' 127.0.0.1:4000`, {});
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe("entra-wif: the package runs on Node.js; install Node.js 22 or later (with npm)");
});

test("npm failing is said, and the plugin not started", () => {
    box.fake("npm", "echo 'npm ERR! network' >&2; exit 1");
    const r = box.run(`'${launcher}' 127.0.0.1:4000`, {});
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/npm ERR! network\nentra-wif: npm ci failed in .*\/fetched\/provider\/\.\.\n$/);
    expect(box.calls().some((c) => c.startsWith("node"))).toBe(false);
});
