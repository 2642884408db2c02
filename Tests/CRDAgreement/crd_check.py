#!/usr/bin/env python3
"""Check grafana-jit resource files against the CustomResourceDefinitions.

Usage:
    crd_check.py CRD_DIR FILE...     validate resource files, print a JSON verdict
    crd_check.py --lint-crds CRD_DIR check that the CRDs are ones a Kubernetes
                                     API server accepts (structural schema rules)

Validation prints one JSON object on stdout, {"FILE": ["error", ...], ...}, with
an empty list for every accepted file, and exits 0 whatever the verdicts. Each
error reads "LINE:COLUMN PATH: message" (1-based, like `# expect:` lines in
examples/invalid/), or "LINE:COLUMN yaml: message" for a file that does not parse.

The check behaves as the Kubernetes API server with strict field validation
(`kubectl apply --validate=strict`), so that it can tell whether grafana-jit's
own validator and the CRD schemas agree:

* YAML follows the YAML 1.2 core schema, as grafana-jit does: true/false are
  booleans, plain integers are ints, null/~ is null, and timestamps stay
  strings (as in Kubernetes' YAML-to-JSON step). Merge keys (`<<`) are not
  special. A duplicate key in a mapping makes the file fail to parse.
* A file may hold several documents; empty ones are skipped. A `kind: List`
  (apiVersion v1) is expanded into its items.
* A document is validated against the openAPIV3Schema of the CRD whose
  spec.names.kind is its kind, for the served version named in apiVersion.
  No such CRD or version, or a file that fails to parse, means rejected.
* A structural schema cannot say `additionalProperties: false` beside
  `properties`; the API server prunes unknown fields and strict field
  validation reports them. This check does the same by treating every object
  schema that has `properties` as closed.
* metadata is Kubernetes' ObjectMeta, which a CRD may only constrain by
  `name`. The check uses the CRD's schema for `name` (required) and admits the
  other ObjectMeta fields grafana-jit accepts: `namespace` (a DNS-1123 label)
  and `labels` / `annotations` (string maps).
* `x-kubernetes-validations` (CEL) rules are not evaluated.

Needs: jsonschema and PyYAML (PyPI, or Debian's python3-jsonschema python3-yaml)
"""

import copy
import json
import os
import re
import sys

USAGE = "usage: crd_check.py CRD_DIR FILE...\n       crd_check.py --lint-crds CRD_DIR"
INSTALL = "pip install jsonschema pyyaml (or apt-get install python3-jsonschema python3-yaml)"


def _require_modules():
    missing = []
    try:
        import yaml  # noqa: F401
    except ImportError:
        missing.append("yaml (PyPI: pyyaml)")
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        missing.append("jsonschema (PyPI: jsonschema)")
    if missing:
        sys.stderr.write(
            "crd_check.py: missing Python module(s): %s\ninstall them with: %s\n"
            % (", ".join(missing), INSTALL)
        )
        sys.exit(2)


_require_modules()

import yaml  # noqa: E402
from jsonschema import Draft7Validator, FormatChecker, validators  # noqa: E402
from jsonschema.exceptions import SchemaError, ValidationError  # noqa: E402

import datetime  # noqa: E402

# `format: date-time` checked here rather than through the optional rfc3339-validator module, which jsonschema
# otherwise needs (without it, the format is silently not checked) and which Debian does not package.
RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
DATE_TIME = FormatChecker(formats=())


@DATE_TIME.checks("date-time")
def is_date_time(value):
    if not isinstance(value, str):
        return True
    match = RFC3339.match(value)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    offset = match.group(8)
    return offset in ("Z", "z") or (int(offset[1:3]) < 24 and int(offset[4:6]) < 60)


# --------------------------------------------------------------------------
# YAML: 1.2 core schema, no timestamps, no merge keys, duplicate keys rejected

class Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit resolvers only."""

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, "expected a mapping node, but found %s" % node.id, node.start_mark)
        mapping = {}
        for key_node, value_node in node.value:
            key = _key_string(self.construct_object(key_node, deep=True))
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "found duplicate key %r" % key, key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _key_string(key):
    # Kubernetes' YAML-to-JSON conversion turns scalar keys into strings.
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _construct_int(loader, node):
    value = loader.construct_scalar(node)
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value, 10)


def _construct_float(loader, node):
    value = loader.construct_scalar(node).lower()
    if value.endswith(".inf"):
        return float("-inf") if value.startswith("-") else float("inf")
    if value == ".nan":
        return float("nan")
    return float(value)


Loader.yaml_implicit_resolvers = {}  # drop YAML 1.1 resolvers (timestamp, yes/no, merge, ...)
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))
Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def load_documents(text):
    """Return [(node, data)] for the non-empty documents; raises yaml.YAMLError."""
    loader = Loader(text)
    docs = []
    try:
        while loader.check_node():
            node = loader.get_node()
            data = loader.construct_document(node)
            if data is None:
                continue
            docs.append((node, data))
    finally:
        loader.dispose()
    return docs


_KEY_LOADER = None


def _node_key(key_node):
    """The string key a key node stands for, as construct_mapping makes it."""
    global _KEY_LOADER
    if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str":
        return key_node.value
    if _KEY_LOADER is None:
        _KEY_LOADER = Loader("")
    return _key_string(_KEY_LOADER.construct_object(key_node, deep=True))


def node_marks(node, path=(), values=None, keys=None):
    """Map each path to the start mark of its value node (and of its key node)."""
    if values is None:
        values, keys = {}, {}
    if len(path) > 100:  # a recursive alias (&a [*a]); validation reports it
        return values, keys
    values[path] = node.start_mark
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = _node_key(key_node)
            keys[path + (key,)] = key_node.start_mark
            node_marks(value_node, path + (key,), values, keys)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            node_marks(item, path + (i,), values, keys)
    return values, keys


# --------------------------------------------------------------------------
# CRDs

DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}


def close_objects(schema):
    """Treat objects with `properties` as closed, as strict field validation does."""
    if not isinstance(schema, dict):
        return
    if ("properties" in schema and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")):
        schema["additionalProperties"] = False
    for sub in (schema.get("properties") or {}).values():
        close_objects(sub)
    if isinstance(schema.get("items"), dict):
        close_objects(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        close_objects(schema["additionalProperties"])


def validation_schema(openapi_schema):
    schema = copy.deepcopy(openapi_schema)
    props = schema.setdefault("properties", {})
    name = ((props.get("metadata") or {}).get("properties") or {}).get("name") or {"type": "string"}
    close_objects(schema)
    props["metadata"] = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": name,
            "namespace": {"type": "string", "maxLength": 63, "pattern": DNS1123_LABEL},
            "labels": STRING_MAP,
            "annotations": STRING_MAP,
        },
        "additionalProperties": False,
    }
    return schema


def _go_pattern(validator, pattern, instance, schema):
    """`pattern` as the API server (Go regexp) reads it: `$` is the end of the text,
    not also the place before a final newline as in Python."""
    if not validator.is_type(instance, "string"):
        return
    if re.search(re.sub(r"(?<!\\)\$$", r"\\Z", pattern), instance) is None:
        yield ValidationError("%r does not match %r" % (instance, pattern))


GoPatternValidator = validators.extend(Draft7Validator, {"pattern": _go_pattern})


def load_crds(crd_dir):
    """Return {kind: {"group": g, "versions": {v: validator}}}; exits 2 on errors."""
    if not os.path.isdir(crd_dir):
        fail_usage("CRD_DIR %r is not a directory" % crd_dir)
    crds = {}
    for fname in sorted(os.listdir(crd_dir)):
        if not fname.endswith((".yaml", ".yml")) or fname.startswith("."):
            continue
        path = os.path.join(crd_dir, fname)
        try:
            with open(path, encoding="utf-8") as f:
                docs = load_documents(f.read())
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            fail_usage("cannot load CRD file %s: %s" % (path, one_line(e)))
        for _, doc in docs:
            if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc.get("spec") or {}
            kind = (spec.get("names") or {}).get("kind")
            group = spec.get("group")
            versions = {}
            for v in spec.get("versions") or []:
                if not v.get("served"):
                    continue
                openapi = ((v.get("schema") or {}).get("openAPIV3Schema"))
                if not isinstance(openapi, dict):
                    fail_usage("%s: version %s has no openAPIV3Schema" % (path, v.get("name")))
                try:
                    Draft7Validator.check_schema(openapi)
                except SchemaError as e:
                    fail_usage("%s: openAPIV3Schema is not a valid JSON schema: %s" % (path, one_line(e.message)))
                versions[v.get("name")] = GoPatternValidator(
                    validation_schema(openapi), format_checker=DATE_TIME)
            if kind and group and versions:
                crds[kind] = {"group": group, "versions": versions, "file": path}
    if not crds:
        fail_usage("no CustomResourceDefinition found in %s" % crd_dir)
    return crds


# --------------------------------------------------------------------------
# Validation

def format_path(path):
    out = ""
    for p in path:
        if isinstance(p, int):
            out += "[%d]" % p
        elif re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", p):
            out += ("." if out else "") + p
        else:
            out += "[%s]" % json.dumps(p)
    return out or "(document)"


def short(value, limit=60):
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def only_required(schema):
    """The names of a schema that is exactly {required: [...]}, else None."""
    if isinstance(schema, dict) and set(schema) == {"required"}:
        return list(schema["required"])
    return None


# The grant schema's "a team can't join a team" rule, reported in plain words.
TEAM_JOINS_TEAM = {
    "required": ["subject", "access"],
    "properties": {
        "subject": {"required": ["team"]},
        "access": {"not": {"items": {"not": {"required": ["team"]}}}},
    },
}


def describe(err):
    """A short message for an error found under a junctor."""
    kw, val = err.validator, err.validator_value
    if kw == "not" and only_required(val):
        return "must not have %s" % " and ".join(only_required(val))
    if kw in ("anyOf", "oneOf"):
        return "does not match any allowed form"
    if kw == "enum":
        return "%s is not one of %s" % (short(err.instance), short(val))
    if kw == "minItems":
        return "needs at least %d item(s)" % val
    return err.message if len(err.message) <= 120 else err.message[:117] + "..."


class Reporter:
    def __init__(self, values, keys):
        self.values, self.keys, self.errors = values, keys, []

    def mark(self, path, key=False):
        table = self.keys if key else self.values
        m = table.get(tuple(path))
        if m is None and key:
            m = self.values.get(tuple(path))
        while m is None and path:
            path = path[:-1]
            m = self.values.get(tuple(path))
        return m

    def add(self, path, message, key=False, mark_path=None):
        m = self.mark(tuple(mark_path if mark_path is not None else path), key=key)
        where = "%d:%d " % (m.line + 1, m.column + 1) if m is not None else ""
        self.errors.append((m.line if m else -1, m.column if m else -1,
                            "%s%s: %s" % (where, format_path(path), message)))

    def in_file_order(self, path, names):
        present = [n for n in names if tuple(path) + (n,) in self.keys]
        return sorted(present, key=lambda n: (self.keys[tuple(path) + (n,)].line,
                                              self.keys[tuple(path) + (n,)].column))

    def schema_error(self, base, err):
        path = tuple(base) + tuple(err.absolute_path)
        inst, kw, val = err.instance, err.validator, err.validator_value
        if kw == "required":
            for name in val:
                if isinstance(inst, dict) and name not in inst:
                    self.add(path + (name,), "required field is missing", mark_path=path)
            return
        if kw == "additionalProperties" and isinstance(inst, dict):
            known = set((err.schema.get("properties") or {}))
            for name in inst:
                if name not in known:
                    self.add(path + (name,), "unknown field", key=True)
            return
        if kw in ("oneOf", "anyOf") and isinstance(inst, dict):
            branches = [only_required(s) for s in val]
            if all(b is not None and len(b) == 1 for b in branches):
                names = [b[0] for b in branches]
                present = self.in_file_order(path, names)
                if kw == "oneOf" and len(present) > 1:
                    self.add(path + (present[1],), "only one of %s may be given" % ", ".join(names), key=True)
                else:
                    self.add(path + (names[0],), "%s of %s is required"
                             % ("exactly one" if kw == "oneOf" else "at least one", ", ".join(names)),
                             mark_path=path)
                return
            if kw == "anyOf" and len(val) == 2 and branches[0] and len(branches[0]) == 1 \
                    and isinstance(val[1], dict) and set(val[1]) == {"not"} \
                    and only_required(val[1]["not"]) and isinstance(inst, dict):
                # anyOf: [{required: [X]}, {not: {required: [Y...]}}] means "X is required with Y"
                needed, given = branches[0][0], only_required(val[1]["not"])
                self.add(path + (needed,), "required field is missing (required with %s)"
                         % " and ".join(given), mark_path=path)
                return
            reasons = sorted({"%s%s" % (format_path(e.relative_path) + ": " if e.relative_path else "",
                                        describe(e)) for e in (err.context or [])})
            self.add(path, "matches none of the allowed forms (%s)" % "; ".join(reasons))
            return
        if kw == "not":
            names = only_required(val)
            if names and isinstance(inst, dict):
                present = self.in_file_order(path, names)
                last = present[-1] if present else names[-1]
                self.add(path + (last,), "%s may not be given together" % " and ".join(names), key=True)
                return
            if isinstance(val, dict) and set(val) == {"pattern"}:
                zero = " (a zero duration)" if val["pattern"] == "^[0dhms]+$" else ""
                self.add(path, "%s must not match %r%s" % (short(inst), val["pattern"], zero))
                return
            if isinstance(val, dict) and val == TEAM_JOINS_TEAM:
                present = self.in_file_order(path, ["access"])
                items = inst.get("access") if isinstance(inst, dict) else None
                for i, item in enumerate(items if isinstance(items, list) else []):
                    if isinstance(item, dict) and "team" in item:
                        self.add(path + ("access", i, "team"),
                                 "a team grantee (subject.team) cannot join a team", key=True)
                if items:
                    return
            present = self.in_file_order(path, val.get("required") or []) if isinstance(val, dict) else []
            if present:
                self.add(path + (present[-1],), "must not match %s" % short(val, 200), key=True)
            else:
                self.add(path, "must not match %s" % short(val, 200))
            return
        if kw in ("type", "enum", "pattern", "format", "minLength", "maxLength", "minItems",
                  "maxItems", "minimum", "maximum", "minProperties"):
            self.add(path, err.message)
            return
        self.add(path, "%s (%s)" % (err.message, kw))


def check_document(doc, base, crds, rep, in_list=False):
    if not isinstance(doc, dict):
        rep.add(base, "a resource must be a mapping, found %s" % short(doc))
        return
    kind, api_version = doc.get("kind"), doc.get("apiVersion")
    if kind == "List" and not in_list:
        if api_version != "v1":
            rep.add(tuple(base) + ("apiVersion",), "a List must have apiVersion v1")
        for name in doc:
            if name not in ("apiVersion", "kind", "metadata", "items"):
                rep.add(tuple(base) + (name,), "unknown field", key=True)
        items = doc.get("items")
        if not isinstance(items, list):
            rep.add(tuple(base) + ("items",), "a List needs an items list")
            return
        for i, item in enumerate(items):
            check_document(item, tuple(base) + ("items", i), crds, rep, in_list=True)
        return
    crd = crds.get(kind) if isinstance(kind, str) else None
    if crd is None:
        rep.add(tuple(base) + ("kind",), "no CustomResourceDefinition for kind %s" % short(kind))
        return
    group, _, version = (api_version or "").rpartition("/") if isinstance(api_version, str) else ("", "", "")
    validator = crd["versions"].get(version) if group == crd["group"] else None
    if validator is None:
        rep.add(tuple(base) + ("apiVersion",), "%s is served as %s, not %s" % (
            kind, " or ".join("%s/%s" % (crd["group"], v) for v in crd["versions"]), short(api_version)))
        return
    for err in validator.iter_errors(doc):
        rep.schema_error(base, err)


def check_file(path, crds):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        return ["cannot read file: %s" % one_line(e)]
    try:
        docs = load_documents(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = "%d:%d " % (mark.line + 1, mark.column + 1) if mark is not None else ""
        problem = getattr(e, "problem", None) or one_line(e)
        return ["%syaml: %s" % (where, problem)]
    errors = []
    for node, data in docs:
        values, keys = node_marks(node)
        rep = Reporter(values, keys)
        try:
            check_document(data, (), crds, rep)
        except RecursionError:
            rep.add((), "yaml: the document refers to itself through an alias")
        errors.extend(msg for _, _, msg in sorted(rep.errors, key=lambda e: (e[0], e[1])))
    return errors


# --------------------------------------------------------------------------
# --lint-crds: the API server's rules for CRD schemas (apiextensions.k8s.io/v1)

SCHEMA_KEYS = {
    "description", "type", "format", "title", "default", "maximum", "exclusiveMaximum",
    "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "multipleOf", "enum", "maxProperties", "minProperties", "required", "items",
    "allOf", "oneOf", "anyOf", "not", "properties", "additionalProperties", "externalDocs",
    "example", "nullable", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type",
    "x-kubernetes-map-type", "x-kubernetes-validations",
}
FORBIDDEN_IN_CRD = {"$ref", "$schema", "id", "definitions", "dependencies", "patternProperties",
                    "additionalItems", "const", "if", "then", "else", "contains", "propertyNames"}
FORBIDDEN_IN_JUNCTOR = {"type", "additionalProperties", "default", "description", "title", "nullable"}
JUNCTORS = ("allOf", "anyOf", "oneOf", "not")
GO_INCOMPATIBLE_RE = re.compile(r"\(\?[=!<]|\\[1-9]|\(\?P=")


def lint_schema(s, path, problems, root=False):
    """Structural-schema rules for the structural part of a schema."""
    if not isinstance(s, dict):
        problems.append("%s: must be a schema object" % path)
        return
    lint_common(s, path, problems)
    t = s.get("type")
    if not t and not s.get("x-kubernetes-preserve-unknown-fields") and not s.get("x-kubernetes-int-or-string"):
        problems.append("%s.type: must not be empty" % path)
    if t == "array" and "items" not in s:
        problems.append("%s.items: must be specified for type array" % path)
    if "items" in s and t != "array":
        problems.append("%s: has items but type is %r" % (path, t))
    if "properties" in s and t != "object":
        problems.append("%s: has properties but type is %r" % (path, t))
    if "additionalProperties" in s:
        if root:
            problems.append("%s.additionalProperties: must not be used at the root" % path)
        if "properties" in s:
            problems.append("%s: additionalProperties and properties are mutual exclusive" % path)
        if s["additionalProperties"] is False:
            problems.append("%s.additionalProperties: false is not allowed (unknown fields are pruned)" % path)
    if s.get("uniqueItems") is True:
        problems.append("%s.uniqueItems: cannot be true" % path)
    for name, sub in (s.get("properties") or {}).items():
        lint_schema(sub, "%s.properties[%s]" % (path, name), problems)
    if isinstance(s.get("items"), dict):
        lint_schema(s["items"], path + ".items", problems)
    elif "items" in s:
        problems.append("%s.items: must be a single schema" % path)
    if isinstance(s.get("additionalProperties"), dict):
        lint_schema(s["additionalProperties"], path + ".additionalProperties", problems)
    for j in JUNCTORS:
        for i, sub in junctor_list(s, j):
            lint_nested(sub, "%s.%s%s" % (path, j, "" if i is None else "[%d]" % i), s, problems)
    for i, rule in enumerate(s.get("x-kubernetes-validations") or []):
        if not isinstance(rule, dict) or not str(rule.get("rule", "")).strip():
            problems.append("%s.x-kubernetes-validations[%d]: rule is required" % (path, i))
        elif "\n" in str(rule.get("message", "")):
            problems.append("%s.x-kubernetes-validations[%d]: message must not contain line breaks" % (path, i))
    if root:
        meta = (s.get("properties") or {}).get("metadata")
        if meta is not None:
            rest = {k: v for k, v in meta.items() if k not in ("type", "properties")}
            extra = set(meta.get("properties") or {}) - {"name", "generateName"}
            if meta.get("type") != "object" or rest or extra:
                problems.append("%s.properties[metadata]: must not specify anything other than name "
                                "and generateName" % path)
        for name in ("apiVersion", "kind"):
            sub = (s.get("properties") or {}).get(name)
            if sub is not None and sub.get("type") != "string":
                problems.append("%s.properties[%s].type: must be string" % (path, name))


def junctor_list(s, j):
    if j not in s:
        return []
    if j == "not":
        return [(None, s[j])]
    if not isinstance(s[j], list) or not s[j]:
        return [(None, None)]
    return list(enumerate(s[j]))


def lint_nested(v, path, outer, problems):
    """Value validation under a junctor: no generic fields, nothing undeclared outside."""
    if not isinstance(v, dict):
        problems.append("%s: must be a schema object" % path)
        return
    lint_common(v, path, problems)
    for k in v:
        if k in FORBIDDEN_IN_JUNCTOR or k.startswith("x-kubernetes-"):
            problems.append("%s.%s: must be undefined to be structural" % (path, k))
    for name, sub in (v.get("properties") or {}).items():
        if name == "metadata":
            problems.append("%s.properties[metadata]: must not be specified in a nested context" % path)
        decl = (outer.get("properties") or {}).get(name) if isinstance(outer, dict) else None
        if decl is None:
            problems.append("%s.properties[%s]: must be declared outside the junctor too" % (path, name))
        lint_nested(sub, "%s.properties[%s]" % (path, name), decl or {}, problems)
    if "items" in v:
        decl = outer.get("items") if isinstance(outer, dict) else None
        if not isinstance(decl, dict):
            problems.append("%s.items: must be declared outside the junctor too" % path)
        lint_nested(v["items"], path + ".items", decl or {}, problems)
    for j in JUNCTORS:
        for i, sub in junctor_list(v, j):
            lint_nested(sub, "%s.%s%s" % (path, j, "" if i is None else "[%d]" % i), outer, problems)


def lint_common(s, path, problems):
    for k in s:
        if k in FORBIDDEN_IN_CRD:
            problems.append("%s.%s: not supported in a CRD schema" % (path, k))
        elif k not in SCHEMA_KEYS:
            problems.append("%s.%s: unknown field in a CRD schema" % (path, k))
    if "pattern" in s:
        try:
            re.compile(s["pattern"])
        except re.error as e:
            problems.append("%s.pattern: does not compile: %s" % (path, e))
        if GO_INCOMPATIBLE_RE.search(s["pattern"]):
            problems.append("%s.pattern: uses syntax Go's RE2 lacks" % path)
    if s.get("x-kubernetes-preserve-unknown-fields") is False:
        problems.append("%s.x-kubernetes-preserve-unknown-fields: must be true or undefined" % path)


PRINTER_TYPES = {"integer", "number", "string", "boolean", "date"}


def lint_crd(doc, problems):
    if doc.get("apiVersion") != "apiextensions.k8s.io/v1":
        problems.append("apiVersion must be apiextensions.k8s.io/v1")
    spec = doc.get("spec") or {}
    names = spec.get("names") or {}
    group, plural = spec.get("group"), names.get("plural")
    if (doc.get("metadata") or {}).get("name") != "%s.%s" % (plural, group):
        problems.append("metadata.name must be <plural>.<group>")
    for field in ("kind", "plural", "singular", "listKind"):
        if not names.get(field):
            problems.append("spec.names.%s is missing" % field)
    for field in ("plural", "singular"):
        if names.get(field) and names[field] != names[field].lower():
            problems.append("spec.names.%s must be lowercase" % field)
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        problems.append("spec.scope must be Namespaced or Cluster")
    versions = spec.get("versions") or []
    if sum(1 for v in versions if v.get("storage")) != 1:
        problems.append("exactly one version must be the storage version")
    for v in versions:
        vp = "spec.versions[%s]" % v.get("name")
        schema = (v.get("schema") or {}).get("openAPIV3Schema")
        if not isinstance(schema, dict):
            problems.append("%s.schema.openAPIV3Schema is missing" % vp)
            continue
        try:
            Draft7Validator.check_schema(schema)
        except SchemaError as e:
            problems.append("%s: Draft7Validator.check_schema: %s" % (vp, one_line(e.message)))
        if schema.get("type") != "object":
            problems.append("%s.schema.openAPIV3Schema.type must be object" % vp)
        lint_schema(schema, vp + ".schema.openAPIV3Schema", problems, root=True)
        for c in v.get("additionalPrinterColumns") or []:
            if c.get("type") not in PRINTER_TYPES:
                problems.append("%s: printer column %r has type %r" % (vp, c.get("name"), c.get("type")))
            if not str(c.get("jsonPath", "")).startswith("."):
                problems.append("%s: printer column %r needs a jsonPath starting with ." % (vp, c.get("name")))


def lint_crds(crd_dir):
    if not os.path.isdir(crd_dir):
        fail_usage("CRD_DIR %r is not a directory" % crd_dir)
    result = {}
    for fname in sorted(os.listdir(crd_dir)):
        if not fname.endswith((".yaml", ".yml")) or fname.startswith("."):
            continue
        path = os.path.join(crd_dir, fname)
        problems = []
        try:
            with open(path, encoding="utf-8") as f:
                docs = load_documents(f.read())
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            docs = []
            problems.append("cannot load: %s" % one_line(e))
        crds = [d for _, d in docs if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition"]
        if not crds and not problems:
            problems.append("no CustomResourceDefinition in file")
        for doc in crds:
            lint_crd(doc, problems)
        result[path] = problems
    return result


# --------------------------------------------------------------------------

def one_line(e):
    return " ".join(str(e).split())


def fail_usage(message):
    sys.stderr.write("crd_check.py: %s\n%s\n" % (message, USAGE))
    sys.exit(2)


def main(argv):
    if len(argv) >= 1 and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(argv) == 2 and argv[0] == "--lint-crds":
        print(json.dumps(lint_crds(argv[1]), indent=2))
        return 0
    if len(argv) < 2 or argv[0].startswith("-"):
        fail_usage("expected a CRD directory and at least one file")
    crds = load_crds(argv[0])
    result = {}
    for path in argv[1:]:
        result[path] = check_file(path, crds)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
