/**
 * Slack's documented Block Kit limits, checked independently of the builders' own constants so a
 * wrong constant cannot hide a wrong message. Sources: docs.slack.dev/reference/block-kit/blocks
 * (50 blocks per message, 100 per modal or Home tab), .../blocks/section-block (text 3,000),
 * .../block-elements/select-menu-element (100 options), .../composition-objects/option-group-object
 * (100 groups of at most 100 options, label 75), .../composition-objects/option-object (text 75).
 */
import type { Profile } from "../../../core/config/load.ts";

type Json = Record<string, unknown>;

/** Every limit the payload breaks, as readable lines; empty when it is within all of them. */
export function limitProblems(surface: "message" | "modal" | "home", blocks: unknown[]): string[] {
  const problems: string[] = [];
  const max = surface === "message" ? 50 : 100;
  if (blocks.length > max) problems.push(`${blocks.length} blocks in a ${surface} (max ${max})`);
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, `${path}[${i}]`);
      return;
    }
    if (!node || typeof node !== "object") return;
    const o = node as Json;
    const text = o.text as Json | undefined;
    if (o.type === "section" && typeof text?.text === "string" && text.text.length > 3000)
      problems.push(`${path}: section text of ${text.text.length} characters (max 3000)`);
    if (o.type === "mrkdwn" && typeof o.text === "string" && o.text.length > 3000)
      problems.push(`${path}: mrkdwn text of ${o.text.length} characters (max 3000)`);
    if (Array.isArray(o.options) && o.options.length > 100)
      problems.push(`${path}: ${o.options.length} options (max 100)`);
    for (const option of Array.isArray(o.options) ? (o.options as { text?: Json }[]) : [])
      if (String(option.text?.text ?? "").length > 75) problems.push(`${path}: option text over 75`);
    if (Array.isArray(o.option_groups) && o.option_groups.length > 100)
      problems.push(`${path}: ${o.option_groups.length} option groups (max 100)`);
    if (o.type === "plain_text" && typeof o.text === "string" && o.text.length > 150)
      problems.push(`${path}: plain text of ${o.text.length} characters`);
    for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
  };
  walk(blocks, "blocks");
  return problems;
}

/** The texts a reader sees, joined: what a test searches for injected markup. */
export const allText = (blocks: unknown): string => {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!node || typeof node !== "object") return;
    const o = node as Json;
    if (typeof o.text === "string") out.push(o.text);
    for (const v of Object.values(o)) walk(v);
  };
  walk(blocks);
  return out.join("\n");
};

/** Options a select offers, flat, whether as `options` or `option_groups`. */
export function selectValues(element: unknown): string[] {
  const e = element as { options?: { value: string }[]; option_groups?: { options: { value: string }[] }[] };
  return [...(e.options ?? []), ...(e.option_groups ?? []).flatMap((g) => g.options)].map((o) => o.value);
}

/** A profile as the builders read it, independent of the example config file. */
export const aProfile = (overrides: Partial<Profile> = {}): Profile =>
  ({
    id: "prod-web",
    description: "Shell on production web servers",
    tags: { Env: ["prod"], App: ["web"] },
    documents: ["SSM-SessionManagerRunShell"],
    regions: ["eu-west-1"],
    defaultDurationSeconds: 3600,
    maxDurationSeconds: 14_400,
    approvalTimeoutSeconds: 1800,
    approvers: ["U03DAVE"],
    approvalsRequired: 1,
    ...overrides,
  }) as unknown as Profile;
