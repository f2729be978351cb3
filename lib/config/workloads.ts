/** entra-wif:workloads: namespace/serviceAccount pairs, the identity each becomes, its roles and token lifetime. */
import { asText, asObject, checkName, ConfigError, listOf, meantFields, Problems, rejectUnknownFields } from "./fields";
import { parseRoles } from "./identities";
import { namespaceProblem, serviceAccountProblem } from "./names";
import { IdentityConfig, KNOWN_KEYS, MAX_FEDERATED_CREDENTIALS_PER_IDENTITY, PROJECT, TOKEN_EXPIRATION_RANGE, WorkloadConfig } from "./types";

export function parseTokenExpiration(key: string, value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    const { min, max } = TOKEN_EXPIRATION_RANGE;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
        throw new ConfigError(key, value, `expected whole seconds from ${min} (1 hour) to ${max} (24 hours)`);
    }
    return n;
}

export function parseWorkloads(
    p: Problems,
    key: string,
    value: unknown,
    identities: IdentityConfig[],
    listed: boolean,
    sampleEnabled: boolean,
): WorkloadConfig[] {
    const names = identities.map((id) => id.name);
    const seen = new Map<string, number>();
    const workloads = listOf(
        p,
        key,
        value,
        "expected a list of {namespace, serviceAccount}",
        (item, itemKey, i): WorkloadConfig => {
            const obj = asObject(itemKey, item, "{namespace: demo, serviceAccount: workload-sa}");
            if (!obj) throw new ConfigError(itemKey, item, "expected {namespace, serviceAccount}");
            const fields = new Problems();
            fields.attempt(() => rejectUnknownFields(itemKey, obj, KNOWN_KEYS.workloads!), undefined);
            const meant = meantFields(obj, KNOWN_KEYS.workloads!);
            // A name of digits stored as a number by the CLI reads back as the same digits (asText).
            const textOf = (field: string) => (typeof obj[field] === "number" && Number.isSafeInteger(obj[field]) ? String(obj[field]) : obj[field]);
            const namespace = textOf("namespace");
            const serviceAccount = textOf("serviceAccount");
            fields.attempt(() => {
                if (namespace === undefined && meant.has("namespace")) return;
                checkName(`${itemKey}.namespace`, asText(`${itemKey}.namespace`, namespace, "a Kubernetes namespace name"), namespaceProblem);
            }, undefined);
            fields.attempt(() => {
                if (serviceAccount === undefined && meant.has("serviceAccount")) return;
                checkName(
                    `${itemKey}.serviceAccount`,
                    asText(`${itemKey}.serviceAccount`, serviceAccount, "a Kubernetes service account name"),
                    serviceAccountProblem,
                );
            }, undefined);
            const id = `${namespace}/${serviceAccount}`;
            const first = seen.get(id);
            if (first !== undefined) {
                fields.attempt(() => {
                    throw new ConfigError(itemKey, obj, `${id} is already listed at ${key}[${first}]; each namespace/serviceAccount pair appears once`);
                }, undefined);
            } else {
                seen.set(id, i);
            }

            let identity = names[0];
            if (obj.identity !== undefined) {
                const wanted = obj.identity;
                const match = typeof wanted === "string" ? names.find((n) => n.toLowerCase() === wanted.toLowerCase()) : undefined;
                if (match === undefined) {
                    const allowed = listed
                        ? `name one of the identities in ${PROJECT}:identities: ${names.join(", ")}`
                        : `there is one identity, ${names[0]}; list several under ${PROJECT}:identities to choose between them`;
                    fields.attempt(() => {
                        throw new ConfigError(`${itemKey}.identity`, wanted, allowed);
                    }, undefined);
                } else {
                    identity = match;
                }
            } else if (listed && identities.length > 1 && !meant.has("identity")) {
                fields.attempt(() => {
                    throw new ConfigError(`${itemKey}.identity`, undefined, `with several identities each workload names its own: one of ${names.join(", ")}`);
                }, undefined);
            }
            const tokenExpiration = fields.attempt(() => parseTokenExpiration(`${itemKey}.tokenExpiration`, obj.tokenExpiration), undefined);
            const roles = parseRoles(fields, `${itemKey}.roles`, obj.roles, sampleEnabled);
            fields.throwIfAny();
            return { namespace: namespace as string, serviceAccount: serviceAccount as string, identity, roles, tokenExpiration };
        },
        // A bad workload the sample names is still the sample's: keep its names so that the sample is not reported too.
        (item) => {
            const o = item && typeof item === "object" ? (item as Record<string, unknown>) : {};
            return typeof o.namespace === "string" && typeof o.serviceAccount === "string"
                ? { namespace: o.namespace, serviceAccount: o.serviceAccount, identity: names[0], roles: [], tokenExpiration: undefined }
                : undefined;
        },
    );

    for (const name of names) {
        const count = workloads.filter((w) => w.identity === name).length;
        if (count > MAX_FEDERATED_CREDENTIALS_PER_IDENTITY) {
            p.attempt(() => {
                throw new ConfigError(
                    key,
                    `${count} workloads on identity ${name}`,
                    `Entra ID allows at most ${MAX_FEDERATED_CREDENTIALS_PER_IDENTITY} federated credentials per identity; ` +
                        `add a second identity under ${PROJECT}:identities and move some workloads to it with identity: <name>`,
                );
            }, undefined);
        }
    }
    return workloads;
}
