/**
 * The references inside a CloudFormation template: every Ref, Fn::GetAtt, Fn::Sub variable, condition
 * name and DependsOn must name something the template or CloudFormation defines, and each intrinsic
 * function must be one CloudFormation knows, with the arguments it takes
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
 * Conservative on conditions: a resource or output that refers to a conditional resource must carry
 * the same condition, or refer to it inside Fn::If, or CloudFormation fails when the condition is false.
 */
import type { CfnSpec } from "./cfn-spec.ts";

const PSEUDO = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);
const PARAMETER_TYPE =
  /^(String|Number|List<Number>|CommaDelimitedList|AWS::[\w:]+|List<AWS::[\w:]+>|AWS::SSM::Parameter::Value<.+>)$/;
const VALUE_FUNCTIONS = new Set([
  "Fn::Base64",
  "Fn::Cidr",
  "Fn::FindInMap",
  "Fn::GetAZs",
  "Fn::ImportValue",
  "Fn::Join",
  "Fn::Select",
  "Fn::Split",
  "Fn::Transform",
]);
const CONDITION_FUNCTIONS: Record<string, [number, number]> = {
  "Fn::And": [2, 10],
  "Fn::Or": [2, 10],
  "Fn::Not": [1, 1],
  "Fn::Equals": [2, 2],
};

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const keysOf = (v: unknown): string[] => (isObject(v) ? Object.keys(v) : []);

/** Where a walk is: the referrer's own condition, whether inside Fn::If, whether in Conditions. */
interface Context {
  at: string;
  condition?: string | undefined;
  inIf?: boolean;
  inConditions?: boolean;
}

/** Every reference problem of a template. */
export function refProblems(template: Obj, spec: CfnSpec): string[] {
  const resources = isObject(template.Resources) ? (template.Resources as Record<string, Obj>) : {};
  const params = new Set(keysOf(template.Parameters));
  const conditions = new Set(keysOf(template.Conditions));
  const mappings = isObject(template.Mappings) ? template.Mappings : {};
  const problems: string[] = [];
  const conditionOf = (id: string) =>
    isObject(resources[id]) ? (resources[id].Condition as string | undefined) : undefined;

  const target = (id: string, ctx: Context, how: string): void => {
    if (!(id in resources)) {
      problems.push(`${ctx.at}: ${how} names ${id}, which is no resource`);
      return;
    }
    const needs = conditionOf(id);
    if (needs && !ctx.inIf && ctx.condition !== needs) {
      problems.push(
        `${ctx.at}: ${how} names ${id}, which exists only when ${needs}; give the referrer that condition or use Fn::If`,
      );
    }
  };
  const getAtt = (resource: string, attribute: string, ctx: Context): void => {
    const before = problems.length;
    target(resource, ctx, "Fn::GetAtt");
    if (problems.length > before) return;
    const type = String(resources[resource]?.Type);
    const attributes = Object.keys(spec.ResourceTypes[type]?.Attributes ?? {});
    if (
      !attributes.includes(attribute) &&
      !(type === "AWS::CloudFormation::Stack" && attribute.startsWith("Outputs."))
    ) {
      problems.push(
        `${ctx.at}: ${type} has no attribute ${attribute} (it has ${attributes.join(", ") || "none"})`,
      );
    }
  };
  const findInMap = (arg: unknown, here: Context): void => {
    if (!Array.isArray(arg) || arg.length !== 3) {
      problems.push(`${here.at}: Fn::FindInMap takes [map, top-level key, second-level key]`);
      return;
    }
    const [name, top, second] = arg;
    const map = mappings[String(name)];
    if (!isObject(map)) problems.push(`${here.at}: ${String(name)} is no mapping`);
    else if (typeof top === "string" && !isObject(map[top]))
      problems.push(`${here.at}: ${String(name)} has no key ${top}`);
    else if (
      typeof second === "string" &&
      !Object.values(map).some((entry) => isObject(entry) && second in entry)
    ) {
      problems.push(`${here.at}: no entry of ${String(name)} has the key ${second}`);
    }
    walk(arg.slice(1), here);
  };
  const sub = (arg: unknown, here: Context): void => {
    const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, {}];
    if (typeof text !== "string") {
      problems.push(`${here.at}: Fn::Sub takes a string`);
      return;
    }
    for (const [, name = ""] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
      if (keysOf(vars).includes(name) || PSEUDO.has(name) || params.has(name)) continue;
      const [resource = "", ...attribute] = name.split(".");
      if (attribute.length > 0) getAtt(resource, attribute.join("."), here);
      else target(name, here, "Fn::Sub");
    }
    walk(vars, here);
  };

  /** Checks one intrinsic function and what it names; false when `fn` is no function (a plain key). */
  const intrinsic = (fn: string, arg: unknown, ctx: Context): boolean => {
    const here = { ...ctx, at: `${ctx.at}.${fn}` };
    if (fn === "Ref") {
      if (typeof arg !== "string") problems.push(`${here.at}: Ref takes a name`);
      else if (!PSEUDO.has(arg) && !params.has(arg)) target(arg, here, "Ref");
    } else if (fn === "Condition" && ctx.inConditions) {
      if (!conditions.has(String(arg))) problems.push(`${here.at}: ${String(arg)} is no condition`);
    } else if (fn === "Fn::GetAtt") {
      const [resource = "", ...rest] = Array.isArray(arg) ? arg.map(String) : String(arg).split(".");
      getAtt(resource, rest.join("."), here);
    } else if (fn === "Fn::Sub") {
      sub(arg, here);
    } else if (fn === "Fn::FindInMap") {
      findInMap(arg, here);
    } else if (fn === "Fn::If") {
      if (!Array.isArray(arg) || arg.length !== 3)
        problems.push(`${here.at}: Fn::If takes [condition, then, else]`);
      else if (!conditions.has(String(arg[0])))
        problems.push(`${here.at}: ${String(arg[0])} is no condition`);
      if (Array.isArray(arg)) {
        for (const i of [1, 2]) walk(arg[i], { ...here, at: `${here.at}.${i}`, inIf: true });
      }
    } else if (fn in CONDITION_FUNCTIONS) {
      const [min, max] = CONDITION_FUNCTIONS[fn] ?? [0, 0];
      if (!ctx.inConditions) problems.push(`${here.at}: ${fn} belongs in Conditions`);
      if (!Array.isArray(arg) || arg.length < min || arg.length > max) {
        problems.push(`${here.at}: ${fn} takes ${min}-${max} arguments`);
      }
      walk(arg, here);
    } else if (VALUE_FUNCTIONS.has(fn)) {
      walk(arg, here);
    } else if (fn.startsWith("Fn::")) {
      problems.push(`${here.at}: ${fn} is no intrinsic function`);
    } else return false;
    return true;
  };

  const walk = (value: unknown, ctx: Context): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, { ...ctx, at: `${ctx.at}.${i}` });
      return;
    }
    if (!isObject(value)) return;
    const entries = Object.entries(value);
    const [only] = entries;
    if (entries.length === 1 && only && intrinsic(only[0], only[1], ctx)) return;
    for (const [k, v] of entries) walk(v, { ...ctx, at: `${ctx.at}.${k}` });
  };

  for (const [name, param] of Object.entries(isObject(template.Parameters) ? template.Parameters : {})) {
    if (!PARAMETER_TYPE.test(String(isObject(param) ? param.Type : undefined)))
      problems.push(`Parameters.${name}.Type: not a parameter type`);
  }
  for (const [name, condition] of Object.entries(isObject(template.Conditions) ? template.Conditions : {})) {
    walk(condition, { at: `Conditions.${name}`, inConditions: true });
  }
  for (const [id, resource] of Object.entries(resources)) {
    const condition = isObject(resource) ? resource.Condition : undefined;
    if (condition !== undefined && !conditions.has(String(condition)))
      problems.push(`Resources.${id}.Condition: ${String(condition)} is no condition`);
    const dependsOn = isObject(resource) ? resource.DependsOn : undefined;
    for (const on of dependsOn === undefined ? [] : [dependsOn].flat()) {
      if (!(String(on) in resources))
        problems.push(`Resources.${id}.DependsOn: ${String(on)} is no resource`);
    }
    walk(isObject(resource) ? resource.Properties : undefined, {
      at: `Resources.${id}.Properties`,
      condition: condition as string | undefined,
    });
  }
  for (const [name, output] of Object.entries(isObject(template.Outputs) ? template.Outputs : {})) {
    const condition = isObject(output) ? (output.Condition as string | undefined) : undefined;
    if (!isObject(output) || !("Value" in output)) problems.push(`Outputs.${name}: an output needs a Value`);
    if (condition !== undefined && !conditions.has(condition))
      problems.push(`Outputs.${name}.Condition: ${condition} is no condition`);
    walk(isObject(output) ? output.Value : undefined, { at: `Outputs.${name}.Value`, condition });
  }
  return problems;
}
