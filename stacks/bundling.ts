/** Bundling facts shared by the stack and the bundle benchmark, so both bundle the same way. */

/** The AWS SDK v3 that the nodejs24.x Lambda runtime provides; functions do not bundle it. */
export const RUNTIME_PROVIDED = ["@aws-sdk/*"] as const;
