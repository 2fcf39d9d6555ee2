// A small method + path router for the emulator. Patterns: `/deposit/depositions/:id`, and a trailing
// `*` that captures the rest of the path (`/files/:bucket/*` -> params['*']).
import type { EmuRequest, EmuResponse } from './http.js';

export type Handler = (req: EmuRequest, res: EmuResponse) => void | Promise<void>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), parts: split(pattern), handler });
    return this;
  }
  get(p: string, h: Handler): this {
    return this.on('GET', p, h);
  }
  post(p: string, h: Handler): this {
    return this.on('POST', p, h);
  }
  put(p: string, h: Handler): this {
    return this.on('PUT', p, h);
  }
  delete(p: string, h: Handler): this {
    return this.on('DELETE', p, h);
  }

  /** The handler for a request, with params filled in; `methods` lists what the path allows. */
  match(method: string, path: string): { handler?: Handler; params: Record<string, string>; methods: string[] } {
    const segs = split(path);
    const methods: string[] = [];
    for (const r of this.routes) {
      const params = matchParts(r.parts, segs);
      if (!params) continue;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { handler: r.handler, params, methods };
      methods.push(r.method);
    }
    return { params: {}, methods };
  }
}

function split(p: string): string[] {
  return p.split('/').filter((s) => s !== '');
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (p === '*') {
      params['*'] = segs.slice(i).map(safeDecode).join('/');
      return params;
    }
    const s = segs[i];
    if (s === undefined) return undefined;
    if (p.startsWith(':')) params[p.slice(1)] = safeDecode(s);
    else if (p !== s) return undefined;
  }
  return segs.length === parts.length ? params : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
