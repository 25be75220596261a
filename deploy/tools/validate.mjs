// Validates rendered manifests (multi-document YAML, from a file or stdin) against the schemas of
// the Kubernetes API (kubernetes-models) and of the CRDs this deployment uses (KEDA, Prometheus
// Operator): types, enums and required fields. Prints one line per problem and exits 1 if any.
//   node deploy/tools/validate.mjs rendered.yaml
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// apiVersion group -> package that ships its models; the core group has no prefix.
const PACKAGES = {
  "": "kubernetes-models",
  apps: "kubernetes-models",
  policy: "kubernetes-models",
  "keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

async function modelClass(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = PACKAGES[group];
  if (pkg === undefined) {
    throw new Error(`no schema package for apiVersion ${apiVersion}`);
  }
  const path = group === "" ? `${pkg}/${version}/${kind}` : `${pkg}/${group}/${version}/${kind}`;
  const module = await import(`${path}.js`).catch(() => import(path));
  if (typeof module[kind] !== "function") {
    throw new Error(`${path} has no model ${kind}`);
  }
  return module[kind];
}

const text = readFileSync(process.argv[2] ?? 0, "utf8");
const problems = [];
let checked = 0;
for (const doc of parseAllDocuments(text)) {
  if (doc.errors.length > 0) {
    problems.push(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    continue;
  }
  const object = doc.toJS();
  if (object === null) {
    continue;
  }
  const name = `${object.kind}/${object.metadata?.name}`;
  try {
    const Model = await modelClass(String(object.apiVersion), String(object.kind));
    new Model(object).validate();
    checked++;
  } catch (e) {
    const details = e.errors ? e.errors.map((x) => `${x.instancePath} ${x.message}`).join("; ") : "";
    problems.push(`${name}: ${e.message}${details ? ` (${details})` : ""}`);
  }
}
for (const p of problems) {
  console.log(`INVALID ${p}`);
}
console.log(`validated ${checked} objects, ${problems.length} invalid`);
process.exit(problems.length > 0 || checked === 0 ? 1 : 0);
