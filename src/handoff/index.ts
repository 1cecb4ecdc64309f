// The hand-off's two ends, loaded together with one dynamic import(): the gate's seal and the
// deploy job's opening share the sealed format, so one chunk holds both instead of two copies.
export { sealAccess, type GateSeal } from './gate.js'
export { openHandedOffAccess } from './open.js'
