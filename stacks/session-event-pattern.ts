/**
 * The EventBridge pattern for the session calls, kept free of SST globals so tests can check it
 * against the CloudTrail fixtures.
 */
export const SESSION_EVENT_PATTERN = {
  source: ["aws.ssm"],
  detailType: ["AWS API Call via CloudTrail"],
  detail: {
    eventSource: ["ssm.amazonaws.com"],
    eventName: ["StartSession", "ResumeSession", "TerminateSession"],
  },
};
