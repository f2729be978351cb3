/**
 * Reads a Pulumi.<stack>.yaml the way the Pulumi CLI hands it to the program: project defaults from Pulumi.yaml
 * where the stack sets nothing, keys without a namespace under the project's, structured values as JSON text.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { closest } from "../../lib/config/fields";
import { OFFLINE_SECRET } from "../../lib/config/types";

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
    const yml = /^Pulumi\.(.+)\.yml$/.exec(path.basename(file));
    if (yml) {
        // The CLI reads Pulumi.<stack> with the project file's extension (pulumi/pulumi sdk/go/common/workspace/paths.go,
        // ProjectStackPath: `filepath.Ext(projPath)`), and the project file is Pulumi.yaml: a .yml stack file is never read.
        throw new StackFileError(
            file,
            `pulumi up reads Pulumi.${yml[1]}.yaml (the extension of Pulumi.yaml), never a .yml stack file; rename it: ` +
                `mv '${path.basename(file)}' 'Pulumi.${yml[1]}.yaml'`,
        );
    }
    const m = /^Pulumi\.(.+)\.yaml$/.exec(path.basename(file));
    if (!m) throw new StackFileError(file, "a stack file is named Pulumi.<stack>.yaml (the stack's name is taken from it)");
    return m[1];
}

/** The top-level keys of a stack file (pulumi/pulumi sdk/go/common/workspace/project.go, ProjectStack). */
export const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"] as const;

/** What a value `pulumi config set --secret` stored reads as offline: present, secret, and not readable without the passphrase. */
export const ENCRYPTED_PLACEHOLDER = OFFLINE_SECRET;

/** A stack file that is not one, or a top-level key it does not have: the file named, what was expected, the nearest key. */
export class StackFileError extends Error {
    constructor(file: string, problem: string) {
        super(`${file}: ${problem}`);
        this.name = "ConfigError";
    }
}

export function loadStackFile(file: string, root: string = REPO_ROOT): StackFile {
    const project = readProjectFile(root);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new StackFileError(
            file,
            code === "ENOENT" ? "no such file; a stack file is Pulumi.<stack>.yaml in the project folder" : `cannot be read (${code})`,
        );
    }
    let parsed: unknown;
    try {
        parsed = parse(text);
    } catch (err) {
        throw new StackFileError(file, `is not YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    if (parsed !== null && parsed !== undefined && (typeof parsed !== "object" || Array.isArray(parsed))) {
        throw new StackFileError(file, "is not a stack file: expected a YAML mapping with a config: section (pulumi config set writes one)");
    }
    const doc = (parsed ?? {}) as { config?: Record<string, unknown> };
    for (const key of Object.keys(doc)) {
        if (!(STACK_FILE_KEYS as readonly string[]).includes(key)) {
            // A longer or shorter form of a section (configuration, conf) is that section.
            const guess =
                STACK_FILE_KEYS.find((k) => key.toLowerCase().startsWith(k) || (key.length >= 4 && k.startsWith(key.toLowerCase()))) ??
                closest(key, STACK_FILE_KEYS);
            throw new StackFileError(
                file,
                `"${key}" is not a section of a stack file${guess ? `; did you mean "${guess}"?` : ""} (a stack file has ${STACK_FILE_KEYS.join(", ")})`,
            );
        }
    }
    if (doc.config !== undefined && doc.config !== null && (typeof doc.config !== "object" || Array.isArray(doc.config))) {
        throw new StackFileError(file, "config: is not a mapping of keys to values");
    }
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
            // Offline there is no passphrase to decrypt with: the program sees a placeholder it knows, marked secret.
            config[k] = ENCRYPTED_PLACEHOLDER;
            secretKeys.push(k);
        } else {
            config[k] = toConfigString(value);
        }
    }
    return { project: project.name, stack: stackNameOf(file), config, secretKeys };
}
