/// <reference path="../.sst/platform/config.d.ts" />
/**
 * The state machine from workflows/, deployed as raw ASL with the functions' ARNs substituted,
 * execution logging on (without execution data: task tokens stay out of logs), and X-Ray tracing
 * unless the config turns it off. Its alarms are in observability.ts with the others.
 */

import { buildAccessWorkflow, type TaskArns } from "../workflows/access-workflow.ts";
import { stateMachineArn } from "./arns.ts";
import { XRAY_STATEMENT } from "./observability.ts";
import type { FunctionName } from "./permissions.ts";
import { tracingFor, xrayStatements } from "./tracing.ts";

/** The state machine's name is fixed so functions can know its ARN before it exists. */
export function stateMachineName(): string {
  return `${$app.name}-${$app.stage}-access`;
}

export function stateMachineArnFor(partition: string, region: string, accountId: string): string {
  return stateMachineArn(partition, region, accountId, stateMachineName());
}

export function createWorkflow(functions: Record<FunctionName, sst.aws.Function>, tracing: boolean) {
  const f = functions;
  const xray = tracingFor(tracing);
  // The functions the state machine calls, by their place in the definition.
  const tasks: Record<keyof TaskArns, sst.aws.Function> = {
    askApprovers: f.askApprovers,
    grantAccess: f.grantAccess,
    checkExpiry: f.checkExpiry,
    revokeAccess: f.revokeAccess,
    announce: f.announce,
    expireRequest: f.expireRequest,
    undoGrant: f.undoGrant,
    raiseAlarm: f.raiseAlarm,
  };
  const names = Object.keys(tasks) as (keyof TaskArns)[];
  const invokable = names.map((name) => tasks[name]);
  const definition = $resolve(invokable.map((fn) => fn.arn)).apply((arns) => {
    const byName = {} as TaskArns;
    names.forEach((name, i) => {
      byName[name] = arns[i] ?? "";
    });
    return JSON.stringify(buildAccessWorkflow(byName));
  });

  const logGroup = new aws.cloudwatch.LogGroup("WorkflowLogs", {
    name: `/aws/vendedlogs/states/${stateMachineName()}`,
    retentionInDays: 90,
  });
  const role = new aws.iam.Role("WorkflowRole", {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    }),
    inlinePolicies: [
      {
        name: "invoke-and-log",
        policy: $resolve(invokable.map((fn) => fn.arn)).apply((arns) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "lambda:InvokeFunction",
                Resource: arns.flatMap((a) => [a, `${a}:*`]),
              },
              {
                // Log delivery for Step Functions is configured through these account-level calls.
                Effect: "Allow",
                Action: [
                  "logs:CreateLogDelivery",
                  "logs:GetLogDelivery",
                  "logs:UpdateLogDelivery",
                  "logs:DeleteLogDelivery",
                  "logs:ListLogDeliveries",
                  "logs:PutResourcePolicy",
                  "logs:DescribeResourcePolicies",
                  "logs:DescribeLogGroups",
                ],
                Resource: "*",
              },
              ...xrayStatements(xray, XRAY_STATEMENT),
            ],
          }),
        ),
      },
    ],
  });
  const machine = new aws.sfn.StateMachine("Workflow", {
    name: stateMachineName(),
    roleArn: role.arn,
    definition,
    loggingConfiguration: {
      logDestination: $interpolate`${logGroup.arn}:*`,
      includeExecutionData: false,
      level: "ERROR",
    },
    // The trace header passes on to each Lambda task, so a request is one trace from the Slack click.
    tracingConfiguration: xray.stateMachine,
  });
  return machine;
}
