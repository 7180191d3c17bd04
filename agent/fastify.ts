import type http from 'node:http';
import type { PoolAgent } from './agent';
import { ENDPOINT_PATHS, endpointOf, type Endpoint } from './endpoints';

/**
 * The little of Fastify's API the plugin uses, so the agent does not depend on Fastify (or its types) at all.
 * Every Fastify 4/5 instance has this shape.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Fastify's own signatures are overloaded generics */
export interface FastifyLike {
  addHook(name: 'onRequest', hook: (request: any, reply: any, done: (err?: Error) => void) => void): unknown;
  route(options: { method: string; url: string; handler: (request: any, reply: any) => Promise<unknown> }): unknown;
  decorate(name: string, value: unknown): unknown;
  hasDecorator(name: string): boolean;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface PoolgateFastifyOptions {
  agent: PoolAgent;
}

/**
 * `fastify.register(poolgateFastify, { agent })`. It must see every request of the app (to count them), so it is
 * not encapsulated: like a plugin wrapped by fastify-plugin, it marks itself `skip-override` and its hook, routes
 * and the `poolgate` decorator (the agent, for route handlers: `fastify.poolgate.query(...)`) live in the scope
 * that registered it. For the same reason a `prefix` given to register() would not apply: the agent's own
 * `prefix` option places the endpoints.
 */
async function poolgatePlugin(fastify: FastifyLike, opts: PoolgateFastifyOptions): Promise<void> {
  const { agent } = opts;
  if (!agent) throw new TypeError('poolgateFastify needs { agent } (createAgent(...))');
  if (!fastify.hasDecorator('poolgate')) fastify.decorate('poolgate', agent);
  fastify.addHook('onRequest', (request: { raw: http.IncomingMessage }, reply: { raw: http.ServerResponse }, done) => {
    if (endpointOf(request.raw.url ?? '/', agent.prefix) === undefined) agent.count(reply.raw);
    done();
  });
  for (const [endpoint, path] of Object.entries(ENDPOINT_PATHS) as [Endpoint, string][]) {
    fastify.route({
      method: 'GET', // Fastify answers HEAD for every GET route by itself
      url: `${agent.prefix}${path}`,
      handler: async (
        request: { method: string; headers: http.IncomingHttpHeaders },
        reply: { code(n: number): { headers(h: Record<string, string>): unknown } },
      ) => {
        const a = await agent.answer(endpoint, request.method, request.headers.authorization);
        reply.code(a.status).headers(a.headers);
        return a.body;
      },
    });
  }
}

export const poolgateFastify = Object.assign(poolgatePlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'poolgate-agent',
});
