/**
 * Where a session's transcript is: from the managed preferences, from the config's declared place,
 * or nowhere known; and never for port forwarding or SSH, which Session Manager does not log.
 */
import { describe, expect, it } from "vitest";
import type { AccessConfig } from "../../../core/config/load.ts";
import { parseConfig } from "../../../core/config/load.ts";
import { ConfigError } from "../../../core/errors.ts";
import {
  describeTranscript,
  transcriptKey,
  transcriptOf,
  withManagedLogGroup,
} from "../../../core/transcripts.ts";
import { exampleConfig, exampleConfigText } from "../../helpers/config.ts";

const base = exampleConfig();
const withPrefs = (prefs: Partial<AccessConfig["sessionManager"]>): AccessConfig => ({
  ...base,
  sessionManager: { ...base.sessionManager, ...prefs },
});
const managed = withManagedLogGroup(
  withPrefs({ manage: true, cloudWatchLogs: true, s3LogBucket: "acme-session-logs" }),
  "ssm-jit-access",
  "production",
);
const SESSION = { sessionId: "alice-0a1b2c3d4e5f60001", region: "eu-west-1" };

describe("a session's transcript", () => {
  it("is the log stream named after the session and the S3 key under the managed prefix", () => {
    // Prepare / Act
    const t = transcriptOf(managed, { ...SESSION, document: "SSM-SessionManagerRunShell" });
    // Assess
    expect(t).toEqual({
      kind: "logged",
      cloudWatch: {
        logGroup: "/ssm-jit-access/production/sessions",
        logStream: "alice-0a1b2c3d4e5f60001",
        url: "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fssm-jit-access$252Fproduction$252Fsessions/log-events/alice-0a1b2c3d4e5f60001",
      },
      s3: {
        bucket: "acme-session-logs",
        key: "sessions/alice-0a1b2c3d4e5f60001.log",
        url: "https://eu-west-1.console.aws.amazon.com/s3/object/acme-session-logs?region=eu-west-1&prefix=sessions%2Falice-0a1b2c3d4e5f60001.log",
      },
    });
  });

  it("does not send a member account's session to the hub's log group or bucket (issue 12)", () => {
    // The hub's preferences are the only ones the stack manages; staging logs where staging says.
    const t = transcriptOf(managed, { ...SESSION, accountId: "444455556666" });
    expect(t).toEqual({
      kind: "none-known",
      why: "the session ran in account 444455556666, whose own Session Manager preferences decide where it is logged",
    });
    // The hub's own session (or a record from before there were accounts) is where it always was.
    expect(transcriptOf(managed, { ...SESSION, accountId: base.accountId }).kind).toBe("logged");
  });

  it("takes a session with no document named for the default shell", () => {
    expect(transcriptOf(managed, SESSION).kind).toBe("logged");
  });

  it.each([
    "AWS-StartPortForwardingSession",
    "AWS-StartPortForwardingSessionToRemoteHost",
    "AWS-StartSSHSession",
  ])("says %s sessions are not logged, whatever the preferences", (document) => {
    const t = transcriptOf(managed, { ...SESSION, document });
    expect(t).toEqual({ kind: "not-logged", document });
    expect(describeTranscript(t)).toBe(`none: Session Manager does not log ${document} sessions`);
  });

  it("says none is known when preferences are unmanaged and the config names no place", () => {
    const t = transcriptOf(withPrefs({ manage: false, cloudWatchLogs: true }), SESSION);
    expect(t.kind).toBe("none-known");
    expect(describeTranscript(t)).toMatch(/^none known: .*sessionManager\.transcripts names no place/);
  });

  it("says none is known when the managed preferences log nowhere", () => {
    const t = transcriptOf(withPrefs({ manage: true, cloudWatchLogs: false }), SESSION);
    expect(describeTranscript(t)).toMatch(/^none known: the managed preferences log nowhere/);
  });

  it("uses the place the config declares when preferences are unmanaged", () => {
    const config = withPrefs({
      manage: false,
      transcripts: { logGroup: "/org/ssm", s3Bucket: "org-logs", s3Prefix: "ssm/prod/" },
    });
    const t = transcriptOf(config, SESSION);
    expect(describeTranscript(t)).toBe(
      "CloudWatch Logs /org/ssm stream alice-0a1b2c3d4e5f60001 and s3://org-logs/ssm/prod/alice-0a1b2c3d4e5f60001.log",
    );
  });

  it("points a sandbox session at its file", () => {
    const t = transcriptOf(managed, SESSION, (id) => `/tmp/.jit/transcripts/${id}.log`);
    expect(t).toEqual({ kind: "file", path: "/tmp/.jit/transcripts/alice-0a1b2c3d4e5f60001.log" });
  });

  it.each([
    [undefined, "s.log"],
    ["", "s.log"],
    ["sessions/", "sessions/s.log"],
    ["a/b", "a/b/s.log"],
    ["/a//", "a/s.log"],
  ])("joins prefix %j and the session id as %s", (prefix, key) => {
    expect(transcriptKey(prefix, "s")).toBe(key);
  });

  it("gives no link where the partition's console is unknown, but still the place", () => {
    const t = transcriptOf({ ...managed, partition: "aws-iso" }, SESSION);
    expect(t.kind === "logged" && t.cloudWatch?.url).toBe(undefined);
    expect(t.kind === "logged" && t.cloudWatch?.logStream).toBe(SESSION.sessionId);
  });
});

const profileYaml = (extra: string) =>
  exampleConfigText().replace(
    /^profiles:\n/m,
    `profiles:\n  must-log:\n    description: logged only\n    nodes: { tags: { Env: prod } }\n    approvalsRequired: 0\n    regions: [eu-west-1]\n${extra}`,
  );

function issuesOf(text: string): string[] {
  try {
    parseConfig(text);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe("requireTranscripts", () => {
  it("refuses port forwarding and SSH in a profile that requires transcripts", () => {
    const text = profileYaml(
      "    requireTranscripts: true\n    documents: [shell, port-forwarding, ssh]\n",
    ).replace(/sessionManager:\n {2}manage: false/, "sessionManager:\n  manage: true");
    const issues = issuesOf(text);
    expect(issues).toContainEqual(
      expect.stringMatching(
        /^profiles\.must-log\.documents\.1: requireTranscripts allows only shell sessions.*port-forwarding/,
      ),
    );
    expect(issues).toContainEqual(expect.stringMatching(/^profiles\.must-log\.documents\.2: .*ssh sessions/));
    expect(issues.filter((i) => i.includes("documents.0"))).toEqual([]);
  });

  it("refuses it when no transcripts are known to be kept", () => {
    const issues = issuesOf(profileYaml("    requireTranscripts: true\n"));
    expect(issues).toContainEqual(
      expect.stringMatching(/^profiles\.must-log\.requireTranscripts: no transcripts are known to be kept/),
    );
  });

  it("accepts a shell-only profile once the config names where transcripts go", () => {
    const text = profileYaml("    requireTranscripts: true\n").replace(
      /sessionManager:\n {2}manage: false\n/,
      "sessionManager:\n  manage: false\n  transcripts:\n    logGroup: /org/ssm\n",
    );
    expect(issuesOf(text)).toEqual([]);
    expect(parseConfig(text).profiles["must-log"]?.requireTranscripts).toBe(true);
  });

  it("refuses transcripts beside managed preferences, and an empty transcripts", () => {
    const both = exampleConfigText().replace(
      /sessionManager:\n {2}manage: false\n/,
      "sessionManager:\n  manage: true\n  transcripts:\n    s3Bucket: org-logs\n",
    );
    expect(issuesOf(both)).toContainEqual(
      expect.stringMatching(/^sessionManager\.transcripts: the stack manages/),
    );
    const empty = exampleConfigText().replace(
      /sessionManager:\n {2}manage: false\n/,
      "sessionManager:\n  manage: false\n  transcripts: {}\n",
    );
    expect(issuesOf(empty)).toContainEqual(
      expect.stringMatching(/^sessionManager\.transcripts: name a logGroup or an s3Bucket/),
    );
  });
});
