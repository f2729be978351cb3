/**
 * What a Pulumi resource provider plugin receives and answers on the wire: secret and unknown values
 * (`wire.ts`). The project's own plugin (provider/main.ts) and test:engine's stand-ins both read values through it.
 */
export * from "./wire";
