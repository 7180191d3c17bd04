import http from 'node:http';
import type { Test } from 'tap';
import type { LabConfig } from '../../lab/lab-config';

/**
 * A Slack-compatible webhook on the lab slot's loopback net: records every message posted to it. Its URL carries
 * a secret token in the path, as a real Slack webhook does, so a test can check the token never leaks.
 */
export interface Receiver {
  url: string;
  token: string;
  messages: Array<{ text: string; body: Record<string, unknown> }>;
}

export async function startReceiver(t: Test, cfg: LabConfig): Promise<Receiver> {
  const token = `tok${Math.random().toString(36).slice(2)}SECRET`;
  const messages: Receiver['messages'] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d: Buffer) => (data += d.toString()));
    req.on('end', () => {
      try {
        const body = JSON.parse(data) as Record<string, unknown>;
        messages.push({ text: String(body.text ?? ''), body });
      } catch {
        messages.push({ text: data, body: {} });
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, `${cfg.net}.60`, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  return { url: `http://${cfg.net}.60:${port}/services/T0LAB/B0LAB/${token}`, token, messages };
}
