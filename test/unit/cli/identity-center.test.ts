/**
 * `jit identity-center commands`: the one-time AWS CLI commands that put the shared role's slot and
 * base policies on its permission set, for the user's own config, from the management account.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { main } from "../../../cli/main.ts";
import { EXAMPLE_CONFIG_PATH, oneAccountExampleData } from "../../helpers/config.ts";
import { captureIo } from "../../helpers/io.ts";

const INSTANCE = "arn:aws:sso:::instance/ssoins-0123456789abcdef";
const PERMISSION_SET = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-fedcba9876543210";

async function run(...argv: string[]) {
  const io = captureIo();
  const code = await main(["identity-center", "commands", ...argv], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "jit-ic-")), "access.config.yaml");
  writeFileSync(file, text);
  return file;
}

/**
 * The one-account example's YAML with `principals.sharedRole` changed (or removed, with undefined).
 * One account: the example's other accounts hold Identity Center roles of their own, with the
 * default slot count.
 */
function exampleWithSharedRole(changes: Record<string, unknown> | undefined): string {
  const data = oneAccountExampleData();
  if (changes === undefined) delete data.principals.sharedRole;
  else data.principals.sharedRole = { ...data.principals.sharedRole, ...changes };
  return stringify(data);
}

/** The example with the shared role's slot count and Identity Center ARNs set. */
const withIdentityCenter = (slots: number) =>
  exampleWithSharedRole({
    slots,
    identityCenter: { instanceArn: INSTANCE, permissionSetArn: PERMISSION_SET },
  });

const commandLines = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("aws "));

describe("jit identity-center commands", () => {
  it("prints, for a config with the Identity Center ARNs, one attach per policy and then the provisioning", async () => {
    // Prepare
    const text = withIdentityCenter(2);
    expect(text).toContain(PERMISSION_SET);
    // Act
    const { code, stdout, stderr } = await run("--config", configFile(text));
    // Assess
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const attach = (name: string) =>
      `aws sso-admin attach-customer-managed-policy-reference-to-permission-set --instance-arn ${INSTANCE} --permission-set-arn ${PERMISSION_SET} --customer-managed-policy-reference Name=${name},Path=/jit/`;
    expect(commandLines(stdout)).toEqual([
      attach("jit-base"),
      attach("jit-grants-1"),
      attach("jit-grants-2"),
      `aws sso-admin provision-permission-set --instance-arn ${INSTANCE} --permission-set-arn ${PERMISSION_SET} --target-type AWS_ACCOUNT --target-id 123456789012`,
    ]);
    expect(stdout).not.toContain("<INSTANCE_ARN>");
  });

  it("uses placeholders without the ARNs, and says where to find them", async () => {
    // Act: the example names the shared role but not its Identity Center instance (4 slots by default)
    const { code, stdout, stderr } = await run("--config", EXAMPLE_CONFIG_PATH);
    // Assess
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = commandLines(stdout);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(
      "aws sso-admin attach-customer-managed-policy-reference-to-permission-set --instance-arn <INSTANCE_ARN> --permission-set-arn <PERMISSION_SET_ARN> --customer-managed-policy-reference Name=jit-base,Path=/jit/",
    );
    expect(lines[4]).toContain("Name=jit-grants-4,Path=/jit/");
    expect(lines[5]).toBe(
      "aws sso-admin provision-permission-set --instance-arn <INSTANCE_ARN> --permission-set-arn <PERMISSION_SET_ARN> --target-type AWS_ACCOUNT --target-id 123456789012",
    );
    expect(stdout).toContain("aws sso-admin list-instances");
    expect(stdout).toContain("aws sso-admin list-permission-sets --instance-arn <INSTANCE_ARN>");
    // The example's role AWSReservedSSO_OnCall_… comes from the permission set named OnCall.
    expect(stdout).toContain("OnCall");
  });

  it("says where to run them: the management or delegated-administrator account, after the deploy", async () => {
    const { stdout } = await run("--config", EXAMPLE_CONFIG_PATH);
    expect(stdout).toMatch(/management account/);
    expect(stdout).toMatch(/delegated administrator/);
    expect(stdout).toMatch(/sst deploy/);
  });

  it("prints only shell comments and commands, so the output can be pasted as it is", async () => {
    const { stdout } = await run("--config", configFile(withIdentityCenter(3)));
    expect(commandLines(stdout)).toHaveLength(5);
    for (const line of stdout.split("\n")) expect(line === "" || /^(#|aws )/.test(line), line).toBe(true);
  });

  it("refuses a config without a shared role", async () => {
    // Prepare
    const text = exampleWithSharedRole(undefined);
    expect(text).not.toContain("sharedRole");
    // Act
    const { code, stdout, stderr } = await run("--config", configFile(text));
    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("principals.sharedRole");
  });

  it("refuses a stray argument as a usage error", async () => {
    const { code, stderr } = await run("--config", EXAMPLE_CONFIG_PATH, "--bogus");
    expect(code).toBe(2);
    expect(stderr).toContain("--bogus");
  });
});
