/**
 * The spoke template: what it holds for a multi-account config, and its offline validation against
 * the CloudFormation resource specification, which a planted error must fail.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SESSION_SECONDS } from "../../../adapters/aws/accounts.ts";
import { checkConfig } from "../../../core/config/load.ts";
import type { Statement } from "../../../core/policy.ts";
import { type CfnSpec, loadCfnSpec } from "../../../scripts/cfn-spec.ts";
import { validateTemplate } from "../../../scripts/cfn-validate.ts";
import { eventBridgePattern } from "../../../stacks/regions.ts";
import { SESSION_EVENT_PATTERN } from "../../../stacks/session-event-pattern.ts";
import { TEMPLATE_BODY_LIMIT } from "../../../stacks/spoke-deployment.ts";
import { spokeTemplate } from "../../../stacks/spoke-template.ts";
import { HUB, multiAccountConfig, multiAccountData, STAGING, TEAM_A } from "../../helpers/accounts.ts";
import { resolveIn } from "../../helpers/cfn-resolve.ts";
import { exampleConfig } from "../../helpers/config.ts";
import { problemsOf } from "../../helpers/service-reference.ts";

// biome-ignore lint/suspicious/noExplicitAny: planted errors edit the template freely
type Template = Record<string, any>;
const fresh = (): Template => structuredClone(spokeTemplate(multiAccountConfig(), "eu-west-1"));
let spec: CfnSpec;

beforeAll(() => {
  // Fetched once from the npm registry into node_modules/.cache (scripts/cfn-spec.ts).
  spec = loadCfnSpec();
}, 120_000);

describe("the spoke template", () => {
  it("is valid against the CloudFormation resource specification, one account or several", () => {
    // Act
    const several = validateTemplate(fresh(), spec);
    const one = validateTemplate(spokeTemplate(exampleConfig(), "eu-west-1"), spec);
    // Assess
    expect(several).toEqual([]);
    expect(one).toEqual([]);
  });

  it("creates nothing in the hub's own account, and roles only in the hub's region", () => {
    // Act
    const t = fresh();
    // Assess
    expect(t.Conditions.Member).toEqual({ "Fn::Not": [{ "Fn::Equals": [{ Ref: "AWS::AccountId" }, HUB] }] });
    expect(t.Conditions.IamHere["Fn::And"][1]).toEqual({
      "Fn::Equals": [{ Ref: "AWS::Region" }, "eu-west-1"],
    });
    expect(t.Resources.BrokerRole.Condition).toBe("IamHere");
    expect(t.Resources.EventForwarderRole.Condition).toBe("IamHere");
    expect(t.Resources.SessionEventsToHub.Condition).toBe("Member");
  });

  it("lets broker sessions last as long as the hub asks for", () => {
    expect(fresh().Resources.BrokerRole.Properties.MaxSessionDuration).toBeGreaterThanOrEqual(
      SESSION_SECONDS,
    );
  });

  it("forwards the session calls of every region to the hub's bus through the forwarder role", () => {
    // Act
    const rule = fresh().Resources.SessionEventsToHub.Properties;
    // Assess
    expect(rule.EventPattern).toEqual(eventBridgePattern(SESSION_EVENT_PATTERN));
    expect(rule.Targets).toEqual([
      {
        Id: "jit-hub-bus",
        Arn: `arn:aws:events:eu-west-1:${HUB}:event-bus/default`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub variable
        RoleArn: { "Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/jit-event-forwarder" },
      },
    ]);
  });

  it("makes the base and slots only where a shared role is declared, each slot where there are that many", () => {
    // Act
    const t = fresh();
    const policies = Object.keys(t.Resources).filter(
      (id) => t.Resources[id].Type === "AWS::IAM::ManagedPolicy",
    );
    const conditionOf = (id: string) => t.Resources[id].Condition;
    // Assess: staging has 3 slots, team-a 5.
    expect(policies).toEqual([
      "JitBase",
      "JitGrants1",
      "JitGrants2",
      "JitGrants3",
      "JitGrants4",
      "JitGrants5",
    ]);
    expect(["JitBase", "JitGrants1", "JitGrants3"].map(conditionOf)).toEqual(Array(3).fill("SharedRoleHere"));
    expect(["JitGrants4", "JitGrants5"].map(conditionOf)).toEqual(["Slot4Here", "Slot5Here"]);
    const equals = (id: string) => ({ "Fn::Equals": [{ Ref: "AWS::AccountId" }, id] });
    expect(t.Conditions.SharedRoleHere).toEqual({
      "Fn::And": [{ Condition: "IamHere" }, { "Fn::Or": [equals(STAGING), equals(TEAM_A)] }],
    });
    expect(t.Conditions.Slot5Here).toEqual({ "Fn::And": [{ Condition: "IamHere" }, equals(TEAM_A)] });
    expect(t.Resources.JitGrants2.Properties).toMatchObject({
      ManagedPolicyName: "jit-grants-2",
      Path: "/jit/",
    });
    expect(t.Resources.JitGrants2.DeletionPolicy).toBe("Retain");
  });

  it("gives each account a base naming its own sessions, in the regions of the profiles spanning them", () => {
    // Act
    const document = resolveIn(fresh().Resources.JitBase.Properties.PolicyDocument, {
      accountId: STAGING,
      region: "eu-west-1",
    }) as { Statement: Statement[] };
    // Assess
    expect(document.Statement.find((s) => s.Sid === "OwnSessions")?.Resource).toEqual([
      `arn:aws:ssm:eu-west-1:${STAGING}:session/*`,
      `arn:aws:ssm:us-east-1:${STAGING}:session/*`,
    ]);
  });

  it("stays one size however many accounts have a shared role, and valid (Fn::Or nested by tens)", () => {
    // Prepare: 60 more member accounts, each with two people and an Identity Center role.
    const data = multiAccountData();
    for (let i = 0; i < 60; i++) {
      const id = String(300000000000 + i);
      data.accounts[`acct-${i}`] = id;
      data.principals.accounts[`acct-${i}`] = {
        map: { U01ALICE: `arn:aws:iam::${id}:role/jit-alice`, U02BOB: `arn:aws:iam::${id}:user/bob` },
        sharedRole: { arn: `arn:aws:iam::${id}:role/AWSReservedSSO_OnCall_0123456789abcdef` },
      };
      data.profiles.staging.accounts.push(`acct-${i}`);
    }
    // Act
    const template = spokeTemplate(checkConfig(data), "eu-west-1");
    // Assess
    expect(Object.keys(template.Resources)).toHaveLength(Object.keys(fresh().Resources).length);
    expect(Buffer.byteLength(JSON.stringify(template))).toBeLessThan(TEMPLATE_BODY_LIMIT);
    expect(validateTemplate(template, spec)).toEqual([]);
  });

  it("names only actions, resource types and condition keys that exist (AWS's service reference)", async () => {
    // Prepare
    const where = { accountId: STAGING, region: "eu-west-1", parameters: { BrokerTrustedRoles: [] } };
    const template = fresh();
    const broker = resolveIn(
      template.Resources.BrokerRole.Properties.Policies[0].PolicyDocument,
      where,
      template,
    ) as {
      Statement: Statement[];
    };
    // Act
    const problems = (await Promise.all(broker.Statement.map(problemsOf))).flat();
    // Assess
    expect(problems).toEqual([]);
  });
});

describe("offline validation fails on a planted error", () => {
  it.each<[string, (t: Template) => void, string]>([
    [
      "a misspelled property",
      (t) => {
        t.Resources.BrokerRole.Properties.RoleNmae = t.Resources.BrokerRole.Properties.RoleName;
        delete t.Resources.BrokerRole.Properties.RoleName;
      },
      "Resources.BrokerRole.Properties.RoleNmae: no such property",
    ],
    [
      "a wrong type (text for an integer)",
      (t) => (t.Resources.BrokerRole.Properties.MaxSessionDuration = "one hour"),
      'Resources.BrokerRole.Properties.MaxSessionDuration: expected Integer, got "one hour"',
    ],
    [
      "a wrong type (an object for a list)",
      (t) =>
        (t.Resources.SessionEventsToHub.Properties.Targets =
          t.Resources.SessionEventsToHub.Properties.Targets[0]),
      "Resources.SessionEventsToHub.Properties.Targets: expected a list",
    ],
    [
      "a wrong type inside a property type",
      (t) => (t.Resources.SessionEventsToHub.Properties.Targets[0].Id = { name: "hub" }),
      "Resources.SessionEventsToHub.Properties.Targets.0.Id: expected String",
    ],
    [
      "a missing required property",
      (t) => delete t.Resources.BrokerRole.Properties.AssumeRolePolicyDocument,
      "Resources.BrokerRole.Properties: required property AssumeRolePolicyDocument is missing",
    ],
    [
      "a Ref to nothing",
      (t) => {
        t.Resources.BrokerRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals[
          "aws:PrincipalArn"
        ] = {
          Ref: "BrokerTrustedRole",
        };
      },
      "Resources.BrokerRole.Properties.AssumeRolePolicyDocument.Statement.0.Condition.ArnEquals.aws:PrincipalArn.Ref: Ref names BrokerTrustedRole, which is no resource",
    ],
    [
      "an attribute the resource does not have",
      (t) => (t.Outputs.BrokerRoleArn.Value = { "Fn::GetAtt": ["BrokerRole", "Arnn"] }),
      "Outputs.BrokerRoleArn.Value.Fn::GetAtt: AWS::IAM::Role has no attribute Arnn",
    ],
    [
      "an Fn::Sub variable that is nothing",
      (t) =>
        (t.Resources.SessionEventsToHub.Properties.Targets[0].RoleArn = {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub variable, misspelled
          "Fn::Sub": "arn:aws:iam::${AWS::AccountID}:role/x",
        }),
      "Resources.SessionEventsToHub.Properties.Targets.0.RoleArn.Fn::Sub: Fn::Sub names AWS::AccountID, which is no resource",
    ],
    [
      "a condition that is not defined",
      (t) => (t.Resources.BrokerRole.Condition = "IamHer"),
      "Resources.BrokerRole.Condition: IamHer is no condition",
    ],
    [
      "an output of a conditional resource without its condition",
      (t) => delete t.Outputs.BrokerRoleArn.Condition,
      "Outputs.BrokerRoleArn.Value.Fn::GetAtt: Fn::GetAtt names BrokerRole, which exists only when IamHere",
    ],
    [
      "a resource type that does not exist",
      (t) => (t.Resources.EventForwarderRole.Type = "AWS::IAM::Rolle"),
      "Resources.EventForwarderRole.Type: AWS::IAM::Rolle is no resource type",
    ],
    [
      "an unknown intrinsic function",
      (t) => (t.Resources.SessionEventsToHub.Properties.Description = { "Fn::Concat": ["a", "b"] }),
      "Resources.SessionEventsToHub.Properties.Description.Fn::Concat: Fn::Concat is no intrinsic function",
    ],
    [
      "an Fn::Or of more than ten conditions",
      (t) => {
        const equals = { "Fn::Equals": [{ Ref: "AWS::AccountId" }, STAGING] };
        t.Conditions.SharedRoleHere["Fn::And"][1] = { "Fn::Or": Array(11).fill(equals) };
      },
      "Conditions.SharedRoleHere.Fn::And.1.Fn::Or: Fn::Or takes 2-10 arguments",
    ],
    [
      "an Fn::FindInMap on a mapping that is not there",
      (t) => {
        t.Resources.BrokerRole.Properties.Policies[0].PolicyDocument.Statement[0]["Fn::If"][1].Resource[
          "Fn::FindInMap"
        ][0] = "BrokerRole";
      },
      "Resources.BrokerRole.Properties.Policies.0.PolicyDocument.Statement.0.Fn::If.1.Resource.Fn::FindInMap: BrokerRole is no mapping",
    ],
    [
      "a bad deletion policy",
      (t) => (t.Resources.JitGrants1.DeletionPolicy = "Keep"),
      "Resources.JitGrants1.DeletionPolicy: Keep is no policy",
    ],
  ])("%s", (_, plant, expected) => {
    // Prepare
    const template = fresh();
    plant(template);
    // Act
    const problems = validateTemplate(template, spec);
    // Assess
    expect(
      problems.find((p) => p.startsWith(expected)),
      problems.join("\n"),
    ).toBeDefined();
  });
});
