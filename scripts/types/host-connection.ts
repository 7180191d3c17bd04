/* Generated from schemas/host-connection.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * How poolgate reaches one host of the fleet for what only that host can tell (the database host's CPU, an instance's journald or log file): the same settings Ansible uses, rendered from the inventory (ansible_host, ansible_user, ansible_port, ansible_ssh_private_key_file, ansible_ssh_common_args, ansible_become). Every call is bounded in time and reuses one SSH connection per host (ControlMaster); a host that cannot be reached is 'could not measure' (exit 3).
 */
export interface HostConnection {
  /**
   * ssh: the system ssh client; local: the control node itself (ansible_connection: local).
   */
  connection: 'ssh' | 'local';
  /**
   * Host name or address (ansible_host, else the inventory name).
   */
  address: string;
  /**
   * Remote user (ansible_user); absent: ssh's default.
   */
  user?: string;
  /**
   * SSH port (ansible_port); absent: ssh's default.
   */
  port?: number;
  /**
   * Identity file on the control node (ansible_ssh_private_key_file).
   */
  private_key_file?: string;
  /**
   * Extra ssh options as Ansible takes them (ansible_ssh_common_args), split like a shell does, e.g. -o UserKnownHostsFile=/etc/poolgate/known_hosts.
   */
  common_args?: string;
  /**
   * Run the read through `sudo -n` (ansible_become): reading another user's postmaster.pid or the system journal needs it.
   */
  become?: boolean;
}
