import { describe, expect, it } from "vitest";
import { sessionKeyAlias, sessionPreferencesDocument } from "../../../stacks/session-preferences-document.ts";
import { exampleConfig } from "../../helpers/config.ts";

describe("the Session Manager preferences document", () => {
  it("carries the example config's switches, in minutes where Session Manager wants minutes", () => {
    const doc = sessionPreferencesDocument(exampleConfig().sessionManager, {
      logGroupName: "/jit/sessions",
      kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/abc",
    });
    expect(doc.sessionType).toBe("Standard_Stream");
    expect(doc.inputs).toMatchObject({
      idleSessionTimeout: "20",
      maxSessionDuration: "480",
      cloudWatchLogGroupName: "/jit/sessions",
      cloudWatchStreamingEnabled: true,
      kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/abc",
      runAsEnabled: true,
      runAsDefaultUser: "ssm-user",
      s3BucketName: "",
      shellProfile: { linux: "exec bash -l", windows: "" },
    });
  });

  it("leaves logging, encryption and Run As off when the switches are off", () => {
    const doc = sessionPreferencesDocument({
      manage: true,
      idleTimeoutSeconds: 600,
      cloudWatchLogs: false,
      encryptSessions: false,
    });
    expect(doc.inputs).toMatchObject({
      idleSessionTimeout: "10",
      maxSessionDuration: "",
      cloudWatchLogGroupName: "",
      kmsKeyId: "",
      runAsEnabled: false,
      s3EncryptionEnabled: false,
    });
  });

  it("logs to an existing bucket under a prefix", () => {
    const doc = sessionPreferencesDocument({
      manage: true,
      idleTimeoutSeconds: 1200,
      cloudWatchLogs: false,
      encryptSessions: false,
      s3LogBucket: "acme-session-logs",
    });
    expect(doc.inputs).toMatchObject({
      s3BucketName: "acme-session-logs",
      s3KeyPrefix: "sessions/",
      s3EncryptionEnabled: true,
    });
  });
});

describe("the session key's alias", () => {
  // Failed before the stack named its keys: the grant allows kms:GenerateDataKey on the key carrying
  // this alias, and no key carried any (sessionKeyAlias did not exist in the stack).
  it("is the config's, else the schema's default, the name the grant uses", () => {
    const prefs = exampleConfig().sessionManager;
    expect(sessionKeyAlias(prefs)).toBe("alias/ssm-jit-access-sessions");
    expect(sessionKeyAlias({ ...prefs, sessionKeyAlias: "alias/acme/sessions" })).toBe("alias/acme/sessions");
  });
});
