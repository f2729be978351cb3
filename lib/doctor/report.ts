/**
 * The doctor's run and report: every check the input allows, in Entra's order (endpoints, token, credentials), and
 * one line per check for a terminal.
 */
import { Check, DoctorInput, HttpGet } from "./checks";
import { credentialChecks } from "./credentials";
import { endpointChecks } from "./endpoints";
import { tokenChecks } from "./token";

/** Runs every check the input allows, in Entra's order. */
export async function diagnose(input: DoctorInput, get: HttpGet): Promise<Check[]> {
    const checks: Check[] = [];
    const keys = await endpointChecks(input, get, checks);
    if (input.token !== undefined) {
        const claims = tokenChecks(input, keys, checks);
        if (claims) credentialChecks(input, claims, checks);
    }
    return checks;
}

/** Only what Entra fetches (checks 1 and 2): what the gate in `pulumi up` runs. */
export async function diagnoseEndpoints(input: Pick<DoctorInput, "issuer" | "publicKeys" | "servedFrom">, get: HttpGet): Promise<Check[]> {
    const checks: Check[] = [];
    await endpointChecks(input, get, checks);
    return checks;
}

export const allPassed = (checks: Check[]): boolean => checks.every((c) => c.ok);

/** One line per check, for a terminal. */
export function formatChecks(checks: Check[]): string {
    // entra-exchange holds what Entra did answer; every other check, what it would.
    const entraSays = (c: Check) => (c.aadsts ? ` — Entra ${c.id === "entra-exchange" ? "answered" : "would answer"} ${c.aadsts}` : "");
    return checks
        .map((c) =>
            c.ok
                ? c.warning
                    ? `warn  ${c.id}: ${c.message} — ${c.warning}`
                    : `ok    ${c.id}: ${c.message}`
                : `FAIL  ${c.id}: ${c.message} — fix: ${c.fix}${entraSays(c)}`,
        )
        .join("\n");
}
