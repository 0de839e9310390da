// Which Node `jit` runs on, checked before any TypeScript is loaded: plain JavaScript that every
// Node since 14 parses, so an older Node gets a sentence instead of ERR_UNKNOWN_FILE_EXTENSION.

/** The oldest Node major that runs the sources directly (type stripping, and this repo's tests). */
export const REQUIRED_NODE_MAJOR = 24;

/** What to tell someone on `version` (e.g. "20.20.2"), or undefined when it is new enough. */
export function nodeRequirement(version) {
  const major = Number(String(version).split(".")[0]);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return `jit needs Node ${REQUIRED_NODE_MAJOR} or newer (this is Node ${version}). Run it as \`npx jit\` inside the repo, which brings Node ${REQUIRED_NODE_MAJOR} (npm ci installs it), or install Node ${REQUIRED_NODE_MAJOR}.`;
}
