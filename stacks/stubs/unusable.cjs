/**
 * What a stubbed module exports in a Lambda bundle (stacks/stubs/plugin.mjs): something that can be
 * required, destructured and wrapped by Bolt's CommonJS interop at load, as the real module can,
 * but that throws, naming the module and why it was left out, the moment anything calls or
 * constructs it. A future Bolt that needs one of these at runtime then fails the bundle tests
 * (test/integration/slack-bundle.test.ts), not a production request.
 */
"use strict";

/** @param {string} name @param {string} reason */
module.exports = function unusable(name, reason) {
  const fail = () => {
    throw new Error(
      `${name} is left out of this Lambda bundle (${reason}); stacks/stubs/plugin.mjs stubs it. ` +
        "If the function now needs it, take it out of STUBBED there.",
    );
  };
  // A plain function as target, so that both calling and `new` reach the traps below.
  const stub = new Proxy(function stubbed() {}, {
    // Any member read at load (`express.Router`, `socketMode.SocketModeClient`) is the stub again,
    // so it throws when used, not when read. Not an ES module, and no symbol-keyed behaviour.
    get: (_target, key) => (key === "__esModule" || typeof key === "symbol" ? undefined : stub),
    apply: fail,
    construct: fail,
  });
  return stub;
};
