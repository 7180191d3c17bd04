'use strict';
// Loaded into every test process (package.json tap "node-arg"). tap runs test files in parallel jobs; each job
// gets a lab of its own, so two files never drive the same instances: job 0 keeps POOLGATE_LAB_SLOT (default 0),
// job n uses that slot + 50 n (lab-config puts each slot on its own loopback net and state folder).
const job = Number(process.env.TAP_JOB_ID || 0);
if (job > 0) {
  const base = Number(process.env.POOLGATE_LAB_SLOT || 0);
  process.env.POOLGATE_LAB_SLOT = String(base + 50 * job);
}
// The suite's runs write their evidence under evidence/tests/, apart from the operator's runs in evidence/: a
// rollback the suite provoked must never be "the last run on this fleet" that refuses a later `npm run demo`.
process.env.POOLGATE_EVIDENCE_ROOT ??= require('node:path').join(__dirname, '..', '..', 'evidence', 'tests');
