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

/** A pod as `kubectl get pods -o json` lists it, as far as the label check reads it. */
export interface ListedPod {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { serviceAccountName?: string };
}

/**
 * The webhook mutates only pods labelled azure.workload.identity/use: "true" (azure-workload-identity v1.6.0: the
 * chart's MutatingWebhookConfiguration objectSelector on pkg/webhook/consts.go UseWorkloadIdentityLabel): a
 * pod of the workload's service account without it gets no token and no AZURE_* variables, and its SDK finds no
 * credential. A warning, not a failure: the pod may read a token it mounts itself (webhook.enabled false). No pods
 * of the service account: nothing to say.
 */
export function podLabelCheck(pods: ListedPod[], namespace: string, serviceAccount: string): Check | undefined {
    const ours = pods.filter((p) => (p.spec.serviceAccountName ?? "default") === serviceAccount);
    if (ours.length === 0) return undefined;
    const unlabelled = ours.filter((p) => p.metadata.labels?.["azure.workload.identity/use"] !== "true").map((p) => p.metadata.name);
    if (unlabelled.length === 0)
        return pass("pod-label", `every pod of ${namespace}/${serviceAccount} (${ours.length}) has azure.workload.identity/use: "true"`);
    return pass(
        "pod-label",
        `${unlabelled.length} of ${ours.length} pods of ${namespace}/${serviceAccount} lack the label ` +
            `azure.workload.identity/use: "true": ${unlabelled.join(", ")}`,
        'the webhook injects no token and no AZURE_* variables into them: add `azure.workload.identity/use: "true"` to the labels of their pod ' +
            "template (spec.template.metadata.labels), then restart them",
    );
}
