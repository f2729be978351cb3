/**
 * The offline plans: what `pulumi up` would do from one config to another (change preview), what `pulumi destroy`
 * does, the plan as a graph, and the one table of the engine's and the providers' replace and delete rules.
 */
export * from "./providerRules";
export * from "./changePreview";
export * from "./destroyPlan";
export * from "./graph";
