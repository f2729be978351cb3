/** entra-wif:identity / entra-wif:identities: the Entra identities and the roles granted to them. */
import { resolveRole, SCOPE_KEYWORDS, scopeProblem, UnknownRoleError } from "../entra/roles";
import { asObject, checkName, ConfigError, listOf, meantFields, oneOf, optionalString, Problems, rejectUnknownFields } from "./fields";
import { IDENTITY_TYPE_HINTS } from "./hints";
import { identityNameProblem } from "./names";
import { DEFAULTS, IDENTITY_TYPES, IdentityConfig, KNOWN_KEYS, PROJECT, ROLE_FIELDS, RoleGrantConfig } from "./types";

export function parseRoles(p: Problems, key: string, value: unknown, sampleEnabled: boolean): RoleGrantConfig[] {
    return listOf(p, key, value, "expected a list of {role, scope}, e.g. [{role: Reader, scope: resourceGroup}]", (item, itemKey) => {
        const obj = asObject(itemKey, item, "{role: Key Vault Secrets User, scope: sampleKeyVault}");
        if (!obj) throw new ConfigError(itemKey, item, "expected {role, scope}");
        const fields = new Problems();
        fields.attempt(() => rejectUnknownFields(itemKey, obj, ROLE_FIELDS), undefined);
        const meant = meantFields(obj, ROLE_FIELDS);
        const role = obj.role;
        const roleId = fields.attempt(() => {
            if (role === undefined && meant.has("role")) return "";
            if (typeof role !== "string" || role.trim() === "") {
                throw new ConfigError(`${itemKey}.role`, role, "expected a built-in role name such as Reader, or a role definition GUID");
            }
            try {
                return resolveRole(role);
            } catch (err) {
                if (err instanceof UnknownRoleError) throw new ConfigError(`${itemKey}.role`, role, err.message);
                throw err;
            }
        }, "");
        const scope = obj.scope;
        fields.attempt(() => {
            if (scope === undefined && meant.has("scope")) return;
            if (typeof scope !== "string") {
                throw new ConfigError(`${itemKey}.scope`, scope, `expected ${SCOPE_KEYWORDS.join(", ")} or a full ARM id`);
            }
            const problem = scopeProblem(scope);
            if (problem) throw new ConfigError(`${itemKey}.scope`, scope, problem);
            if (scope === "sampleKeyVault" && !sampleEnabled) {
                throw new ConfigError(
                    `${itemKey}.scope`,
                    scope,
                    `the sample Key Vault exists only with ${PROJECT}:sample.enabled true; enable it or give the vault's ARM id`,
                );
            }
        }, undefined);
        fields.throwIfAny();
        return { role: role as string, roleId, scope: scope as string };
    });
}

export function parseIdentity(p: Problems, key: string, value: unknown, fallbackName: string, sampleEnabled: boolean): IdentityConfig {
    const obj = p.attempt(() => asObject(key, value, "{type: managedIdentity}"), undefined) ?? {};
    p.attempt(() => rejectUnknownFields(key, obj, KNOWN_KEYS.identity!), undefined);
    const type = p.attempt(() => oneOf(`${key}.type`, obj.type, IDENTITY_TYPES, DEFAULTS.identity.type, IDENTITY_TYPE_HINTS), DEFAULTS.identity.type);
    const name = p.attempt(() => optionalString(`${key}.name`, obj.name), undefined) ?? fallbackName;
    // An empty name (an identities entry without one) is reported by the list.
    if (name !== "") p.attempt(() => checkName(`${key}.name`, name, identityNameProblem), undefined);
    return { name, type, roles: parseRoles(p, `${key}.roles`, obj.roles, sampleEnabled) };
}

export function parseIdentities(p: Problems, key: string, value: unknown, sampleEnabled: boolean): IdentityConfig[] {
    const seen = new Map<string, number>();
    return listOf(
        p,
        key,
        value,
        "expected a list of {name, type}, e.g. [{name: id-frontend, type: managedIdentity}]",
        (item, itemKey, i) => {
            const obj = asObject(itemKey, item, "{name: id-frontend, type: managedIdentity}");
            if (!obj) throw new ConfigError(itemKey, item, "expected {name, type}");
            const fields = new Problems();
            fields.attempt(() => rejectUnknownFields(itemKey, obj, KNOWN_KEYS.identities!), undefined);
            const meant = meantFields(obj, KNOWN_KEYS.identities!);
            if ((obj.name === undefined && !meant.has("name")) || obj.name === "") {
                fields.attempt(() => {
                    throw new ConfigError(`${itemKey}.name`, obj.name, "each identity in the list needs a name; workloads refer to it with identity: <name>");
                }, undefined);
            }
            if (obj.type === undefined && !meant.has("type")) {
                fields.attempt(() => {
                    throw new ConfigError(`${itemKey}.type`, obj.type, `use one of: ${IDENTITY_TYPES.join(", ")}`);
                }, undefined);
            }
            const identity = parseIdentity(fields, itemKey, obj, "", sampleEnabled);
            // Azure resource names are case-insensitive: two names differing in case are one identity.
            const first = seen.get(identity.name.toLowerCase());
            if (first !== undefined && identity.name !== "") {
                fields.attempt(() => {
                    throw new ConfigError(`${itemKey}.name`, identity.name, `the name is already used by ${key}[${first}]; give each identity its own name`);
                }, undefined);
            }
            seen.set(identity.name.toLowerCase(), i);
            fields.throwIfAny();
            return identity;
        },
        // A bad identity's workloads still name it: keep its name so that they are not reported as well.
        (item) => {
            const name = item && typeof item === "object" ? (item as Record<string, unknown>).name : undefined;
            return typeof name === "string" && name !== "" ? { name, type: DEFAULTS.identity.type, roles: [] } : undefined;
        },
    );
}
