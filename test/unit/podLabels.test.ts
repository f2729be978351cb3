/** The doctor's pod-label check (lib/doctor/credentials.ts podLabelCheck): pods the webhook would pass over, named. */
import { podLabelCheck } from "../../lib/doctor/credentials";

const pod = (name: string, serviceAccountName: string | undefined, labels?: Record<string, string>) => ({
    metadata: { name, labels },
    spec: { serviceAccountName },
});

test("pods of the service account without the label: a warning naming them and the fix; the others pass; none: no check", () => {
    const pods = [pod("api-1", "api", { "azure.workload.identity/use": "true" }), pod("api-2", "api", { app: "api" }), pod("other", "worker")];
    expect(podLabelCheck(pods, "payments", "api")).toEqual({
        id: "pod-label",
        ok: true,
        message: '1 of 2 pods of payments/api lack the label azure.workload.identity/use: "true": api-2',
        warning:
            'the webhook injects no token and no AZURE_* variables into them: add `azure.workload.identity/use: "true"` to the labels of their pod ' +
            "template (spec.template.metadata.labels), then restart them",
    });
    expect(podLabelCheck([pods[0]], "payments", "api")).toEqual({
        id: "pod-label",
        ok: true,
        message: 'every pod of payments/api (1) has azure.workload.identity/use: "true"',
    });
    // The label's value must be the string "true"; a pod without a service account runs as default.
    expect(podLabelCheck([pod("x", "api", { "azure.workload.identity/use": "yes" })], "ns", "api")?.warning).toBeDefined();
    expect(podLabelCheck([pod("d", undefined)], "ns", "default")?.message).toMatch(/^1 of 1 pods of ns\/default lack the label/);
    expect(podLabelCheck(pods, "payments", "nobody")).toBeUndefined();
});
