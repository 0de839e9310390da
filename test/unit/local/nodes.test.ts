/** The sandbox fleet split by account: the example organization's, and a JIT_NODES file's. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXAMPLE_FLEET, exampleFleets, FleetError, fleetsOf, sandboxFleets } from "../../../local/nodes.ts";
import { exampleConfig, oneAccountExample } from "../../helpers/config.ts";

const STAGING = "444455556666";
const SANDBOX = "777788889999";

afterEach(() => {
  delete process.env.JIT_NODES;
});

describe("the example fleet", () => {
  it("puts prod's nodes in the hub and gives staging and the sandbox account nodes of their own", () => {
    // Act
    const fleets = exampleFleets(exampleConfig());
    // Assess
    expect(fleets.nodes).toEqual(EXAMPLE_FLEET);
    expect(Object.keys(fleets.memberNodes)).toEqual([STAGING, SANDBOX]);
    expect(fleets.memberNodes[STAGING]?.map((n) => n.tags.Name)).toEqual([
      "stg-web-1",
      "stg-web-2",
      "stg-db-1",
    ]);
    expect(fleets.memberNodes[SANDBOX]?.map((n) => n.tags.Name)).toEqual(["lab-1", "lab-2"]);
    // The account is where the node went, not a field of it.
    expect(
      Object.values(fleets.memberNodes)
        .flat()
        .some((n) => "account" in n),
    ).toBe(false);
  });

  it("is the hub's fleet alone under a config of one account", () => {
    expect(exampleFleets(oneAccountExample())).toEqual({ nodes: EXAMPLE_FLEET, memberNodes: {} });
  });
});

describe("a fleet file (JIT_NODES)", () => {
  const file = (nodes: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), "jit-nodes-")), "nodes.json");
    writeFileSync(path, JSON.stringify(nodes));
    process.env.JIT_NODES = path;
  };

  it("puts a node without an account in the hub, as a file from before accounts did", () => {
    // Prepare
    file([{ id: "i-0aaa0000000000001", region: "eu-west-1", tags: { Env: "prod" } }]);
    // Act
    const fleets = sandboxFleets(exampleConfig());
    // Assess
    expect(fleets).toEqual({
      nodes: [{ id: "i-0aaa0000000000001", region: "eu-west-1", tags: { Env: "prod" } }],
      memberNodes: {},
    });
  });

  it("takes an account by name or by id, and the same node id in two accounts", () => {
    // Prepare
    const node = { id: "i-0aaa0000000000001", region: "eu-west-1", tags: { Env: "staging" } };
    file([
      { ...node, account: "staging" },
      { ...node, account: SANDBOX },
      { ...node, account: "prod" },
    ]);
    // Act
    const fleets = sandboxFleets(exampleConfig());
    // Assess
    expect(fleets.nodes).toEqual([node]);
    expect(fleets.memberNodes).toEqual({ [STAGING]: [node], [SANDBOX]: [node] });
  });

  it.each([
    [
      "an account the config does not name",
      [{ id: "i-0aaa0000000000001", region: "eu-west-1", tags: {}, account: "qa" }],
      'node i-0aaa0000000000001 is in account "qa", which the config does not name (prod, staging, sandbox)',
    ],
    [
      "a node id twice in one account",
      [
        { id: "i-0aaa0000000000001", region: "eu-west-1", tags: {}, account: "staging" },
        { id: "i-0aaa0000000000001", region: "eu-central-1", tags: {}, account: STAGING },
      ],
      `node i-0aaa0000000000001 is listed twice in account ${STAGING}: a node id is unique in its account`,
    ],
  ])("refuses %s", (_, nodes, message) => {
    // Act
    const act = () => fleetsOf(exampleConfig(), nodes);
    // Assess
    expect(act).toThrow(FleetError);
    expect(act).toThrow(message);
  });
});
