/**
 * The `/access` modal and the deny modal. The profile menu holds every profile this person may
 * request however many there are: up to 100 as plain options, beyond that in option groups of 100
 * (Slack allows 100 groups of 100, and type-ahead searches across groups), so nobody has to know a
 * hidden profile's name. An external select would need a second endpoint for Slack's option
 * requests for no gain below 10,000 profiles; past that the hint says how to ask by name.
 */
import type { KnownBlock, PlainTextOption, View } from "@slack/types";
import { BUILT_IN_DOCUMENTS } from "../../core/config/constants.ts";
import type { Profile } from "../../core/config/load.ts";
import { formatDuration, parseDuration } from "../../core/duration.ts";
import { unloggedDocuments } from "../../core/transcripts.ts";
import { BREAK_GLASS_REASON_MIN } from "../../core/usecases/break-glass.ts";
import { REASON_MAX, TICKET_MAX } from "../../core/usecases/request.ts";
import { BLOCK, VIEW } from "./ids.ts";
import { plain, SLACK_LIMITS } from "./mrkdwn.ts";

const STEPS = [900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400];
const { selectOptions, optionGroups } = SLACK_LIMITS;

/** The choices of the duration menu: common lengths up to the profile's maximum, and the maximum itself. */
export function durationChoices(profile: Profile): string[] {
  const steps = STEPS.filter((s) => s <= profile.maxDurationSeconds);
  if (!steps.includes(profile.maxDurationSeconds)) steps.push(profile.maxDurationSeconds);
  if (!steps.includes(profile.defaultDurationSeconds)) steps.push(profile.defaultDurationSeconds);
  return [...new Set(steps)].sort((a, b) => a - b).map(formatDuration);
}

/** At most 100 durations for all the profiles together: the common lengths first, then the rest. */
function durationMenu(profiles: Profile[]): string[] {
  const all = [...new Set(profiles.flatMap(durationChoices))];
  const common = new Set(STEPS.map(formatDuration));
  const kept = [...all.filter((d) => common.has(d)), ...all.filter((d) => !common.has(d))];
  return kept.slice(0, selectOptions).sort((a, b) => parseDuration(a) - parseDuration(b));
}

/**
 * The sessions of a profile that leave no transcript, in a few words, put first: an option's
 * description holds 75 characters, and this must not be the part cut off (core/transcripts.ts).
 */
function transcriptNote(p: Profile): string | undefined {
  const kinds = unloggedDocuments(p.documents).map((d) =>
    d === BUILT_IN_DOCUMENTS.ssh ? "SSH" : "port forwarding",
  );
  return kinds.length ? `No transcript of ${[...new Set(kinds)].join(" or ")} sessions` : undefined;
}

const option = (p: Profile): PlainTextOption => {
  const note = transcriptNote(p);
  return {
    text: plain(p.id),
    description: plain(note ? `${note} · ${p.description}` : p.description),
    value: p.id,
  };
};

/** The profile menu: plain options up to 100, then groups of 100 labelled by their first and last id. */
function profileMenu(profiles: Profile[]) {
  if (profiles.length <= selectOptions) return { options: profiles.map(option), hint: undefined };
  const sorted = [...profiles].sort((a, b) => a.id.localeCompare(b.id));
  const groups = [];
  for (let i = 0; i < sorted.length && groups.length < optionGroups; i += selectOptions) {
    const chunk = sorted.slice(i, i + selectOptions);
    groups.push({ label: plain(`${chunk[0]?.id} – ${chunk.at(-1)?.id}`), options: chunk.map(option) });
  }
  const left = sorted.length - selectOptions * optionGroups;
  const hint =
    left > 0 ? plain(`${left} more not listed: type /access <profile> <duration> <reason>`, 150) : undefined;
  return { option_groups: groups, hint };
}

/** The `/access` modal, offering only the profiles this person may request. */
export function requestModal(profiles: Profile[], privateMetadata = ""): View {
  const longest = profiles.reduce((max, p) => Math.max(max, p.maxDurationSeconds), 0);
  const durations = durationMenu(profiles);
  const initial = durations.includes("1h") ? "1h" : (durations[0] ?? "1h");
  const { hint, ...menu } = profileMenu(profiles);
  return {
    type: "modal",
    callback_id: VIEW.request,
    private_metadata: privateMetadata,
    title: plain("Request access"),
    submit: plain("Request"),
    close: plain("Cancel"),
    blocks: [
      {
        type: "input",
        block_id: BLOCK.profile,
        label: plain("Access profile"),
        ...(hint ? { hint } : {}),
        element: {
          type: "static_select",
          action_id: "value",
          placeholder: plain("Choose what you need"),
          ...menu,
        },
      },
      {
        type: "input",
        block_id: BLOCK.duration,
        label: plain("For how long"),
        hint: plain(`Up to each profile's maximum (at most ${formatDuration(longest)})`, 150),
        element: {
          type: "static_select",
          action_id: "value",
          options: durations.map((d) => ({ text: plain(d), value: d })),
          initial_option: { text: plain(initial), value: initial },
        },
      },
      {
        type: "input",
        block_id: BLOCK.reason,
        label: plain("Reason"),
        optional: true,
        element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: REASON_MAX },
      },
      {
        type: "input",
        block_id: BLOCK.ticket,
        label: plain("Ticket"),
        optional: true,
        hint: plain("Some profiles need one, such as INC-1234"),
        element: { type: "plain_text_input", action_id: "value", max_length: TICKET_MAX },
      },
      ...breakGlassBlock(profiles),
    ],
  };
}

/**
 * The break-glass checkbox, only when some offered profile allows it (the server refuses it for the
 * others with a message on this block).
 */
function breakGlassBlock(profiles: Profile[]): KnownBlock[] {
  const allowing = profiles.filter((p) => p.breakGlass).map((p) => p.id);
  if (allowing.length === 0) return [];
  return [
    {
      type: "input",
      block_id: BLOCK.breakGlass,
      label: plain("Emergency"),
      optional: true,
      hint: plain(
        `Allowed on ${allowing.slice(0, 5).join(", ")}${allowing.length > 5 ? "…" : ""}. The reason needs ${BREAK_GLASS_REASON_MIN}+ characters.`,
        150,
      ),
      element: {
        type: "checkboxes",
        action_id: "value",
        options: [
          {
            text: plain("Break-glass: grant now, without approvers"),
            description: plain("Everyone is told, and an approver reviews it afterwards"),
            value: "break-glass",
          },
        ],
      },
    },
  ];
}

/** The modal an approver fills to deny, with the request it is about kept in its metadata. */
export function denyModal(requestId: string, message?: { channel: string; ts: string }): View {
  return {
    type: "modal",
    callback_id: VIEW.denyReason,
    private_metadata: JSON.stringify({ requestId, message }),
    title: plain("Deny access"),
    submit: plain("Deny"),
    close: plain("Back"),
    blocks: [
      {
        type: "input",
        block_id: BLOCK.denyReason,
        label: plain("Why?"),
        element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: 500 },
      },
    ],
  };
}
