import { execFileSync } from 'node:child_process';

/**
 * YAML files as JSON, read in one go. PyYAML ships with Ansible, which the repo needs anyway; no YAML parser is added
 * to the package for tests.
 */
export function loadYamlFiles(files: string[]): unknown[] {
  return JSON.parse(
    execFileSync(
      'python3',
      ['-c', 'import json,sys,yaml; print(json.dumps([yaml.safe_load(open(f)) for f in sys.argv[1:]]))', ...files],
      { encoding: 'utf8' },
    ),
  ) as unknown[];
}

export function loadYaml(file: string): unknown {
  return loadYamlFiles([file])[0];
}
