/** Where and how the hub deploys the spoke, and the hub bus's door for the organization's events. */
import { describe, expect, it } from "vitest";
import { checkConfig } from "../../../core/config/load.ts";
import { forwarderRole } from "../../../stacks/regions.ts";
import { spokeDeployment, TEMPLATE_BODY_LIMIT } from "../../../stacks/spoke-deployment.ts";
import { hubBusPolicy } from "../../../stacks/spoke-policies.ts";
import { HUB, multiAccountConfig, multiAccountData, STAGING } from "../../helpers/accounts.ts";
import { oneAccountExample } from "../../helpers/config.ts";
import { decide } from "../../helpers/simulate.ts";

describe("the spoke's deployment", () => {
  it("is nothing when the config spans the hub's account alone", () => {
    expect(spokeDeployment(oneAccountExample(), "eu-west-1")).toBeUndefined();
  });

  it("goes to the configured OUs, home region first, then the regions of profiles spanning members", () => {
    // Act
    const fromHome = spokeDeployment(multiAccountConfig(), "eu-west-1");
    const fromElsewhere = spokeDeployment(multiAccountConfig(), "us-west-2");
    // Assess
    expect(fromHome).toMatchObject({
      organizationalUnits: ["ou-ab12-cdef3456", "r-ab12"],
      regions: ["eu-west-1", "us-east-1"],
      callAs: "DELEGATED_ADMIN",
    });
    expect(fromElsewhere?.regions).toEqual(["us-west-2", "eu-west-1", "us-east-1"]);
    expect(JSON.parse(fromHome?.templateBody ?? "{}").Resources.BrokerRole.Properties.RoleName).toBe(
      "jit-broker",
    );
  });

  it("calls as SELF from the management account", () => {
    // Prepare
    const data = multiAccountData();
    data.organization.deployFrom = "management-account";
    // Act
    const deployment = spokeDeployment(checkConfig(data), "eu-west-1");
    // Assess
    expect(deployment?.callAs).toBe("SELF");
  });

  it("refuses a template over CloudFormation's inline limit, and says what shrinks it", () => {
    // Prepare: 40 more accounts of 40 one-person roles each: each broker fits IAM, the template does not.
    const data = multiAccountData();
    for (let a = 0; a < 40; a++) {
      const id = String(300000000000 + a);
      data.accounts[`acct-${a}`] = id;
      data.principals.accounts[`acct-${a}`] = { map: people(id, 40) };
      data.profiles.staging.accounts.push(`acct-${a}`);
    }
    // Act
    const act = () => spokeDeployment(checkConfig(data), "eu-west-1");
    // Assess
    expect(act).toThrow(`over CloudFormation's ${TEMPLATE_BODY_LIMIT} for a template body`);
  });

  it("refuses an account whose broker policy would pass IAM's inline quota, naming the account", () => {
    // Prepare
    const data = multiAccountData();
    data.principals.accounts.staging.map = people(STAGING, 250);
    // Act
    const act = () => spokeDeployment(checkConfig(data), "eu-west-1");
    // Assess
    expect(act).toThrow(
      new RegExp(
        `the broker's policy in staging \\(${STAGING}\\) would be \\d+ characters, over IAM's 10240`,
      ),
    );
  });
});

/** `count` one-person roles in an account, by made-up Slack ids. */
const people = (accountId: string, count: number) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `U${accountId.slice(-4)}${String(i).padStart(4, "0")}`,
      `arn:aws:iam::${accountId}:role/jit-person-${i}`,
    ]),
  );

describe("the hub's default bus", () => {
  const BUS = `arn:aws:events:eu-west-1:${HUB}:event-bus/default`;
  const forwarder = forwarderRole("aws", "eu-west-1", HUB);
  const put = (orgId: string | undefined, account = STAGING) =>
    decide({
      principalArn: `arn:aws:sts::${account}:assumed-role/jit-event-forwarder/events`,
      action: "events:PutEvents",
      resource: BUS,
      accountId: HUB,
      policies: [{ name: "put-events-on-hub-bus", policy: forwarder.policy }],
      resourcePolicy: hubBusPolicy(BUS, "o-a1b2c3d4e5"),
      context: orgId === undefined ? {} : { "aws:PrincipalOrgID": orgId },
    });

  it("takes a member account's forwarded events", async () => {
    expect(await put("o-a1b2c3d4e5")).toBe("Allowed");
  });

  it.each([
    ["an account of another organization", "o-zzzzzzzzzz"],
    ["an account in no organization", undefined],
  ])("refuses %s", async (_, orgId) => {
    expect(await put(orgId, "999999999999")).toBe("ImplicitlyDenied");
  });
});
