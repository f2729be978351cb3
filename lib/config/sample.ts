/** entra-wif:sample: the Key Vault demo and the workload it runs as. */
import { asObject, checkName, ConfigError, meantFields, optionalString, parseBoolean, Problems, rejectUnknownFields } from "./fields";
import { imageReferenceProblem, keyVaultNameProblem, secretNameProblem } from "./names";
import { DEFAULT_SAMPLE_IMAGE, DEFAULT_SAMPLE_SECRET_NAME, DEFAULTS, KNOWN_KEYS, PROJECT, SampleConfig, WorkloadConfig } from "./types";

export function parseSample(p: Problems, key: string, value: unknown): Omit<SampleConfig, "workload"> & { workloadRef?: string } {
    const obj = p.attempt(() => asObject(key, value, "{enabled: true}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.sample!), undefined);
    // A misspelt enabled still decides which other checks apply: read it leniently for them.
    const enabled = p.attempt(() => parseBoolean(`${key}.enabled`, obj.enabled, DEFAULTS.sample.enabled), obj.enabled === "true");
    const secretName = p.attempt(() => optionalString(`${key}.secretName`, obj.secretName), undefined) ?? DEFAULT_SAMPLE_SECRET_NAME;
    p.attempt(() => checkName(`${key}.secretName`, secretName, secretNameProblem), undefined);
    const vaultName = p.attempt(() => optionalString(`${key}.vaultName`, obj.vaultName), undefined);
    p.attempt(() => checkName(`${key}.vaultName`, vaultName, keyVaultNameProblem), undefined);
    const workloadRef = p.attempt(() => optionalString(`${key}.workload`, obj.workload), undefined);
    const image = p.attempt(() => optionalString(`${key}.image`, obj.image), undefined) ?? DEFAULT_SAMPLE_IMAGE;
    p.attempt(() => checkName(`${key}.image`, image, imageReferenceProblem), undefined);
    // "enable: true" was meant to turn it on: its other settings are not reported as set on a sample that is off.
    if (!enabled && !meantFields(obj, KNOWN_KEYS.sample!).has("enabled")) {
        for (const field of ["workload", "secretName", "vaultName", "image"] as const) {
            if (obj[field] !== undefined) {
                p.attempt(() => {
                    throw new ConfigError(`${key}.${field}`, obj[field], `the sample is off; set ${key}.enabled true or remove ${field}`);
                }, undefined);
            }
        }
    }
    return { enabled, secretName, vaultName, workloadRef, image };
}

export function sampleWorkload(key: string, ref: string | undefined, workloads: WorkloadConfig[]): WorkloadConfig {
    const listed = workloads.map((w) => `${w.namespace}/${w.serviceAccount}`);
    if (workloads.length === 0) {
        throw new ConfigError(
            `${PROJECT}:workloads`,
            [],
            `the sample (${key}.enabled) runs as a workload; list at least one, e.g. [{namespace: demo, serviceAccount: workload-sa}]`,
        );
    }
    if (ref === undefined) return workloads[0];
    const i = listed.indexOf(ref);
    if (i < 0) throw new ConfigError(`${key}.workload`, ref, `name a listed workload as <namespace>/<serviceAccount>: ${listed.join(", ")}`);
    return workloads[i];
}
