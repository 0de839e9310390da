/// <reference path="./.sst/platform/config.d.ts" />
/**
 * SST v4 app. `npx sst deploy --stage production` ships everything; stacks/ holds one file per concern.
 * Production is protected from `sst remove`, and keeps its data if removed anyway: SST's "retain"
 * keeps the table; the stacks keep the topic, its key, the session logs with their keys and the shared
 * role's grant slot and base policies (stacks/notices-policies.ts, stacks/slot-policies.ts). The
 * Session Manager preferences document is never deleted.
 */
export default $config({
  app(input) {
    return {
      name: "ssm-jit-access",
      home: "aws",
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
    };
  },
  async run() {
    const { deploy } = await import("./stacks/index.ts");
    // permissionsBoundary: creates /jit/jit-session-manager-boundary for you to attach (README).
    return deploy({ permissionsBoundary: true });
  },
});
