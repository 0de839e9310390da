/// <reference path="./.sst/platform/config.d.ts" />
/**
 * SST v4 app. `npx sst deploy --stage production` ships everything; stacks/ holds one file per concern.
 * Production keeps its data: the table and topic are retained and protected from removal.
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
    return deploy();
  },
});
