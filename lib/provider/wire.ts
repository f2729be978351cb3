/**
 * Values as they cross between the Pulumi engine and a provider plugin, as google.protobuf.Struct. A provider that
 * answers Configure with acceptSecrets (the Node SDK's provider server does) receives a secret as
 * {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value} (pulumi/pulumi
 * sdk/go/common/resource/plugin rpc.go, the secret signature), and hands it back the same way, so it stays secret in
 * the state; a value the engine does not know yet (a preview) is the string "04da6b54-80e4-46f7-96ec-b56ff0331ba9".
 * Pure.
 */

export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

export const isSecret = (v: unknown): v is { value: unknown } =>
    v !== null && typeof v === "object" && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;

/** The value with every secret wrapper removed: what a provider compares and computes with. */
export function reveal<T>(v: T): T {
    if (isSecret(v)) return reveal(v.value) as T;
    if (Array.isArray(v)) return v.map(reveal) as T;
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)])) as T;
    return v;
}

/** Whether a value, anywhere inside, is not known yet. */
export function hasUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(hasUnknown);
    if (v !== null && typeof v === "object") return Object.values(v).some(hasUnknown);
    return false;
}
