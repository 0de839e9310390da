/**
 * Reading the audit of a month with 10,000 requests in the sandbox store (dynalite, in memory, as
 * `npm start` runs it): the time `auditReport` takes and how many DynamoDB calls it makes. The
 * history is loaded with BatchWriteItem in the exact item shapes the adapter writes (loading is not
 * measured); the read goes through the real adapter and use case.
 */
import { loadavg } from "node:os";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { auditItem, DynamoRequestStore, toItem } from "../adapters/aws/dynamodb.ts";
import { loadConfigFile } from "../adapters/config-file.ts";
import { createRequestsTable, startLocalDynamo } from "../adapters/local/dynamo.ts";
import { FakeClock } from "../core/clock.ts";
import { auditReport } from "../core/usecases/audit.ts";
import { seededHistory } from "../local/seed-history.ts";

export interface AuditBench {
  requests: number;
  auditEvents: number;
  sessions: number;
  windowDays: number;
  /** Wall clock of the whole read (store and use case), and of each run. */
  seconds: number;
  runsSeconds: number[];
  /** DynamoDB calls of one read, by operation. */
  storeCalls: Record<string, number>;
  storeCallsTotal: number;
  limitSeconds: number;
  /** The machine's one-minute load average when the reads began (other work slows them). */
  loadAverage: number;
}

const START = new Date("2026-10-01T00:00:00.000Z");

/** Loads `count` requests (one every 4 minutes: 28 days for 10,000) and reads the 30-day window `runs` times. */
export async function measureAudit(count = 10_000, runs = 3): Promise<AuditBench> {
  const config = loadConfigFile(new URL("../access.config.yaml", import.meta.url).pathname);
  const dynamo = await startLocalDynamo();
  try {
    await createRequestsTable(dynamo.client, "jit-bench-audit");
    const doc = DynamoDBDocumentClient.from(dynamo.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const histories = seededHistory({ config, count, start: START, everyMinutes: 4 });
    const items = histories.flatMap((h) => [toItem(h.request), ...h.events.map(auditItem)]);
    for (let i = 0; i < items.length; i += 25) {
      const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      await doc.send(new BatchWriteCommand({ RequestItems: { "jit-bench-audit": batch } }));
    }
    const calls: Record<string, number> = {};
    dynamo.client.middlewareStack.add(
      (next, context) => async (args) => {
        calls[String(context.commandName)] = (calls[String(context.commandName)] ?? 0) + 1;
        return next(args);
      },
      { step: "initialize", name: "countAuditCalls" },
    );
    const deps = {
      config,
      store: new DynamoRequestStore("jit-bench-audit", dynamo.client),
      clock: new FakeClock("2026-10-31T00:00:00.000Z"),
    };
    const loadAverage = Number((loadavg()[0] ?? 0).toFixed(2));
    const runsSeconds: number[] = [];
    let rows = 0;
    let sessions = 0;
    for (let run = 0; run < runs; run++) {
      for (const k of Object.keys(calls)) delete calls[k];
      const started = performance.now();
      const report = await auditReport(deps, { since: "30d" });
      runsSeconds.push(Number(((performance.now() - started) / 1000).toFixed(2)));
      rows = report.rows.length;
      sessions = report.rows.reduce((n, r) => n + r.sessions.length, 0);
    }
    if (rows !== count) throw new Error(`the audit read ${rows} requests of ${count}`);
    const sorted = [...runsSeconds].sort((a, b) => a - b);
    return {
      requests: rows,
      auditEvents: items.length - count,
      sessions,
      windowDays: 30,
      seconds: sorted[Math.floor(sorted.length / 2)] ?? 0,
      runsSeconds,
      storeCalls: { ...calls },
      storeCallsTotal: Object.values(calls).reduce((a, b) => a + b, 0),
      limitSeconds: 5,
      loadAverage,
    };
  } finally {
    await dynamo.stop();
  }
}

/** The summary.md section. */
export function auditSummary(b: AuditBench): string[] {
  const calls = Object.entries(b.storeCalls)
    .map(([name, n]) => `${n} ${name.replace(/Command$/, "")}`)
    .join(", ");
  return [
    `## jit audit over ${b.requests.toLocaleString("en")} requests (sandbox store: dynalite in memory)`,
    "",
    `A ${b.windowDays}-day window holding ${b.requests.toLocaleString("en")} requests, ${b.auditEvents.toLocaleString("en")} audit events and ${b.sessions.toLocaleString("en")} sessions: read and built in ${b.seconds} s (median of ${b.runsSeconds.join(", ")} s, load average ${b.loadAverage}; the limit is ${b.limitSeconds} s) with ${b.storeCallsTotal} store calls (${calls}): one index query per creation day and its pages, none per request.`,
    "",
  ];
}

/** Replaces (or appends) the audit section of an existing summary.md. */
export function replaceAuditSection(summary: string, section: string[]): string {
  const lines = summary.split("\n");
  const start = lines.findIndex((l) => l.startsWith("## jit audit over"));
  if (start === -1) return `${summary.trimEnd()}\n\n${section.join("\n")}\n`;
  const next = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return [...lines.slice(0, start), ...section, ...lines.slice(next === -1 ? lines.length : next)].join("\n");
}
