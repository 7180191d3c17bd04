import fs from 'node:fs';
import express from 'express';
// poolgate: begin
import { createAgent, JsonLog, poolgateExpress } from 'poolgate/agent';
// poolgate: end
import { ensureSchema, errors, ordersRouter } from './orders';

/**
 * orders-express: an Express service of someone else's that adopts poolgate through the agent. Configured by its
 * environment: HOST, PORT, INSTANCE_NAME, POOL_CONFIG (the pool config file), LOG_FILE (default stdout), the PG*
 * variables, PGPASSWORD_FILE and POOLGATE_TOKEN_FILE (optional: a file holding the bearer token its contract endpoints
 * then require). The lines between the "poolgate" markers are all the adoption takes (the README's "Bring your own
 * service" shows them; test/unit/examples/adoption-lines.test.ts counts them).
 */
const env = process.env;
// poolgate: begin
const agent = createAgent({
  config: env.POOL_CONFIG ?? 'pool.json',
  name: env.INSTANCE_NAME,
  pg: { password: env.PGPASSWORD_FILE && fs.readFileSync(env.PGPASSWORD_FILE, 'utf8').trim() },
  log: new JsonLog(env.LOG_FILE ?? '-'),
  token: env.POOLGATE_TOKEN_FILE ? { file: env.POOLGATE_TOKEN_FILE } : undefined,
});
// poolgate: end
const app = express();
// poolgate: begin
app.use(poolgateExpress(agent));
// poolgate: end
app.use(express.json());
app.use('/orders', ordersRouter(agent));
app.use(errors);

function exit(err: unknown): never {
  process.stderr.write(`orders-express: ${String(err)}\n`);
  process.exit(2);
}

const server = app.listen(Number(env.PORT ?? 3000), env.HOST ?? '127.0.0.1', () => {
  // poolgate: begin
  agent.attach(server);
  agent.start().then(() => ensureSchema(agent), exit);
  // poolgate: end
});
