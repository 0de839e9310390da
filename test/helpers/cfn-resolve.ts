/**
 * Resolves the intrinsic functions the spoke's documents hold (Fn::Sub on pseudo parameters, Ref to a
 * parameter or AWS::NoValue, Fn::If on the template's conditions, Fn::FindInMap on its mappings), as
 * CloudFormation would in one account, so iam-simulate evaluates the template's own documents rather
 * than a copy of the code that made them. Anything else fails loudly: a test must not evaluate a
 * document it only half understood.
 */

/** What CloudFormation knows in one stack instance. */
export interface StackInstance {
  accountId: string;
  region: string;
  partition?: string;
  parameters?: Record<string, string | string[]>;
}

// biome-ignore lint/suspicious/noExplicitAny: templates are plain JSON read freely
type Template = { Conditions?: Record<string, any>; Mappings?: Record<string, any> };

/** Marks what `Ref: AWS::NoValue` removes. */
const NO_VALUE = Symbol("AWS::NoValue");

export function resolveIn(value: unknown, where: StackInstance, template: Template = {}): unknown {
  const pseudo: Record<string, string> = {
    "AWS::AccountId": where.accountId,
    "AWS::Region": where.region,
    "AWS::Partition": where.partition ?? "aws",
  };
  const condition = (name: string): boolean => truth(template.Conditions?.[name]);
  const truth = (c: unknown): boolean => {
    const [fn, arg] = Object.entries(c as object)[0] ?? [];
    const args = arg as unknown[];
    if (fn === "Condition") return condition(String(arg));
    if (fn === "Fn::Equals") return JSON.stringify(resolve(args[0])) === JSON.stringify(resolve(args[1]));
    if (fn === "Fn::And") return args.every(truth);
    if (fn === "Fn::Or") return args.some(truth);
    if (fn === "Fn::Not") return !truth(args[0]);
    throw new Error(`resolveIn: ${String(fn)} is not a condition function`);
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve).filter((x) => x !== NO_VALUE);
    if (v === null || typeof v !== "object") return v;
    const entries = Object.entries(v);
    const [fn, arg] = entries.length === 1 ? (entries[0] ?? []) : [];
    if (fn === "Ref" && typeof arg === "string") {
      if (arg === "AWS::NoValue") return NO_VALUE;
      const known = pseudo[arg] ?? where.parameters?.[arg];
      if (known === undefined) throw new Error(`resolveIn: no value for Ref ${arg}`);
      return known;
    }
    if (fn === "Fn::Sub" && typeof arg === "string") {
      return arg.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        const known = pseudo[name];
        if (known === undefined) throw new Error(`resolveIn: no value for \${${name}}`);
        return known;
      });
    }
    if (fn === "Fn::If" && Array.isArray(arg)) return resolve(condition(String(arg[0])) ? arg[1] : arg[2]);
    if (fn === "Fn::FindInMap" && Array.isArray(arg)) {
      const [map, top, second] = arg.map(resolve).map(String);
      const found = template.Mappings?.[map ?? ""]?.[top ?? ""]?.[second ?? ""];
      if (found === undefined) throw new Error(`resolveIn: ${map} has no ${top}.${second}`);
      return found;
    }
    if (typeof fn === "string" && fn.startsWith("Fn::")) throw new Error(`resolveIn: ${fn} is not modelled`);
    return Object.fromEntries(entries.map(([k, x]) => [k, resolve(x)]).filter(([, x]) => x !== NO_VALUE));
  };
  return resolve(value);
}
