/**
 * People choosing a profile learn that its port forwarding or SSH sessions leave no transcript
 * (Session Manager logs only shell sessions): in the `/access` menu, where an option's description
 * holds 75 characters, the note comes first so it is never the part cut off.
 */
import type { PlainTextOption } from "@slack/types";
import { describe, expect, it } from "vitest";
import { requestModal } from "../../../adapters/slack/request-modal.ts";
import { exampleConfig } from "../../helpers/config.ts";

const config = exampleConfig();
const options = (): Map<string, string> => {
  const view = requestModal(Object.values(config.profiles));
  const [block] = view.blocks as { element: { options: PlainTextOption[] } }[];
  return new Map(block?.element.options.map((o) => [o.value ?? "", o.description?.text ?? ""]));
};

describe("the /access profile menu", () => {
  it.each([
    ["prod-db", "No transcript of port forwarding sessions · "],
    ["staging", "No transcript of SSH sessions · "],
  ])("%s's description begins with its transcript gap", (id, note) => {
    const description = options().get(id) ?? "";
    expect(description.startsWith(note)).toBe(true);
    expect([...description].length).toBeLessThanOrEqual(75);
  });

  it.each(["prod-web", "sandbox"])("%s (shell only) says nothing about transcripts", (id) => {
    expect(options().get(id)).toBe(config.profiles[id]?.description.slice(0, 75));
  });

  it("names both when a profile allows port forwarding and SSH", () => {
    const base = config.profiles["prod-db"];
    if (!base) throw new Error("no prod-db");
    const both = { ...base, documents: [...base.documents, "AWS-StartSSHSession"] };
    const view = requestModal([both]);
    const [block] = view.blocks as { element: { options: PlainTextOption[] } }[];
    expect(block?.element.options[0]?.description?.text).toMatch(
      /^No transcript of port forwarding or SSH sessions/,
    );
  });
});
