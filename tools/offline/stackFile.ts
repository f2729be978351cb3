/**
 * Reads a Pulumi.<stack>.yaml the way the Pulumi CLI hands it to the program: project defaults from Pulumi.yaml
 * where the stack sets nothing, keys without a namespace under the project's, structured values as JSON text.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export interface StackFile {
    project: string;
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
}

export const REPO_ROOT = path.resolve(__dirname, "../..");

/** The project file (Pulumi.yaml) as parsed YAML. */
/** A key Pulumi.yaml declares: its type and description, and the default or value a stack gets without its own. */
interface ConfigDeclaration {
    type?: string;
    description?: string;
    default?: unknown;
    value?: unknown;
}

export function readProjectFile(root: string = REPO_ROOT): { name: string; config?: Record<string, ConfigDeclaration> } {
    return parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
}

function toConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Stack name from a stack file's name: Pulumi.dev.yaml → dev. */
export function stackNameOf(file: string): string {
    const m = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file));
    if (!m) throw new Error(`${file}: a stack file is named Pulumi.<stack>.yaml`);
    return m[1];
}

export function loadStackFile(file: string, root: string = REPO_ROOT): StackFile {
    const project = readProjectFile(root);
    const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];

    for (const [key, decl] of Object.entries(project.config ?? {})) {
        if (decl && typeof decl === "object" && "default" in decl) config[qualify(key)] = toConfigString(decl.default);
        else if (decl && typeof decl === "object" && "value" in decl) config[qualify(key)] = toConfigString(decl.value);
    }
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        const k = qualify(key);
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            // Offline there is no passphrase to decrypt with: the program sees a placeholder, marked secret.
            config[k] = "[secret]";
            secretKeys.push(k);
        } else {
            config[k] = toConfigString(value);
        }
    }
    return { project: project.name, stack: stackNameOf(file), config, secretKeys };
}
