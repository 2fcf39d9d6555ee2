// The part of undici rdp uses: a pooled Agent and its request() API, loaded from undici's own modules
// without the rest of the package (fetch, WebSocket, caches, mocks, proxies). Loading the whole package
// costs ~54 ms per command that talks HTTP; this subset, bundled, ~15 ms (measured with node 20 on the
// benchmark machine). It wires the API onto dispatchers exactly as undici's index.js does.
import AgentImpl from 'undici/lib/dispatcher/agent.js';
import DispatcherImpl from 'undici/lib/dispatcher/dispatcher.js';
import * as api from 'undici/lib/api/index.js';
import type { Agent as AgentType } from 'undici';

Object.assign(DispatcherImpl.prototype, api);

export const Agent = AgentImpl as unknown as typeof AgentType;
