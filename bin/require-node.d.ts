/** The oldest Node major `jit` runs on. */
export declare const REQUIRED_NODE_MAJOR: number;
/** What to tell someone on Node `version`, or undefined when it is new enough. */
export declare function nodeRequirement(version: string): string | undefined;
