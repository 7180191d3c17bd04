import type http from 'node:http';
import type { PoolAgent } from './agent';

/** Express (or Connect) middleware: `app.use(poolgateExpress(agent))`, first, at the root. */
export type ConnectMiddleware = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * Answers the agent's endpoints and counts every other request as the app answers it. Mount it at the root
 * (Express strips a mount path from req.url, and requests outside it would go uncounted): to serve the endpoints
 * under a path, give the agent a `prefix`.
 */
export function poolgateExpress(agent: PoolAgent): ConnectMiddleware {
  return (req, res, next) => {
    if (!agent.handle(req, res)) next();
  };
}
