/**
 * SSM-SessionManagerRunShell already exists in most accounts (the console writes it the first time
 * anyone saves preferences). The stack refuses to deploy over a document it does not own, naming the
 * commands to run first, and never deletes the document on remove. Failed on main before this change:
 * `preferencesConflict` and PREFERENCES_DOCUMENT_OPTIONS did not exist, the create failed at deploy
 * with DocumentAlreadyExists, and `sst remove` deleted account-wide preferences.
 */
import { describe, expect, it } from "vitest";
import {
  PREFERENCES_DOCUMENT_OPTIONS,
  preferencesConflict,
  preferencesOwner,
  sessionPreferencesDocument,
} from "../../../stacks/session-preferences-document.ts";
import { exampleConfig } from "../../helpers/config.ts";

const owner = preferencesOwner("ssm-jit-access", "production");
const ours = JSON.stringify(sessionPreferencesDocument(exampleConfig().sessionManager, {}, owner));
const consoles = JSON.stringify({
  schemaVersion: "1.0",
  description: "Document to hold regional settings for Session Manager",
  sessionType: "Standard_Stream",
  inputs: { s3BucketName: "", idleSessionTimeout: "20" },
});

describe("the preferences document already in the account", () => {
  it("is created when absent", () => {
    expect(preferencesConflict(undefined, owner, "eu-west-1")).toBeUndefined();
  });

  it("is kept when this stage wrote it", () => {
    expect(preferencesConflict(ours, owner, "eu-west-1")).toBeUndefined();
  });

  it("is kept when an earlier version of the stack wrote it (no stage in its description yet)", () => {
    const legacy = JSON.stringify(sessionPreferencesDocument(exampleConfig().sessionManager, {}));
    expect(preferencesConflict(legacy, owner, "eu-west-1")).toBeUndefined();
  });

  it("stops the deploy when the console (or anyone else) wrote it, with the commands to run first", () => {
    const message = preferencesConflict(consoles, owner, "eu-central-1");
    expect(message).toContain("SSM-SessionManagerRunShell already exists in eu-central-1");
    expect(message).toContain(
      "aws ssm get-document --name SSM-SessionManagerRunShell --region eu-central-1 --query Content --output text > SSM-SessionManagerRunShell.eu-central-1.json",
    );
    expect(message).toContain(
      "aws ssm delete-document --name SSM-SessionManagerRunShell --region eu-central-1",
    );
    expect(message).toContain("sessionManager.manage: false");
  });

  it("stops the deploy when another stage of this app owns it (one document per account and region)", () => {
    const staging = JSON.stringify(
      sessionPreferencesDocument(
        exampleConfig().sessionManager,
        {},
        preferencesOwner("ssm-jit-access", "staging"),
      ),
    );
    expect(preferencesConflict(staging, owner, "eu-west-1")).toContain("stage staging");
  });

  it("is never deleted by sst remove", () => {
    expect(PREFERENCES_DOCUMENT_OPTIONS.retainOnDelete).toBe(true);
  });
});
