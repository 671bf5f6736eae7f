// Regenerates tests/golden/shapes/ (see its README.md) from the camelCase findings of the
// conformance corpus (tests/corpus/guardduty) with the AWS SDK for JavaScript v3's own
// deserializers, so the goldens carry exactly the member names the AWS CLI and boto3 print.
//
//   npm install --prefix DIR @aws-sdk/client-guardduty @aws-sdk/client-securityhub
//   node scripts/golden-shapes.mjs DIR
//
// Node 20 or newer. Nothing here talks to AWS: each "response" is handed to the SDK by a request
// handler that never leaves the process. Run it once after the corpus or the SDK changes and
// check in what it writes.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const corpus = join(root, "tests/corpus/guardduty");
const out = join(root, "tests/golden/shapes");
if (process.argv.length < 3) {
  console.error("usage: node scripts/golden-shapes.mjs DIR  (DIR holds node_modules/@aws-sdk/...)");
  process.exit(2);
}
const require = createRequire(join(resolve(process.argv[2]), "node_modules") + "/");
const gd = require("@aws-sdk/client-guardduty");
const sh = require("@aws-sdk/client-securityhub");

// Corpus files in camelCase (API / S3 export / EventBridge detail), one document per line.
const kCorpusFiles = [
  "sekoia-intake-formats/findings.jsonl",
  "elastic-integrations/findings.jsonl",
  "foxsec-pipeline/guardduty-sample-findings.eventbridge.jsonl",
  "foxsec-pipeline/guardduty-sample-findings-default.eventbridge.jsonl",
  "foxsec-pipeline/guardduty-sample-findings-with-duplicates.eventbridge.jsonl",
];

function readFindings(text) {
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const doc = JSON.parse(l);
    return doc.detail ?? doc;
  });
}

// A client whose every request is answered with `body`, deserialized by the SDK as usual.
function offlineClient(Client, body) {
  return new Client({
    region: "us-east-1",
    credentials: { accessKeyId: "offline", secretAccessKey: "offline" },
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          headers: { "content-type": "application/json" },
          body: Readable.from([Buffer.from(body)]),
        },
      }),
    },
  });
}

// The GetFindings API returns service.additionalInfo as the model's ServiceAdditionalInfo
// ({"value": "<JSON text>", "type": "default"}); EventBridge and older findings carry the
// free-form object instead. Put such an object in the API's form first, as GetFindings would
// return it, or the SDK (like boto3) drops its members, sample flag included.
// Likewise the API writes the model's timestamp members as epoch seconds, where EventBridge and
// some fixtures have ISO text (e.g. resource.eksClusterDetails.createdAt).
function asApiResponse(finding) {
  const copy = structuredClone(finding);
  const info = copy.service?.additionalInfo;
  if (info && typeof info === "object" && info.value === undefined) {
    copy.service.additionalInfo = { value: JSON.stringify(info), type: "default" };
  }
  timestampsAsEpoch(copy, gd.Finding$);
  return copy;
}

const kTimestamp = 4;  // the schema code of a timestamp member in the SDK's models
function timestampsAsEpoch(value, schema) {
  const resolved = resolveSchema(schema);
  if (!Array.isArray(resolved) || value === null || typeof value !== "object") return;
  const [kind] = resolved;
  if (kind === 1 && Array.isArray(value)) {  // list: [1, ns, name, traits, member]
    value.forEach((item, i) => { value[i] = wireValue(item, resolved[4]); });
  } else if (kind === 2) {  // map: [2, ns, name, traits, key, value]
    for (const k of Object.keys(value)) value[k] = wireValue(value[k], resolved[5]);
  } else if (kind === 3) {  // structure
    resolved[5].forEach((member, i) => {
      const name = member?.[1]?.jsonName ?? resolved[4][i];
      if (name in value) value[name] = wireValue(value[name], member[0]);
    });
  }
}
function wireValue(value, schema) {
  if (resolveSchema(schema) === kTimestamp && typeof value === "string" && !Number.isNaN(Date.parse(value))) {
    return Date.parse(value) / 1000;
  }
  timestampsAsEpoch(value, schema);
  return value;
}

async function toSdkShape(findings) {
  const body = JSON.stringify({ findings: findings.map(asApiResponse) });
  const client = offlineClient(gd.GuardDutyClient, body);
  const result = await client.send(new gd.GetFindingsCommand({ DetectorId: "d", FindingIds: ["x"] }));
  return result.Findings;
}

// What `aws guardduty get-findings` prints: the response without $metadata, 4-space indent.
function cliText(findings) {
  return JSON.stringify({ Findings: findings }, null, 4) + "\n";
}

// ---- member-name table: camelCase paths the reader uses -> the SDK model's member names ----
const kReaderPaths = [
  "id", "type", "severity", "accountId", "region", "createdAt", "updatedAt",
  "service.archived", "service.count", "service.eventFirstSeen", "service.eventLastSeen",
  "service.additionalInfo.value", "service.action.actionType",
  "service.action.networkConnectionAction.connectionDirection",
  "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4",
  "service.action.networkConnectionAction.remoteIpDetails.ipAddressV6",
  "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4",
  "service.action.awsApiCallAction.remoteIpDetails.ipAddressV6",
  "service.action.rdsLoginAttemptAction.remoteIpDetails.ipAddressV4",
  "service.action.rdsLoginAttemptAction.remoteIpDetails.ipAddressV6",
  "service.action.dnsRequestAction.domain",
  "service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV4",
  "service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV6",
  "service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4",
  "service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV6",
  "service.action.kubernetesApiCallAction.sourceIPs",
  "service.detection.sequence.endpoints.ip",
  "service.detection.sequence.endpoints.domain",
];

// Resolves a member schema (a schema array, a lazy function, or a list/map wrapper) to a
// structure schema [3, namespace, name, traits, memberNames, memberSchemas].
function structureOf(schema) {
  let s = resolveSchema(schema);
  while (Array.isArray(s) && s[0] !== 3) {
    // list: [1, ns, name, traits, member]; map: [2, ns, name, traits, key, value]
    if (s[0] === 1) s = resolveSchema(s[4]);
    else if (s[0] === 2) s = resolveSchema(s[5]);
    else return null;
  }
  return Array.isArray(s) ? s : null;
}

// A schema, a lazy function returning one, or a list's [member schema, traits] pair.
function resolveSchema(schema) {
  let s = typeof schema === "function" ? schema() : schema;
  if (Array.isArray(s) && s.length === 2 && typeof s[1] !== "string") s = s[0];
  return typeof s === "function" ? s() : s;
}

function memberTable() {
  const table = {};
  for (const path of kReaderPaths) {
    let struct = gd.Finding$;
    const sdk = [];
    for (const part of path.split(".")) {
      const names = struct?.[4] ?? [];
      const schemas = struct?.[5] ?? [];
      const index = schemas.findIndex((m) => (Array.isArray(m) ? m[1]?.jsonName : undefined) === part);
      if (index < 0) { sdk.length = 0; break; }
      sdk.push(names[index]);
      struct = structureOf(schemas[index][0]);
    }
    table[path] = sdk.length ? sdk.join(".") : null;
  }
  return table;
}

// ---- Security Hub ASFF, as GuardDuty sends its findings to Security Hub ----
// The mapping follows the GuardDuty User Guide ("Integrating GuardDuty with Security Hub",
// its "Typical finding from GuardDuty"): Id is the finding ARN; Types carries the GuardDuty
// type with its '/' written as '-'; ProductFields flattens service.* under
// "aws/guardduty/service/"; Action mirrors service.action for the four action types ASFF has.
const capitalize = (k) => k.charAt(0).toUpperCase() + k.slice(1);
function pascal(value) {
  if (Array.isArray(value)) return value.map(pascal);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [capitalize(k), pascal(v)]));
  }
  return value;
}

function flatten(prefix, value, fields) {
  if (Array.isArray(value)) return;  // how GuardDuty flattens arrays is not documented
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(`${prefix}/${k}`, v, fields);
    return;
  }
  if (value !== null && value !== undefined) fields[prefix] = String(value);
}

function label(severity) {
  if (severity >= 9) return "CRITICAL";
  if (severity >= 7) return "HIGH";
  if (severity >= 4) return "MEDIUM";
  return "LOW";
}

function network(action) {
  const net = action?.networkConnectionAction;
  const probe = action?.portProbeAction?.portProbeDetails?.[0];
  if (net) {
    const remote = net.remoteIpDetails ?? {};
    const local = net.localIpDetails ?? {};
    const inbound = net.connectionDirection === "INBOUND";
    if (net.connectionDirection !== "INBOUND" && net.connectionDirection !== "OUTBOUND") return undefined;
    const [src, dst] = inbound ? [remote, local] : [local, remote];
    return { Direction: inbound ? "IN" : "OUT", Protocol: net.protocol,
             SourceIpV4: src.ipAddressV4, SourceIpV6: src.ipAddressV6,
             DestinationIpV4: dst.ipAddressV4, DestinationIpV6: dst.ipAddressV6 };
  }
  if (probe) {
    return { Direction: "IN", SourceIpV4: probe.remoteIpDetails?.ipAddressV4,
             DestinationIpV4: probe.localIpDetails?.ipAddressV4 };
  }
  return undefined;
}

function toAsff(f) {
  const service = f.service ?? {};
  const fields = {};
  flatten("aws/guardduty/service", service, fields);
  // GuardDuty's finding ARN ends in the finding id. Some fixtures edited the id and kept the
  // ARN (foxsec's "aaaaa232..."), so the ARN is rebuilt from its detector part and the id.
  const detector = f.arn?.replace(/\/finding\/.*$/, "") ??
                   `arn:aws:guardduty:${f.region}:${f.accountId}:detector/d`;
  const arn = `${detector}/finding/${f.id}`;
  fields["aws/securityhub/FindingId"] = `arn:aws:securityhub:${f.region}::product/aws/guardduty/${arn}`;
  fields["aws/securityhub/ProductName"] = "GuardDuty";
  fields["aws/securityhub/CompanyName"] = "Amazon";
  const types = [`TTPs//${f.type.replace("/", "-")}`];
  const severity = { Product: f.severity, Label: label(f.severity),
                     Normalized: Math.round(f.severity * 10), Original: String(f.severity) };
  const action = service.action ?? {};
  const asffAction = {};
  for (const k of ["actionType", "networkConnectionAction", "awsApiCallAction", "dnsRequestAction",
                   "portProbeAction"]) {
    if (action[k] !== undefined) asffAction[capitalize(k)] = pascal(action[k]);
  }
  return {
    SchemaVersion: "2018-10-08",
    Id: arn,
    ProductArn: `arn:aws:securityhub:${f.region}::product/aws/guardduty`,
    ProductName: "GuardDuty",
    CompanyName: "Amazon",
    Region: f.region,
    GeneratorId: detector,
    AwsAccountId: f.accountId,
    Types: types,
    FirstObservedAt: service.eventFirstSeen,
    LastObservedAt: service.eventLastSeen,
    CreatedAt: f.createdAt,
    UpdatedAt: f.updatedAt,
    Severity: severity,
    Title: f.title,
    Description: f.description,
    ProductFields: fields,
    Network: network(action),
    Action: Object.keys(asffAction).length ? asffAction : undefined,
    Detection: service.detection ? pascal(service.detection) : undefined,
    FindingProviderFields: { Types: types, Severity: { Label: severity.Label, Original: severity.Original } },
    Workflow: { Status: "NEW" },
    RecordState: service.archived ? "ARCHIVED" : "ACTIVE",
  };
}

async function toSecurityHubShape(findings) {
  const body = JSON.stringify({ Findings: findings.map(toAsff) });
  const client = offlineClient(sh.SecurityHubClient, body);
  const result = await client.send(new sh.GetFindingsCommand({}));
  return result.Findings;
}

function write(relative, text) {
  const path = join(out, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log("wrote", relative);
}

const extra = join(out, "api/extra-findings.jsonl");  // hand-written camelCase, see README
for (const [name, path] of [...kCorpusFiles.map((f) => [f, join(corpus, f)]),
                            ["extra-findings.jsonl", extra]]) {
  const findings = readFindings(readFileSync(path, "utf8"));
  const base = name.replace(/\.jsonl$/, "").replace(/\//g, "--");
  write(`cli/${base}.json`, cliText(await toSdkShape(findings)));
  write(`asff/${base}.json`, JSON.stringify({ Findings: await toSecurityHubShape(findings) }, null, 4) + "\n");
}
write("member-names.json", JSON.stringify({
  sdk: `@aws-sdk/client-guardduty ${require("@aws-sdk/client-guardduty/package.json").version}`,
  members: memberTable(),
}, null, 2) + "\n");
