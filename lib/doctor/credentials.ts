/**
 * The federated-credential checks (4): a credential whose subject is the token's, byte for byte, and whose issuer and
 * audience are the token's too — how Entra picks the credential an assertion is matched against.
 */
import { caseOnly, Check, DoctorInput, fail, ISSUER_MISMATCH, pass, SUBJECT_CASE_FIX, SUBJECT_CASE_MISMATCH } from "./checks";

/** Matches the token's claims against the federated credentials the input names (none: no check). */
export function credentialChecks(input: DoctorInput, claims: Record<string, unknown>, checks: Check[]): void {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (input.federatedCredentials && input.federatedCredentials.length > 0) {
        const candidates = input.federatedCredentials.filter((c) => c.subject === claims.sub);
        const caseOnlyMatches = input.federatedCredentials.filter((c) => caseOnly(c.subject, claims.sub));
        if (candidates.length === 0 && caseOnlyMatches.length > 0) {
            checks.push(
                fail(
                    "credential-match",
                    `federated credential ${caseOnlyMatches.map((c) => `${c.name} has subject ${JSON.stringify(c.subject)}`).join(", ")}: ` +
                        `it differs from the token's ${JSON.stringify(claims.sub)} only in letter case`,
                    SUBJECT_CASE_FIX,
                    SUBJECT_CASE_MISMATCH,
                ),
            );
            return;
        }
        if (candidates.length === 0) {
            checks.push(
                fail(
                    "credential-match",
                    `no federated credential has subject ${JSON.stringify(claims.sub)} (known: ${input.federatedCredentials.map((c) => c.subject).join(", ")})`,
                    "add the workload to entra-wif:workloads, or run it with a service account that has a credential",
                    "AADSTS700213 (no matching federated identity record for the assertion subject)",
                ),
            );
            return;
        }
        const matching = candidates.filter((c) => c.issuer === claims.iss && c.audiences.some((a) => audiences.includes(a)));
        checks.push(
            matching.length > 0
                ? pass("credential-match", `federated credential ${matching.map((c) => c.name).join(", ")} matches issuer, subject and audience exactly`)
                : fail(
                      "credential-match",
                      candidates.map((c) => `${c.name}: issuer ${JSON.stringify(c.issuer)}, audiences ${JSON.stringify(c.audiences)}`).join("; ") +
                          ` — the token has iss ${JSON.stringify(claims.iss)}, aud ${JSON.stringify(claims.aud)}`,
                      "make the federated credential's issuer and audience equal to the token's, byte for byte",
                      ISSUER_MISMATCH,
                  ),
        );
    }
}
