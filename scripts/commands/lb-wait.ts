import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../lib/errors';
import { backendServers, closeHaproxyConnections } from '../lib/haproxy-socket';
import { waitForServer, type LbGoal } from '../lib/lb-wait';
import { printResult } from '../lib/output';

interface LbWaitArgs {
  socket: string;
  sshCommonArgs?: string;
  backend: string;
  server: string[];
  until: LbGoal;
  timeoutS: number;
  intervalMs: number;
  json: boolean;
}

/**
 * `poolgate lb wait`: a bounded wait for a server to be drained (no new sessions, none in flight — a DOWN server
 * counts) or UP, through HAProxy's runtime socket — here, over TCP or over SSH. The rollout itself waits on the load
 * balancer's host with poolgate.rollout.haproxy_wait (the same rule); this is the same check by hand.
 */
const wait: CommandModule<object, LbWaitArgs> = {
  command: 'wait',
  describe: 'Wait, bounded, until a server at HAProxy is drained (DRAIN/MAINT/DOWN with 0 sessions) or UP',
  builder: (y: Argv) =>
    y
      .option('socket', {
        type: 'string',
        demandOption: true,
        describe:
          "HAProxy's admin socket: a unix socket path here; tcp://host:port (or ipv4@host:port) for a TCP admin socket; " +
          'ssh://[user@]host[:port]/path for a unix socket on the load balancer, read over SSH (the system ssh and ' +
          "your ~/.ssh/config, Python 3 there; ssh+sudo:// when the socket is root's)",
      })
      .option('ssh-common-args', {
        type: 'string',
        describe:
          'Extra ssh options for an ssh:// socket, as ansible_ssh_common_args; join the value with = as it starts with a dash: --ssh-common-args="-i ~/.ssh/deploy -o UserKnownHostsFile=/etc/poolgate/known_hosts"',
      })
      .option('backend', { type: 'string', demandOption: true, describe: 'Backend name' })
      .option('server', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Server name in that backend (repeat to wait for several at once)',
      })
      .option('until', { choices: ['drained', 'up'] as const, demandOption: true, describe: 'The state to wait for' })
      .option('timeout-s', { type: 'number', default: 30, describe: 'Give up after this many seconds (exit 1)' })
      .option('interval-ms', { type: 'number', default: 500, describe: 'Time between two reads of show stat' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .example(
        '$0 lb wait --socket /run/haproxy/admin.sock --backend app --server primary-1 --until drained',
        'After "set server … state drain"',
      )
      .example(
        '$0 lb wait --socket /run/haproxy/admin.sock --backend app --server a --server b --until up',
        'Every server named, waited for at once',
      )
      .example(
        '$0 lb wait --socket tcp://10.0.0.10:9999 --backend app --server primary-1 --until up',
        'HAProxy on another host, through its TCP admin socket (stats socket ipv4@10.0.0.10:9999 level admin)',
      )
      .example(
        '$0 lb wait --socket ssh+sudo://deploy@lb-1/run/haproxy/admin.sock --backend app --server primary-1 --until drained',
        "HAProxy's unix socket on the load balancer, over SSH",
      ) as unknown as Argv<LbWaitArgs>,
  handler: async (args) => {
    if (!(args.timeoutS > 0) || !(args.intervalMs > 0))
      throw new InputError('--timeout-s and --interval-ms must be positive');
    const one = async (server: string) => {
      const what = `${args.backend}/${server}`;
      const read = async () => {
        const row = (
          await backendServers(args.socket, args.backend, {
            ...(args.sshCommonArgs !== undefined ? { sshCommonArgs: args.sshCommonArgs } : {}),
          })
        ).get(server);
        if (!row) throw new InputError(`HAProxy backend "${args.backend}" has no server "${server}"`, 'E_LB_NO_SERVER');
        return row;
      };
      const result = await waitForServer(read, args.until, what, {
        timeoutMs: args.timeoutS * 1000,
        intervalMs: args.intervalMs,
      });
      return {
        server,
        summary: `${what} ${args.until}: status ${result.status}, ${result.sessions} sessions (waited ${(result.waited_ms / 1000).toFixed(1)} s)`,
        ...result,
      };
    };
    // Several servers are waited for at once: preflight checks the whole backend in one command, not one per server.
    // Settled, not raced: a failure is reported once every wait has ended, so no timer outlives the command.
    const settled = await Promise.allSettled([...new Set(args.server)].map(one)).finally(closeHaproxyConnections);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof one>>>).value);
    const summary = results.map((r) => r.summary).join('; ');
    const { server: _server, summary: _summary, ...first } = results[0]!;
    printResult(
      args,
      results.length === 1 ? { ok: true, summary, ...first } : { ok: true, summary, servers: results },
      () => summary,
    );
  },
};

export const lbCommand: CommandModule = {
  command: 'lb <command>',
  describe: 'Load balancer (HAProxy runtime API) helpers',
  builder: (y: Argv) => y.command(wait).demandCommand(1),
  handler: () => undefined,
};
