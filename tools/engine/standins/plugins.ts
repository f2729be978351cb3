/**
 * The stand-in plugins as the engine finds them: a folder per provider holding `pulumi-resource-<provider>`, named in
 * the project file's `plugins.providers: [{name, path}]`, which the engine takes before looking anywhere else
 * (pulumi/pulumi sdk/go/common/workspace/plugins.go, ProjectPlugin). Each script starts this repository's stand-in
 * with the Node.js that runs the tests, transpiled by Sucrase.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../goBuild";
import { STAND_INS } from "./providers";

export interface PluginEntry {
    name: string;
    path: string;
}

/** Writes one folder per stand-in under `dir`; returns the project file's plugins.providers entries. */
export function writeStandInPlugins(dir: string, names: readonly string[] = Object.keys(STAND_INS)): PluginEntry[] {
    const register = path.join(REPO_ROOT, "node_modules", "sucrase", "register", "ts.js");
    const main = path.join(__dirname, "main.ts");
    return names.map((name) => {
        const folder = path.join(dir, name);
        fs.mkdirSync(folder, { recursive: true });
        const script = path.join(folder, `pulumi-resource-${name}`);
        fs.writeFileSync(script, `#!/bin/sh\nexec '${process.execPath}' -r '${register}' '${main}' '${name}' "$@"\n`, { mode: 0o755 });
        return { name, path: folder };
    });
}
