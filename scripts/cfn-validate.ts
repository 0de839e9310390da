/**
 * Validates a CloudFormation template offline against the resource specification (cfn-spec.ts): the
 * template's sections, each resource's type, its properties (unknown names, missing required ones,
 * the wrong shape of value, recursively through property types), and every intrinsic function's
 * target (Ref, Fn::GetAtt and its attribute, Fn::Sub's variables, conditions). What CloudFormation
 * itself would refuse at create time, found before a StackSet rolls out to every account.
 *
 * `node scripts/cfn-validate.ts` validates the spoke template of access.config.yaml (check-infra.sh).
 */
import { fileURLToPath } from "node:url";
import { refProblems } from "./cfn-intrinsics.ts";
import type { CfnSpec, PropertySpec, TypeSpec } from "./cfn-spec.ts";

const SECTIONS = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
]);
const RESOURCE_KEYS = new Set([
  "Type",
  "Properties",
  "DependsOn",
  "Condition",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy",
]);
const POLICIES = new Set(["Delete", "Retain", "Snapshot", "RetainExceptOnCreate"]);

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
/** An intrinsic function in place of a value: CloudFormation computes it, the shape is its own. */
const isIntrinsic = (v: unknown): boolean =>
  isObject(v) && Object.keys(v).length === 1 && /^(Ref|Fn::.+)$/.test(Object.keys(v)[0] ?? "");

/** Checks one value against a primitive type; undefined when it fits. */
function primitiveProblem(type: string, value: unknown): string | undefined {
  if (isIntrinsic(value)) return undefined;
  const fits =
    type === "String"
      ? typeof value === "string" || typeof value === "number"
      : type === "Integer" || type === "Long"
        ? Number.isInteger(typeof value === "string" ? Number(value) : value)
        : type === "Double"
          ? Number.isFinite(typeof value === "string" ? Number(value) : value)
          : type === "Boolean"
            ? typeof value === "boolean" || value === "true" || value === "false"
            : type === "Json"
              ? isObject(value) || typeof value === "string"
              : type === "Timestamp"
                ? typeof value === "string"
                : false;
  return fits ? undefined : `expected ${type}, got ${JSON.stringify(value)?.slice(0, 60)}`;
}

/** Problems of a value of a property, by its spec; `owner` is the resource type (for property types). */
function valueProblems(
  spec: CfnSpec,
  owner: string,
  prop: PropertySpec,
  value: unknown,
  at: string,
): string[] {
  if (isIntrinsic(value)) return [];
  if (prop.PrimitiveType)
    return [primitiveProblem(prop.PrimitiveType, value)].flatMap((p) => (p ? [`${at}: ${p}`] : []));
  const item: PropertySpec = { PrimitiveType: prop.PrimitiveItemType, Type: prop.ItemType };
  if (prop.Type === "List") {
    if (!Array.isArray(value)) return [`${at}: expected a list, got ${JSON.stringify(value)?.slice(0, 60)}`];
    return value.flatMap((v, i) => valueProblems(spec, owner, item, v, `${at}.${i}`));
  }
  if (prop.Type === "Map") {
    if (!isObject(value)) return [`${at}: expected a map`];
    return Object.entries(value).flatMap(([k, v]) => valueProblems(spec, owner, item, v, `${at}.${k}`));
  }
  const typeSpec = prop.Type
    ? (spec.PropertyTypes[`${owner}.${prop.Type}`] ?? spec.PropertyTypes[prop.Type])
    : undefined;
  if (!typeSpec) return [`${at}: the specification has no type ${prop.Type ?? "(none)"} for ${owner}`];
  if (!isObject(value))
    return [`${at}: expected a ${prop.Type} object, got ${JSON.stringify(value)?.slice(0, 60)}`];
  return propertiesProblems(spec, owner, typeSpec, value, at);
}

/** Unknown, missing required and mistyped properties of one object of a known type. */
function propertiesProblems(spec: CfnSpec, owner: string, type: TypeSpec, value: Obj, at: string): string[] {
  const known = type.Properties ?? {};
  const problems: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    const prop = known[name];
    if (!prop) problems.push(`${at}.${name}: no such property (known: ${Object.keys(known).join(", ")})`);
    else problems.push(...valueProblems(spec, owner, prop, v, `${at}.${name}`));
  }
  for (const [name, prop] of Object.entries(known)) {
    if (prop.Required && !(name in value)) problems.push(`${at}: required property ${name} is missing`);
  }
  return problems;
}

/** Every problem of a template, each with the path it is at; empty when CloudFormation would take it. */
export function validateTemplate(template: unknown, spec: CfnSpec): string[] {
  if (!isObject(template)) return ["the template is not an object"];
  const problems = Object.keys(template)
    .filter((k) => !SECTIONS.has(k))
    .map((k) => `${k}: no such template section`);
  const resources = isObject(template.Resources) ? template.Resources : {};
  if (Object.keys(resources).length === 0) problems.push("Resources: a template needs at least one resource");
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) {
      problems.push(`Resources.${id}: not an object`);
      continue;
    }
    for (const key of Object.keys(resource).filter((k) => !RESOURCE_KEYS.has(k))) {
      problems.push(`Resources.${id}.${key}: no such resource attribute`);
    }
    for (const key of ["DeletionPolicy", "UpdateReplacePolicy"] as const) {
      if (key in resource && !POLICIES.has(String(resource[key])))
        problems.push(`Resources.${id}.${key}: ${String(resource[key])} is no policy`);
    }
    const typeName = String(resource.Type);
    const type = spec.ResourceTypes[typeName];
    if (!type) {
      problems.push(`Resources.${id}.Type: ${typeName} is no resource type`);
      continue;
    }
    const properties = resource.Properties ?? {};
    if (!isObject(properties)) problems.push(`Resources.${id}.Properties: not an object`);
    else problems.push(...propertiesProblems(spec, typeName, type, properties, `Resources.${id}.Properties`));
  }
  problems.push(...refProblems(template, spec));
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { loadConfigFile } = await import("../adapters/config-file.ts");
  const { spokeTemplate } = await import("../stacks/spoke-template.ts");
  const { loadCfnSpec } = await import("./cfn-spec.ts");
  const spec = loadCfnSpec();
  const region = process.env.AWS_REGION ?? "eu-west-1";
  const problems = validateTemplate(spokeTemplate(loadConfigFile("access.config.yaml"), region), spec);
  for (const line of problems) console.error(`spoke template: ${line}`);
  if (problems.length > 0) process.exit(1);
  console.log(
    `cfn-validate: the spoke template is valid against the CloudFormation resource specification ${spec.ResourceSpecificationVersion}`,
  );
}
