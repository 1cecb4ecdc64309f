// Sent with every request so AWS (and a proxy's log) can tell this action's traffic apart.
// Kept in step with package.json by a unit test: the bundle cannot read package.json at run time.
export const ACTION_VERSION = '0.1.0'
export const USER_AGENT = `aws-sso-device-auth/${ACTION_VERSION}`
