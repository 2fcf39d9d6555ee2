declare const __RDP_VERSION__: string | undefined;

/** Injected by scripts/build.mjs from package.json. */
export const VERSION: string = typeof __RDP_VERSION__ === 'string' ? __RDP_VERSION__ : '0.0.0-dev';
