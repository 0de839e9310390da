/**
 * The policy a person's principal needs to call the signed API: invoke the API function through its
 * AWS_IAM function URL and in no other way. Pure, so iam-simulate can evaluate it (test/unit/stacks).
 *
 * Since October 2025 a function URL call needs both lambda:InvokeFunctionUrl and
 * lambda:InvokeFunction (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). A plain
 * InvokeFunction would let the holder hand the function any event, a forged caller ARN included, so
 * it is allowed only with `lambda:InvokedViaFunctionUrl` true (a condition key of InvokeFunction in
 * the Service Authorization Reference for Lambda).
 */
export function apiCallerPolicy(functionArn: string) {
  return {
    Version: "2012-10-17" as const,
    Statement: [
      {
        Sid: "CallTheJitApiUrl",
        Effect: "Allow" as const,
        Action: ["lambda:InvokeFunctionUrl"],
        Resource: [functionArn],
        Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } },
      },
      {
        Sid: "OnlyThroughTheUrl",
        Effect: "Allow" as const,
        Action: ["lambda:InvokeFunction"],
        Resource: [functionArn],
        Condition: { Bool: { "lambda:InvokedViaFunctionUrl": "true" } },
      },
    ],
  };
}
