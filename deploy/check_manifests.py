#!/usr/bin/env python3
"""Check the deployment files under deploy/ without a cluster, Prometheus or Grafana.

Usage (from anywhere; the repository root is found from this file's path):
    python3 deploy/check_manifests.py [--binary PATH-TO-grafana-jit]

What it checks:
* every *.yaml/*.yml under deploy/ parses (all documents; duplicate keys are errors);
* Kubernetes manifests (deploy/kubernetes/): apiVersion, kind and metadata.name on every object, and the fields
  each kind needs: a Deployment's selector, its template's containers (name and image) and matching labels,
  replicas 1, strategy Recreate, /healthz and /readyz probes on a declared port, a non-root, read-only,
  unprivileged security context for the pod and every container, mounts of declared volumes; a Service's ports
  (and a selector that matches the Deployment); a NetworkPolicy's pod selector and ingress rules with sources and
  ports; a PersistentVolumeClaim's accessModes and requested storage;
  files a kustomization lists exist; YAML files embedded in ConfigMaps parse;
* the Prometheus rule file (not its promtool unit tests, *.test.yaml, which only need to parse): groups of rules with alert, expr, for, labels.severity, annotations (summary,
  description, runbook_url whose anchor is a heading of docs/operations.md);
* the Grafana dashboard: JSON, schemaVersion 39, the datasource/grafana/org variables, unique panel ids;
* every metric name in alert and dashboard expressions is one grafana-jit exports (or `up`), and the labels
  selected on it are ones it has;
* the systemd unit has [Unit], [Service] and [Install] and an ExecStart; the env example is KEY=VALUE lines;
* the Containerfile runs as a non-root user;
* with --binary: every flag the Deployment and the systemd unit pass to `grafana-jit run`, and every environment
  variable the ConfigMap, the Deployment and the env example set, is one `grafana-jit run --help` lists.

Prints `file: problem` lines and exits 1 when anything is wrong; otherwise prints a one-line summary and exits 0.
Needs: PyYAML (PyPI: pyyaml, Debian: python3-yaml), e.g. the .build-python/ virtualenv of .ci/ensure-deps --test.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

try:
    import yaml
except ImportError:
    sys.stderr.write("check_manifests.py: missing Python module yaml; pip install pyyaml "
                     "(or apt-get install python3-yaml, or use .build-python/bin/python)\n")
    sys.exit(2)

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
OPERATIONS = ROOT / "docs" / "operations.md"

# --------------------------------------------------------------------------
# The metrics grafana-jit exports, with their labels (target labels added by Prometheus are allowed everywhere).

TARGET_LABELS = {"job", "instance", "namespace", "pod", "service", "endpoint", "container"}
PER_TARGET = {"grafana", "org"}
COUNTERS_AND_GAUGES = {
    "controller_runtime_reconcile_total": {"controller", "result"},
    "controller_runtime_reconcile_errors_total": {"controller"},
    "workqueue_depth": {"name"},
    "workqueue_adds_total": {"name"},
    "workqueue_retries_total": {"name"},
    "grafana_jit_grafana_requests_total": {"method", "code"},
    "grafana_jit_grants": PER_TARGET | {"phase"},
    "grafana_jit_permission_changes_total": {"kind", "outcome"},
    "grafana_jit_overdue_revocations": PER_TARGET,
    "grafana_jit_ledger_entries": PER_TARGET,
    "grafana_jit_last_successful_pass_timestamp_seconds": PER_TARGET,
    "grafana_jit_grafana_up": PER_TARGET,
    "grafana_jit_inotify_overflows_total": set(),
    "grafana_jit_standing_access_entries": PER_TARGET | {"resource_kind", "resource"},
    "grafana_jit_notifications_total": {"event", "outcome"},
    "grafana_jit_build_info": {"version"},
    "up": set(),
}
HISTOGRAMS = {
    "controller_runtime_reconcile_time_seconds": {"controller"},
    "workqueue_queue_duration_seconds": {"name"},
    "workqueue_work_duration_seconds": {"name"},
    "grafana_jit_grafana_request_duration_seconds": {"method"},
    "grafana_jit_expiry_lateness_seconds": set(),
}


def known_metrics():
    metrics = dict(COUNTERS_AND_GAUGES)
    for name, labels in HISTOGRAMS.items():
        metrics[name + "_bucket"] = labels | {"le"}
        metrics[name + "_sum"] = labels
        metrics[name + "_count"] = labels
    return metrics


KNOWN = known_metrics()
ALERTS = {"GrafanaJITOverdueRevocations", "GrafanaJITPassFailing", "GrafanaJITGrafanaUnreachable",
          "GrafanaJITLedgerGrowing", "GrafanaJITRevocationFailing", "GrafanaJITDown"}

problems = []
# Pod template labels of every Deployment, and (where, selector) of every Service: matched at the end.
DEPLOYMENT_LABELS = []
SERVICES = []


# What the files hand to `grafana-jit run`: (where, "flag" or "variable", name), checked against its --help.
COMMAND_LINE = []


def record_flags(where, words):
    for word in words:
        if word.startswith("--"):
            COMMAND_LINE.append((where, "flag", word[2:].split("=", 1)[0]))


def record_variables(where, names):
    for name in names:
        COMMAND_LINE.append((where, "variable", name))


def check_command_line(binary):
    """Flags and variables the deployment files use must be ones `grafana-jit run --help` documents."""
    help_text = subprocess.run([binary, "run", "--help"], capture_output=True, text=True, check=True).stdout
    flags = set(re.findall(r"(?m)^\s+--([a-z][a-z0-9-]*)", help_text))
    variables = set(re.findall(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b", help_text))
    for where, kind, name in COMMAND_LINE:
        if kind == "flag" and name not in flags:
            problem(where, "grafana-jit run has no option --%s" % name)
        elif kind == "variable" and name not in variables:
            problem(where, "grafana-jit run reads no environment variable %s" % name)
    return len(COMMAND_LINE)


def problem(path, message):
    problems.append("%s: %s" % (path.relative_to(ROOT) if isinstance(path, Path) else path, message))


# --------------------------------------------------------------------------
# YAML with duplicate keys rejected


class StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, "found duplicate key %r" % (key,),
                    key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(path, text=None):
    """The non-empty documents of a file, or None after reporting why it does not parse."""
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
        return [doc for doc in yaml.load_all(text, Loader=StrictLoader) if doc is not None]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problem(path, "does not parse: %s" % " ".join(str(error).split()))
        return None


def dig(value, *keys):
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            return None
    return value


# --------------------------------------------------------------------------
# PromQL: metric names and the labels selected on them

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset", "inf", "nan", "atan2"}
GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)")
IDENTIFIER = re.compile(r"(?<![\w.:$])([A-Za-z_:][\w:]*)")
SELECTOR = re.compile(r"([A-Za-z_:][\w:]*)\s*\{([^{}]*)\}")
MATCHER = re.compile(r"\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*\"(?:[^\"\\]|\\.)*\"\s*,?")


def check_balanced(where, expr):
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    in_string = False
    escaped = False
    for char in expr:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "([{":
            stack.append(char)
        elif char in ")]}":
            if not stack or stack.pop() != pairs[char]:
                problem(where, "unbalanced %r in expression %r" % (char, expr))
                return False
    if stack or in_string:
        problem(where, "unclosed %s in expression %r" % ("string" if in_string else stack[-1], expr))
        return False
    return True


def check_expression(where, expr):
    """Reports unknown metric names and labels; returns the metric names used."""
    if not check_balanced(where, expr):
        return set()
    expr = expr.strip()
    variable = re.fullmatch(r"label_values\((.*),\s*([A-Za-z_]\w*)\s*\)", expr, re.S)
    if variable:
        expr = variable.group(1)
    used = set()
    for name, body in SELECTOR.findall(expr):
        body = body.strip()
        position = 0
        while position < len(body):
            match = MATCHER.match(body, position)
            if not match:
                problem(where, "cannot read label matchers {%s}" % body)
                break
            label = match.group(1)
            if name in KNOWN and label not in KNOWN[name] | TARGET_LABELS:
                problem(where, "metric %s has no label %r" % (name, label))
            position = match.end()
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    stripped = re.sub(r"\{[^{}]*\}", " ", stripped)
    stripped = re.sub(r"\[[^\[\]]*\]", " ", stripped)
    stripped = GROUPING.sub(" ", stripped)
    for match in IDENTIFIER.finditer(stripped):
        name = match.group(1)
        rest = stripped[match.end():].lstrip()
        if rest.startswith("(") or name.lower() in KEYWORDS:
            continue  # a function call or an operator
        used.add(name)
        if name not in KNOWN:
            problem(where, "unknown metric %r (not exported by grafana-jit)" % name)
    return used


# --------------------------------------------------------------------------
# Kubernetes


def check_object(path, obj, index):
    where = "%s (document %d)" % (path.relative_to(ROOT), index + 1)
    if not isinstance(obj, dict):
        problem(where, "not a mapping")
        return None
    for field in ("apiVersion", "kind"):
        if not isinstance(obj.get(field), str) or not obj.get(field):
            problem(where, "missing %s" % field)
    name = dig(obj, "metadata", "name")
    if not isinstance(name, str) or not name:
        problem(where, "missing metadata.name")
    kind = obj.get("kind")
    where = "%s (%s %s)" % (path.relative_to(ROOT), kind, name)
    checker = {"Deployment": check_deployment, "Service": check_service,
               "PersistentVolumeClaim": check_pvc, "ConfigMap": check_configmap,
               "Secret": check_secret, "ServiceMonitor": check_servicemonitor,
               "NetworkPolicy": check_networkpolicy}.get(kind)
    if checker:
        checker(where, obj)
    return obj


def check_security(where, context, pod_context, container):
    def setting(key):
        value = (context or {}).get(key)
        return value if value is not None else (pod_context or {}).get(key)

    if setting("runAsNonRoot") is not True:
        problem(where, "container %s: runAsNonRoot is not true" % container)
    if setting("runAsUser") in (None, 0):
        problem(where, "container %s: runAsUser must be a non-zero uid" % container)
    if (context or {}).get("readOnlyRootFilesystem") is not True:
        problem(where, "container %s: readOnlyRootFilesystem is not true" % container)
    if (context or {}).get("allowPrivilegeEscalation") is not False:
        problem(where, "container %s: allowPrivilegeEscalation is not false" % container)
    if "ALL" not in (dig(context, "capabilities", "drop") or []):
        problem(where, "container %s: capabilities.drop does not hold ALL" % container)
    seccomp = dig(context, "seccompProfile", "type") or dig(pod_context, "seccompProfile", "type")
    if seccomp != "RuntimeDefault":
        problem(where, "container %s: seccompProfile is not RuntimeDefault" % container)


def check_probe(where, container, probe_name, path):
    probe = container.get(probe_name)
    if not isinstance(probe, dict) or dig(probe, "httpGet", "path") != path:
        problem(where, "container %s: %s must be an httpGet on %s" % (container.get("name"), probe_name, path))
        return
    port = dig(probe, "httpGet", "port")
    ports = container.get("ports") or []
    if port not in [p.get("name") for p in ports] + [p.get("containerPort") for p in ports]:
        problem(where, "container %s: %s port %r is not a declared port" % (container.get("name"), probe_name, port))


def check_deployment(where, obj):
    spec = obj.get("spec") or {}
    selector = dig(spec, "selector", "matchLabels")
    if not isinstance(selector, dict) or not selector:
        problem(where, "missing spec.selector.matchLabels")
        selector = {}
    labels = dig(spec, "template", "metadata", "labels") or {}
    for key, value in selector.items():
        if labels.get(key) != value:
            problem(where, "template label %s=%s does not match the selector" % (key, value))
    DEPLOYMENT_LABELS.append(labels)
    if spec.get("replicas") != 1:
        problem(where, "replicas must be 1 (one controller per state folder)")
    if dig(spec, "strategy", "type") != "Recreate":
        problem(where, "strategy.type must be Recreate (the state folder's lock and volume)")
    pod = dig(spec, "template", "spec") or {}
    containers = pod.get("containers")
    if not isinstance(containers, list) or not containers:
        problem(where, "missing spec.template.spec.containers")
        return
    pod_context = pod.get("securityContext") or {}
    if pod_context.get("runAsNonRoot") is not True:
        problem(where, "pod securityContext.runAsNonRoot is not true")
    if dig(pod_context, "seccompProfile", "type") != "RuntimeDefault":
        problem(where, "pod securityContext.seccompProfile is not RuntimeDefault")
    volumes = {v.get("name") for v in pod.get("volumes") or []}
    names = []
    for container in containers:
        name = container.get("name")
        names.append(name)
        if not name or not container.get("image"):
            problem(where, "every container needs a name and an image")
        check_security(where, container.get("securityContext"), pod_context, name)
        resources = container.get("resources") or {}
        if not resources.get("requests") or not resources.get("limits"):
            problem(where, "container %s: resources.requests and resources.limits are required" % name)
        for mount in container.get("volumeMounts") or []:
            if mount.get("name") not in volumes:
                problem(where, "container %s: mounts undeclared volume %r" % (name, mount.get("name")))
    if "grafana-jit" not in names:
        problem(where, "no container named grafana-jit")
        return
    controller = containers[names.index("grafana-jit")]
    check_probe(where, controller, "livenessProbe", "/healthz")
    check_probe(where, controller, "readinessProbe", "/readyz")
    args = [str(a) for a in controller.get("args") or []]
    record_flags(where, args)
    record_variables(where, [variable.get("name") for variable in controller.get("env") or []])
    if not args or args[0] != "run":
        problem(where, "container grafana-jit: args must start with run")
    for flag in ("--grants", "--policies", "--state", "--listen"):
        if not any(a == flag or a.startswith(flag + "=") for a in args):
            problem(where, "container grafana-jit: %s is not given" % flag)
    if "/tmp" not in [m.get("mountPath") for m in controller.get("volumeMounts") or []]:
        problem(where, "container grafana-jit: /tmp must be a writable volume (read-only root)")


def check_service(where, obj):
    ports = dig(obj, "spec", "ports")
    if not isinstance(ports, list) or not ports or not all(isinstance(p, dict) and p.get("port") for p in ports):
        problem(where, "spec.ports must list ports with a port number")
    SERVICES.append((where, dig(obj, "spec", "selector") or {}))


def check_pvc(where, obj):
    if not dig(obj, "spec", "accessModes"):
        problem(where, "missing spec.accessModes")
    if not dig(obj, "spec", "resources", "requests", "storage"):
        problem(where, "missing spec.resources.requests.storage")


def check_configmap(where, obj):
    record_variables(where, [key for key in obj.get("data") or {} if re.fullmatch(r"[A-Z][A-Z0-9_]*", key)])
    for key, value in (obj.get("data") or {}).items():
        if not isinstance(value, str):
            problem(where, "data.%s is not a string" % key)
        elif key.endswith((".yaml", ".yml")):
            try:
                list(yaml.load_all(value, Loader=StrictLoader))
            except yaml.YAMLError as error:
                problem(where, "data.%s does not parse: %s" % (key, " ".join(str(error).split())))


def check_secret(where, obj):
    if not obj.get("data") and not obj.get("stringData"):
        problem(where, "a Secret needs data or stringData")


def check_servicemonitor(where, obj):
    if not dig(obj, "spec", "selector") or not dig(obj, "spec", "endpoints"):
        problem(where, "a ServiceMonitor needs spec.selector and spec.endpoints")


def check_networkpolicy(where, obj):
    spec = obj.get("spec") or {}
    if not isinstance(spec.get("podSelector"), dict) or "Ingress" not in (spec.get("policyTypes") or []):
        problem(where, "a NetworkPolicy needs spec.podSelector and Ingress in spec.policyTypes")
    for rule in spec.get("ingress") or []:
        if not rule.get("from") or not rule.get("ports"):
            problem(where, "each ingress rule names its sources (from) and ports, so nothing else is let in")


def check_kustomization(path, doc):
    entries = doc.get("resources") if isinstance(doc, dict) else None
    if not entries:
        problem(path, "lists no resources")
    for entry in entries or []:
        if "://" in entry:
            continue
        target = (path.parent / entry).resolve()
        if not target.exists():
            problem(path, "lists %s, which does not exist" % entry)
        elif (path.parent / "optional").resolve() in [target, *target.parents]:
            problem(path, "lists %s; files under optional/ are applied on their own" % entry)


# --------------------------------------------------------------------------
# Prometheus rules


def github_anchors(markdown):
    anchors = set()
    for line in markdown.splitlines():
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            text = re.sub(r"[`*_\[\]()]", "", heading.group(1)).strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return anchors


def check_rules(path, docs):
    anchors = github_anchors(OPERATIONS.read_text(encoding="utf-8")) if OPERATIONS.exists() else None
    if anchors is None:
        problem(OPERATIONS, "missing (the alerts' runbook)")
    seen = set()
    count = 0
    for doc in docs:
        groups = doc.get("groups") if isinstance(doc, dict) else None
        if not isinstance(groups, list) or not groups:
            problem(path, "expected a non-empty list of groups")
            continue
        for group in groups:
            if not group.get("name") or not isinstance(group.get("rules"), list) or not group["rules"]:
                problem(path, "every group needs a name and rules")
                continue
            for rule in group["rules"]:
                name = rule.get("alert") or rule.get("record")
                where = "%s (%s)" % (path.relative_to(ROOT), name)
                if "record" in rule:
                    check_expression(where, str(rule.get("expr", "")))
                    continue
                count += 1
                seen.add(name)
                for field in ("alert", "expr", "for"):
                    if not rule.get(field):
                        problem(where, "missing %s" % field)
                if not re.fullmatch(r"(\d+[smhdwy])+", str(rule.get("for", ""))):
                    problem(where, "for: %r is not a duration" % rule.get("for"))
                if dig(rule, "labels", "severity") not in ("critical", "warning", "info"):
                    problem(where, "labels.severity must be critical, warning or info")
                annotations = rule.get("annotations") or {}
                for field in ("summary", "description", "runbook_url"):
                    if not annotations.get(field):
                        problem(where, "missing annotations.%s" % field)
                url = annotations.get("runbook_url") or ""
                anchor = url.rpartition("#")[2] if "#" in url else ""
                if "docs/operations.md#" not in url:
                    problem(where, "runbook_url must point at a section of docs/operations.md")
                elif anchors is not None and anchor not in anchors:
                    problem(where, "runbook_url anchor #%s is not a heading of docs/operations.md" % anchor)
                if name and anchor and anchor != name.lower():
                    problem(where, "runbook_url anchor #%s does not match the alert's name" % anchor)
                check_expression(where, str(rule.get("expr", "")))
    for missing in sorted(ALERTS - seen):
        problem(path, "alert %s is missing" % missing)
    return count


# --------------------------------------------------------------------------
# Grafana dashboard


def check_dashboard(path):
    try:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        problem(path, "not JSON: %s" % error)
        return 0
    if dashboard.get("schemaVersion") != 39:
        problem(path, "schemaVersion must be 39")
    if not dashboard.get("title") or not dashboard.get("uid"):
        problem(path, "needs a title and a uid")
    variables = {v.get("name"): v for v in dig(dashboard, "templating", "list") or []}
    source = variables.get("datasource") or {}
    if source.get("type") != "datasource" or source.get("query") != "prometheus":
        problem(path, "needs a `datasource` variable of type datasource for prometheus")
    for name in ("grafana", "org"):
        variable = variables.get(name)
        if not variable:
            problem(path, "needs a `%s` template variable" % name)
            continue
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        check_expression("%s (variable %s)" % (path.relative_to(ROOT), name), str(query or ""))
    ids = set()
    count = 0
    panels = list(dashboard.get("panels") or [])
    for panel in panels:
        panels.extend(panel.get("panels") or [])
        where = "%s (panel %r)" % (path.relative_to(ROOT), panel.get("title"))
        if panel.get("id") in ids:
            problem(where, "duplicate panel id %s" % panel.get("id"))
        ids.add(panel.get("id"))
        if not panel.get("gridPos"):
            problem(where, "missing gridPos")
        if panel.get("type") == "row":
            continue
        count += 1
        if dig(panel, "datasource", "uid") != "${datasource}":
            problem(where, "datasource must be ${datasource}")
        targets = panel.get("targets") or []
        if not targets:
            problem(where, "has no queries")
        for target in targets:
            if not target.get("expr"):
                problem(where, "a query without expr")
            else:
                check_expression(where, target["expr"])
    return count


# --------------------------------------------------------------------------
# systemd, env file, Containerfile


def check_unit(path):
    sections = {}
    current = None
    continued = False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if continued:
            continued = line.endswith("\\")
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                problem(path, "line %d: bad section header" % number)
            current = line[1:-1]
            sections.setdefault(current, {})
            continue
        key, equals, value = line.partition("=")
        if not equals or current is None or not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", key.strip()):
            problem(path, "line %d: expected Key=value inside a section" % number)
            continue
        sections[current].setdefault(key.strip(), []).append(value.strip())
        continued = line.endswith("\\")
    for section in ("Unit", "Service", "Install"):
        if section not in sections:
            problem(path, "missing [%s]" % section)
    service = sections.get("Service", {})
    if not service.get("ExecStart"):
        problem(path, "missing ExecStart in [Service]")
    for command in service.get("ExecStart", []):
        record_flags(path.relative_to(ROOT), command.split())
    expected = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "CapabilityBoundingSet": "",
                "StateDirectory": "grafana-jit", "KillSignal": "SIGTERM", "Restart": "on-failure"}
    for key, value in expected.items():
        if value not in service.get(key, []):
            problem(path, "[Service] %s=%s is expected" % (key, value))
    if not any(v.startswith("grafana-token:") for v in service.get("LoadCredential", [])):
        problem(path, "[Service] LoadCredential=grafana-token:... is expected")


def check_env_file(path):
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#") and not re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S.*", line):
            problem(path, "line %d: expected KEY=value" % number)
        elif line and not line.startswith("#"):
            record_variables("%s line %d" % (path.relative_to(ROOT), number), [line.split("=", 1)[0]])


def check_containerfile(path):
    text = path.read_text(encoding="utf-8")
    if len(re.findall(r"(?m)^FROM\s", text)) < 2:
        problem(path, "expected a multi-stage build")
    users = re.findall(r"(?m)^USER\s+(\S+)", text)
    if not users or users[-1].split(":")[0] in ("0", "root"):
        problem(path, "the final stage must run as a non-root USER")
    if not re.search(r"(?m)^ENTRYPOINT\s+\[\"grafana-jit\"\]", text):
        problem(path, 'ENTRYPOINT ["grafana-jit"] is expected')


# --------------------------------------------------------------------------


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv[:-1] else None
    files = objects = alerts = panels = 0
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file()):
        relative = path.relative_to(DEPLOY)
        if path.suffix in (".yaml", ".yml"):
            files += 1
            docs = load_yaml(path)
            if docs is None:
                continue
            if relative.parts[0] == "kubernetes":
                if path.name == "kustomization.yaml":
                    check_kustomization(path, docs[0] if docs else {})
                    continue
                for index, doc in enumerate(docs):
                    objects += check_object(path, doc, index) is not None
            elif relative.parts[0] == "prometheus" and not path.name.endswith(".test.yaml"):
                # *.test.yaml are promtool's rule unit tests: they only need to parse here.
                alerts += check_rules(path, docs)
        elif path.suffix == ".json":
            files += 1
            panels += check_dashboard(path)
        elif path.suffix == ".service":
            files += 1
            check_unit(path)
        elif path.name.endswith(".env.example"):
            files += 1
            check_env_file(path)
        elif path.name == "Containerfile":
            files += 1
            check_containerfile(path)
    for where, selector in SERVICES:
        if selector and not any(all(labels.get(k) == v for k, v in selector.items()) for labels in DEPLOYMENT_LABELS):
            problem(where, "selector %s matches no Deployment's pods" % selector)
    used = check_command_line(binary) if binary else 0
    if problems:
        for line in problems:
            print(line)
        return 1
    checked = ", %d flags and variables known to grafana-jit run" % used if binary else ""
    print("deploy/: %d files, %d Kubernetes objects, %d alerts, %d dashboard panels, %d known metrics%s: ok"
          % (files, objects, alerts, panels, len(KNOWN), checked))
    return 0


if __name__ == "__main__":
    sys.exit(main())
