/** What every CLI prints for --version: the project's version from package.json, and the Node.js running it. */
import * as fs from "node:fs";
import * as path from "node:path";

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { name: string; version: string };

/** The project's version (package.json): the CLIs' and the provider plugin's. */
export const PROJECT_VERSION = pkg.version;

export function versionText(): string {
    return `${pkg.name} ${pkg.version} (Node.js ${process.version})`;
}
