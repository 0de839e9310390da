/// <reference path="../.sst/platform/config.d.ts" />
/**
 * One Pulumi AWS provider per region other than home, created once. Credentials come the way they
 * come for the home provider (the environment: AWS_PROFILE or keys); only the region differs.
 */

const providers = new Map<string, aws.Provider>();

/** The provider for `region`, or undefined for home (SST's default provider). */
export function providerFor(region: string, home: string): aws.Provider | undefined {
  if (region === home) return undefined;
  let provider = providers.get(region);
  if (!provider) {
    const id = region.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
    provider = new aws.Provider(`Aws${id}`, { region });
    providers.set(region, provider);
  }
  return provider;
}

/** Resource options placing a resource in `region`. */
export const inRegion = (region: string, home: string): { provider?: aws.Provider } => {
  const provider = providerFor(region, home);
  return provider ? { provider } : {};
};
