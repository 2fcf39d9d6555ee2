// undici's internal modules (the package has no "exports" map, so they are reachable); typed through
// the package's public types in src/providers/undici-core.ts.
declare module 'undici/lib/dispatcher/agent.js' {
  const Agent: unknown;
  export default Agent;
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  const Dispatcher: { prototype: object };
  export default Dispatcher;
}
declare module 'undici/lib/api/index.js' {
  export const request: unknown;
  export const stream: unknown;
  export const pipeline: unknown;
  export const upgrade: unknown;
  export const connect: unknown;
}
