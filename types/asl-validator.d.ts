/** Types for asl-validator (it ships none): validates Amazon States Language definitions. */
declare module "asl-validator" {
  interface ValidationResult {
    isValid: boolean;
    errors: { "Error code"?: string; Message?: string; [key: string]: unknown }[];
    errorsText: (separator?: string) => string;
  }
  export default function validator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): ValidationResult;
}
