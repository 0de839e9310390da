/**
 * Resolves the few intrinsic functions the spoke's policy documents hold (Fn::Sub on pseudo
 * parameters, Ref to a parameter), as CloudFormation would in one account, so iam-simulate evaluates
 * the template's own documents rather than a copy of the code that made them. Anything else fails
 * loudly: a test must not evaluate a document it only half understood.
 */

/** What CloudFormation knows in one stack instance. */
export interface StackInstance {
  accountId: string;
  region: string;
  partition?: string;
  parameters?: Record<string, string | string[]>;
}

export function resolveIn(value: unknown, where: StackInstance): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIn(v, where));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first?.[0] === "Fn::Sub" && typeof first[1] === "string") {
    return first[1].replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (name === "AWS::AccountId") return where.accountId;
      if (name === "AWS::Region") return where.region;
      if (name === "AWS::Partition") return where.partition ?? "aws";
      throw new Error(`resolveIn: no value for \${${name}}`);
    });
  }
  if (entries.length === 1 && first?.[0] === "Ref" && typeof first[1] === "string") {
    const parameter = where.parameters?.[first[1]];
    if (parameter === undefined) throw new Error(`resolveIn: no parameter ${first[1]}`);
    return parameter;
  }
  if (entries.length === 1 && /^Fn::/.test(first?.[0] ?? ""))
    throw new Error(`resolveIn: ${first?.[0]} is not modelled`);
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIn(v, where)]));
}
