/**
 * The project's documentation as the tests read it: the README, the front door, and the reference under docs/ that
 * it links to. A test that checks a table or a section reads the file that holds it; one that asks whether something is
 * documented at all reads them all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/offline/stackFile";

/** The README and the reference it links to, by what they hold. */
export const DOC_FILES = {
    readme: "README.md",
    prerequisites: "docs/prerequisites.md",
    configuration: "docs/configuration.md",
    clusters: "docs/clusters.md",
    rotation: "docs/rotation.md",
    tools: "docs/tools.md",
    ci: "docs/ci.md",
    operations: "docs/operations.md",
    testing: "docs/testing.md",
    design: "docs/design.md",
    package: "docs/package.md",
} as const;

export const docPath = (file: string) => path.join(REPO_ROOT, file);
export const readDoc = (file: string) => fs.readFileSync(docPath(file), "utf8");

/** Every one of them, as one text. */
export const allDocs = () => Object.values(DOC_FILES).map(readDoc).join("\n");

/** The section of a document from its heading to the next heading of the same level. */
export function section(text: string, heading: string): string {
    const start = text.indexOf(heading);
    if (start === -1) throw new Error(`no section "${heading}"`);
    const level = /^#+/.exec(heading)![0];
    const next = text.indexOf(`\n${level} `, start + heading.length);
    return text.slice(start, next === -1 ? undefined : next);
}
