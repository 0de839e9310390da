/**
 * The spoke: one CloudFormation template, generated from the config, that the hub deploys to every
 * account of the configured OUs as a StackSet (stacks/spokes.ts). Pure, no SST globals: tested as is
 * and validated offline against the CloudFormation resource specification (scripts/cfn-validate.ts).
 *
 * One template for every account and every region a profile names, so it adapts by condition:
 * - nothing in the hub's own account (an OU may hold it; the hub acts there with its own roles);
 * - roles once per account, in the hub's home region (IAM is global: a second region's stack would
 *   collide on the role's name);
 * - the slot and base policies of a shared role only in the accounts that declare one (spoke-slots.ts);
 * - the rule forwarding Session Manager calls in every region, since CloudTrail delivers a call's
 *   event only to EventBridge in its own account and region (DESIGN.md "Several accounts").
 */
import { BROKER_ROLE_NAME, READER_ROLE_NAME } from "../core/accounts.ts";
import type { AccessConfig } from "../core/config/load.ts";
import { defaultBusArn } from "./arns.ts";
import { eventBridgePattern, forwarderRole } from "./regions.ts";
import { SESSION_EVENT_PATTERN } from "./session-event-pattern.ts";
import { brokerPolicy } from "./spoke-broker.ts";
import { brokerTrust, READER_ACTIONS, THIS_ACCOUNT } from "./spoke-policies.ts";
import { slotResources } from "./spoke-slots.ts";

/** The StackSet parameter holding the hub function roles that may assume the broker. */
export const TRUSTED_ROLES_PARAMETER = "BrokerTrustedRoles";
/** The StackSet parameter holding the hub function role that may assume the session reader. */
export const READER_ROLES_PARAMETER = "ReaderTrustedRoles";
/** The forwarder's name in every member account: its rules in every region name it by ARN. */
export const FORWARDER_ROLE_NAME = "jit-event-forwarder";

type Json = unknown;

/** Wraps every string holding `${AWS::…}` in `Fn::Sub`, so CloudFormation fills it in each account. */
function substituted(value: Json): Json {
  if (typeof value === "string") return value.includes("${AWS::") ? { "Fn::Sub": value } : value;
  if (Array.isArray(value)) return value.map(substituted);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituted(v)]));
  }
  return value;
}

/** The spoke template for this config; `home` is the hub's region (its bus, and where IAM is made). */
export function spokeTemplate(config: AccessConfig, home: string, revocable: string[] = []) {
  const hubBus = defaultBusArn(config.partition, home, config.accountId);
  const forwarder = forwarderRole(config.partition, home, config.accountId);
  const slots = slotResources(config);
  const broker = brokerPolicy(config, revocable);
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `JIT access spoke: the role ${BROKER_ROLE_NAME} the hub ${config.accountId} acts through, and its Session Manager events forwarded to the hub`,
    Parameters: {
      [TRUSTED_ROLES_PARAMETER]: {
        Type: "CommaDelimitedList",
        Description: "The hub function roles that may assume the broker (set by the hub's StackSet)",
      },
      [READER_ROLES_PARAMETER]: {
        Type: "CommaDelimitedList",
        Description: "The hub function role that may assume the session reader (set by the hub's StackSet)",
      },
    },
    ...(Object.keys(broker.mappings).length > 0 ? { Mappings: broker.mappings } : {}),
    Conditions: {
      Member: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "AWS::AccountId" }, config.accountId] }] },
      IamHere: { "Fn::And": [{ Condition: "Member" }, { "Fn::Equals": [{ Ref: "AWS::Region" }, home] }] },
      ...slots.conditions,
      ...broker.conditions,
    },
    Resources: {
      BrokerRole: {
        Type: "AWS::IAM::Role",
        Condition: "IamHere",
        Properties: {
          RoleName: BROKER_ROLE_NAME,
          Description: "JIT access: the hub's grant, revoke and sweep functions act here through this role",
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: brokerTrust(config.partition, config.accountId, {
            Ref: TRUSTED_ROLES_PARAMETER,
          }),
          Policies: [
            {
              PolicyName: BROKER_ROLE_NAME,
              PolicyDocument: substituted(broker.document),
            },
          ],
        },
      },
      // Session events are judged in the hub; to tell a session its grant covers from one outside it,
      // the hub asks the member which nodes carry a profile's tags. Two reads, and no other right.
      ReaderRole: {
        Type: "AWS::IAM::Role",
        Condition: "IamHere",
        Properties: {
          RoleName: READER_ROLE_NAME,
          Description: "JIT access: the hub's session-events function reads nodes and sessions here",
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: brokerTrust(
            config.partition,
            config.accountId,
            { Ref: READER_ROLES_PARAMETER },
            "HubSessionEvents",
          ),
          Policies: [
            {
              PolicyName: READER_ROLE_NAME,
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: [...READER_ACTIONS], Resource: "*" }],
              },
            },
          ],
        },
      },
      EventForwarderRole: {
        Type: "AWS::IAM::Role",
        Condition: "IamHere",
        Properties: {
          RoleName: FORWARDER_ROLE_NAME,
          AssumeRolePolicyDocument: forwarder.assumeRolePolicy,
          Policies: [{ PolicyName: "put-events-on-hub-bus", PolicyDocument: forwarder.policy }],
        },
      },
      SessionEventsToHub: {
        Type: "AWS::Events::Rule",
        Condition: "Member",
        Properties: {
          Description: `Session Manager calls in this account and region, forwarded to the JIT access hub ${config.accountId}`,
          EventPattern: eventBridgePattern(SESSION_EVENT_PATTERN),
          State: "ENABLED",
          Targets: [
            {
              Id: "jit-hub-bus",
              Arn: hubBus,
              RoleArn: substituted(
                `arn:${config.partition}:iam::${THIS_ACCOUNT}:role/${FORWARDER_ROLE_NAME}`,
              ),
            },
          ],
        },
      },
      ...(substituted(slots.resources) as Record<string, Json>),
    },
    Outputs: {
      BrokerRoleArn: { Condition: "IamHere", Value: { "Fn::GetAtt": ["BrokerRole", "Arn"] } },
    },
  };
}
