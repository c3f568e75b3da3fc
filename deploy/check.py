#!/usr/bin/env python3
"""Offline validation of deploy/ against the schemas and against the code.

Run through deploy/check, which installs the pinned tools this needs
(deploy/check-requirements.txt) into target/test-tools/deploy-venv.

Facts about the program are read from the sources, never restated here: the
settings and their environment names and types (src/config.rs), the
subcommands (src/main.rs, src/cli.rs), the routes (src/api/mod.rs and
api-spec/openapi.yaml), the package and its targets (Cargo.toml), the graceful
shutdown time (src/startup.rs) and the files the build embeds. Every
deployment file is checked against them: a renamed setting, a removed route or
a new embedded file makes this fail.
"""

from __future__ import annotations

import copy
import importlib.resources
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
# Kubernetes releases whose schemas (shipped by kubernetes-validate) the
# manifests must satisfy: an older supported one and the newest shipped.
K8S_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]
PLACEHOLDER = "CHANGE-ME"


def tool(name: str) -> str:
    """A binary installed by deploy/check-requirements.txt into this venv."""
    path = Path(sys.prefix) / "bin" / name
    need(path.exists(), f"{name} is not installed in {sys.prefix} (deploy/check installs it)")
    return str(path)


class Fail(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Fail(msg)


def rel(p: Path) -> str:
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return str(p)


# --------------------------------------------------------------------------
# Facts from the sources
# --------------------------------------------------------------------------


def kebab(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()


class Facts:
    def __init__(self):
        cfg = (ROOT / "src/config.rs").read_text()
        # The authoritative list: every `env = "..."` in the Config struct.
        self.env_names = set(re.findall(r'\benv\s*=\s*"([A-Za-z0-9_]+)"', cfg))
        expected = {"DATABASE_URL", "BUDDYMATCH_BIND", "BUDDYMATCH_SMTP_URL", "BUDDYMATCH_SIGNING_KEY"}
        need(expected <= self.env_names,
             f"src/config.rs: no env = \"…\" for {sorted(expected - self.env_names)}; the deploy files "
             "rely on these settings")
        # Types and flags, for checking values: `#[arg(...)] pub field: Type,`.
        self.env_type: dict[str, str] = {}
        self.env_flag: dict[str, str] = {}
        for m in re.finditer(
            r"#\[arg\((?P<args>.*?)\)\]\s*pub\s+(?P<field>\w+)\s*:\s*(?P<ty>[^\n]+?),?\s*\n",
            cfg,
            re.S,
        ):
            env = re.search(r'\benv\s*=\s*"([A-Za-z0-9_]+)"', m["args"])
            if env:
                self.env_type[env[1]] = m["ty"].strip()
                self.env_flag[env[1]] = "--" + m["field"].replace("_", "-")
        need(
            set(self.env_type) == self.env_names,
            "src/config.rs: could not pair every env name with its field "
            f"(unpaired: {sorted(self.env_names - set(self.env_type))})",
        )
        self.enums: dict[str, set[str]] = {}
        for m in re.finditer(r"enum\s+(\w+)\s*\{([^}]*)\}", cfg):
            variants = re.findall(r"^\s*([A-Z]\w*)\s*,?\s*$", m[2], re.M)
            self.enums[m[1]] = {kebab(v) for v in variants}

        main = (ROOT / "src/main.rs").read_text()
        body = re.search(r"enum\s+Command\s*\{(.*?)\n\}", main, re.S)
        need(body, "src/main.rs: enum Command not found")
        self.subcommands = {
            kebab(v) for v in re.findall(r"^    ([A-Z]\w*)\b", body[1], re.M)
        }
        need("serve" in self.subcommands and "migrate" in self.subcommands,
             f"src/main.rs: serve/migrate not among subcommands {sorted(self.subcommands)}")
        cli = (ROOT / "src/cli.rs").read_text()
        admin = re.search(r"enum\s+AdminCommand\s*\{(.*?)\n\}", cli, re.S)
        self.admin_subcommands = (
            {kebab(v) for v in re.findall(r"^    ([A-Z]\w*)\b", admin[1], re.M)} if admin else set()
        )

        api = (ROOT / "src/api/mod.rs").read_text()
        self.resources = set(re.findall(r'web::resource\("([^"]+)"\)', api))
        spec = yaml.safe_load((ROOT / "api-spec/openapi.yaml").read_text())
        self.spec_paths = set(spec.get("paths", {}))

        cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())
        self.package = cargo["package"]["name"]
        self.rust_version = cargo["package"].get("rust-version", "0")
        bins = [b["name"] for b in cargo.get("bin", [])]
        self.binary = cargo["package"].get("default-run") or (bins[0] if bins else self.package)
        # Files cargo needs to even read the manifest / build the binary.
        self.build_inputs = {"Cargo.toml", "Cargo.lock", "src"}
        for kind, folder in (("bench", "benches"), ("test", "tests"), ("example", "examples")):
            for t in cargo.get(kind, []):
                self.build_inputs.add(t.get("path") or f"{folder}/{t['name']}.rs")
        if (ROOT / "build.rs").exists():
            self.build_inputs.add("build.rs")
        for src in (ROOT / "src").rglob("*.rs"):
            text = src.read_text()
            for m in re.finditer(r'embed_migrations!\(\s*"([^"]+)"\s*\)', text):
                self.build_inputs.add(m[1])
            for m in re.finditer(r'include_(?:str|bytes)!\(\s*"([^"]+)"\s*\)', text):
                target = (src.parent / m[1]).resolve()
                self.build_inputs.add(str(target.relative_to(ROOT)))

        # The drain is a setting (--shutdown-timeout-secs) with a default in
        # config.rs; a literal in startup.rs would override it.
        startup = (ROOT / "src/startup.rs").read_text()
        config = (ROOT / "src/config.rs").read_text()
        literal = re.search(r"\.shutdown_timeout\((\d+)\)", startup)
        setting = re.search(
            r'env = "BUDDYMATCH_SHUTDOWN_TIMEOUT_SECS",\s*default_value_t = (\d+)', config)
        if literal:
            self.shutdown_secs = int(literal[1])
        elif setting and ".shutdown_timeout(config.shutdown_timeout_secs)" in startup:
            self.shutdown_secs = int(setting[1])
        else:
            # actix-web's default when none is set.
            self.shutdown_secs = 30

    def route(self, path: str) -> bool:
        return path in self.resources and path in self.spec_paths


# --------------------------------------------------------------------------
# Values of settings
# --------------------------------------------------------------------------

INT_TYPES = {"u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize"}


def bind_port(value: str) -> int:
    m = re.fullmatch(r"(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})", value)
    need(m and 0 < int(m[1]) < 65536, f"bind address {value!r} is not HOST:PORT")
    return int(m[1])


def bind_host(value: str) -> str:
    return value.rsplit(":", 1)[0]


def check_value(facts: Facts, name: str, value, where: str):
    need(name in facts.env_names,
         f"{where}: {name} is not a buddymatch setting (src/config.rs has no env = \"{name}\")")
    need(isinstance(value, str), f"{where}: {name} must be a string, got {value!r}")
    ty = facts.env_type.get(name, "String")
    inner = re.sub(r"^(Option|Vec)<(.*)>$", r"\2", ty)
    items = [v.strip() for v in value.split(",")] if ty.startswith("Vec<") else [value]
    for v in items:
        if inner in INT_TYPES:
            pat = r"\d+" if inner.startswith("u") else r"-?\d+"
            need(re.fullmatch(pat, v), f"{where}: {name}={v!r} is not an integer ({inner})")
        elif inner.endswith("IpRange"):
            # An address or a CIDR range naming its network, as IpRange parses
            # it: a prefix length (not a netmask), no IPv4-mapped IPv6 range.
            try:
                net = ipaddress.ip_network(v, strict=True)
            except ValueError:
                net = None
            need(net is not None and re.fullmatch(r"[^/]+(/\d{1,3})?", v)
                 and not (net.version == 6 and net.network_address.ipv4_mapped and "/" in v),
                 f"{where}: {name}: {v!r} is not an IP address or CIDR range (10.0.0.0/8)")
        elif inner in facts.enums:
            need(v in facts.enums[inner],
                 f"{where}: {name}={v!r} is not one of {sorted(facts.enums[inner])}")
    if name == "BUDDYMATCH_BIND":
        bind_port(value)
    elif name == "DATABASE_URL":
        need(re.match(r"(postgres|postgresql)://[^/]+/\w|sqlite://.", value),
             f"{where}: DATABASE_URL {value!r} is not postgres://…/DB or sqlite://PATH")
    elif name == "BUDDYMATCH_SMTP_URL":
        u = urlsplit(value)
        need(u.scheme in ("smtp", "smtps") and u.hostname,
             f"{where}: BUDDYMATCH_SMTP_URL {value!r} is not smtp://HOST[:PORT] or smtps://HOST")
    elif name == "BUDDYMATCH_PUBLIC_BASE_URL":
        u = urlsplit(value)
        need(u.scheme in ("http", "https") and u.hostname,
             f"{where}: BUDDYMATCH_PUBLIC_BASE_URL {value!r} is not an http(s) URL")
    elif name == "BUDDYMATCH_CORS_ORIGINS":
        for o in items:
            need(re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", o),
                 f"{where}: CORS origin {o!r} must be scheme://host[:port] with no path "
                 "(browsers send the Origin header exactly like that)")
    elif name == "BUDDYMATCH_MAIL_FROM":
        need(re.fullmatch(r"(?:[^<>]+<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)", value),
             f"{where}: BUDDYMATCH_MAIL_FROM {value!r} is not an address or 'Name <address>'")
    elif name == "BUDDYMATCH_SIGNING_KEY" and PLACEHOLDER not in value:
        need(len(value.encode()) >= 32, f"{where}: BUDDYMATCH_SIGNING_KEY is shorter than 32 bytes")


# --------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------


def duplicate_keys(node, path="") -> list[str]:
    """Duplicate keys anywhere in a composed YAML node graph (PyYAML keeps the
    last one silently). Merge keys (<<) are not duplicates."""
    found, seen_nodes, stack = [], set(), [node]
    while stack:
        n = stack.pop()
        if id(n) in seen_nodes:
            continue
        seen_nodes.add(id(n))
        if isinstance(n, yaml.MappingNode):
            keys = {}
            for k, v in n.value:
                if k.tag == "tag:yaml.org,2002:merge":
                    stack.append(v)
                    continue
                if isinstance(k, yaml.ScalarNode):
                    if k.value in keys:
                        found.append(f"line {k.start_mark.line + 1}: key {k.value!r} repeated")
                    keys[k.value] = True
                stack.append(v)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return found


def load_yaml_docs(path: Path) -> list:
    text = path.read_text()
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as e:
        raise Fail(f"{rel(path)}: not valid YAML: {e}")
    dups = [d for n in nodes if n is not None for d in duplicate_keys(n)]
    need(not dups, f"{rel(path)}: {'; '.join(dups)}")
    docs = [d for d in docs if d is not None]
    need(docs, f"{rel(path)}: empty")
    return docs


# --------------------------------------------------------------------------
# Dockerfile
# --------------------------------------------------------------------------


class Dockerfile:
    def __init__(self, path: Path):
        self.path = path
        lines, cur = [], ""
        for raw in path.read_text().splitlines():
            if not cur and (raw.lstrip().startswith("#") or not raw.strip()):
                continue
            if cur and raw.lstrip().startswith("#"):
                continue  # comment lines inside a continued instruction
            if raw.rstrip().endswith("\\"):
                cur += raw.rstrip()[:-1] + " "
                continue
            lines.append((cur + raw).strip())
            cur = ""
        need(not cur, f"{rel(path)}: ends inside a continued line")
        self.args: dict[str, str] = {}
        self.stages: list[dict] = []
        for line in lines:
            instr, _, rest = line.partition(" ")
            instr, rest = instr.upper(), rest.strip()
            if instr == "ARG" and not self.stages:
                k, _, v = rest.partition("=")
                self.args[k] = v
                continue
            if instr == "FROM":
                m = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
                need(m, f"{rel(path)}: cannot read FROM {rest}")
                image = re.sub(r"\$\{(\w+)\}", lambda a: self.args.get(a[1], ""), m[1])
                self.stages.append({"image": image, "name": m[2], "ins": []})
                continue
            need(self.stages, f"{rel(path)}: {instr} before the first FROM")
            self.stages[-1]["ins"].append((instr, rest))

    def all(self, instr, stage=None):
        stages = self.stages if stage is None else [stage]
        return [rest for s in stages for i, rest in s["ins"] if i == instr]

    def env(self, stage) -> dict:
        out = {}
        for rest in self.all("ENV", stage):
            for m in re.finditer(r'(\w+)=("[^"]*"|\S+)', rest):
                out[m[1]] = m[2].strip('"')
        return out


def exec_form(rest: str, what: str) -> list:
    try:
        v = json.loads(rest)
    except json.JSONDecodeError:
        raise Fail(f"Dockerfile: {what} must use the JSON (exec) form, got {rest}")
    need(isinstance(v, list) and all(isinstance(x, str) for x in v),
         f"Dockerfile: {what} is not a list of strings")
    return v


def _ignore_regex(pattern: str) -> re.Pattern:
    """A .dockerignore pattern as Docker (moby/patternmatcher) reads it:
    '*' and '?' stop at '/', '**' crosses folders, the whole path must match."""
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif c == "*":
            out, i = out + "[^/]*", i + 1
        elif c == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(c), i + 1
    return re.compile(out)


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Last matching pattern wins, '!' re-includes, and a pattern that
    matches a parent folder matches everything below it."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    excluded = False
    for pat in patterns:
        neg = pat.startswith("!")
        rx = _ignore_regex(os.path.normpath(pat[1:] if neg else pat).lstrip("/"))
        if any(rx.fullmatch(p) for p in prefixes):
            excluded = not neg
    return excluded


# --------------------------------------------------------------------------
# Compose
# --------------------------------------------------------------------------

_VAR = re.compile(r"\$(?:\$|\{([A-Za-z_]\w*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_]\w*))")


def interpolate(value, env: dict, where=""):
    """Compose's variable substitution, with an empty environment unless
    given: what the file means when the operator sets nothing."""
    if isinstance(value, dict):
        return {k: interpolate(v, env, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def sub(m):
        if m[0] == "$$":
            return "$"
        name = m[1] or m[4]
        op, arg = m[2], m[3] or ""
        val = env.get(name)
        unset_or_empty = val is None or (op and op.startswith(":") and val == "")
        if op in (":-", "-"):
            return interpolate(arg, env, where) if unset_or_empty else val
        if op in (":?", "?"):
            need(not unset_or_empty, f"compose: {where} needs {name} set ({arg})")
            return val
        if op in (":+", "+"):
            return "" if unset_or_empty else interpolate(arg, env, where)
        return val or ""

    return _VAR.sub(sub, value)


def env_map(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            k, _, v = item.partition("=")
            out[k] = v
        return out
    return {k: ("" if v is None else str(v)) for k, v in env.items()}


def deps_of(service: dict) -> dict:
    d = service.get("depends_on") or {}
    if isinstance(d, list):
        return {n: {"condition": "service_started"} for n in d}
    return {n: (c or {"condition": "service_started"}) for n, c in d.items()}


def cmd_list(v):
    if v is None:
        return None
    return v if isinstance(v, list) else v.split()


def volume_mounts(service: dict) -> list[tuple[str, str, bool]]:
    out = []
    for v in service.get("volumes") or []:
        if isinstance(v, str):
            parts = v.split(":")
            src, dst = parts[0], parts[1]
            ro = len(parts) > 2 and "ro" in parts[2].split(",")
        else:
            src, dst, ro = v.get("source", ""), v["target"], bool(v.get("read_only"))
        out.append((src, dst, ro))
    return out


def healthcheck_http(test, where) -> tuple[int, str] | None:
    """The port and path of a bash /dev/tcp or wget/curl health check."""
    s = " ".join(test) if isinstance(test, list) else str(test)
    m = re.search(r"/dev/tcp/[\w.]+/(\S+?)\s", s + " ")
    p = re.search(r"(?:GET|HEAD) (/\S*) HTTP/1\.[01]", s)
    if m and p:
        return m[1].strip('"'), p[1]
    m = re.search(r"https?://[\w.]+:(\d+)(/\S*)", s)
    if m:
        return m[1], m[2].rstrip("'\"")
    return None


# --------------------------------------------------------------------------
# systemd
# --------------------------------------------------------------------------

# Directives known to systemd 252 (Debian 12) that a unit like this one may
# use; the fallback check when systemd-analyze is not installed.
SYSTEMD_KNOWN = {
    "Unit": {
        "Description", "Documentation", "Wants", "Requires", "Requisite", "BindsTo", "PartOf",
        "Upholds", "Conflicts", "Before", "After", "OnFailure", "OnSuccess", "StartLimitIntervalSec",
        "StartLimitBurst", "StartLimitAction", "ConditionPathExists", "AssertPathExists",
        "DefaultDependencies",
    },
    "Service": {
        "Type", "ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop",
        "ExecStopPost", "Restart", "RestartSec", "TimeoutStartSec", "TimeoutStopSec", "TimeoutSec",
        "KillSignal", "KillMode", "SendSIGKILL", "User", "Group", "DynamicUser",
        "SupplementaryGroups", "StateDirectory", "StateDirectoryMode", "CacheDirectory",
        "LogsDirectory", "RuntimeDirectory", "ConfigurationDirectory", "WorkingDirectory",
        "Environment", "EnvironmentFile", "PassEnvironment", "UMask", "LimitNOFILE", "LimitNPROC",
        "LimitCORE", "NoNewPrivileges", "CapabilityBoundingSet", "AmbientCapabilities",
        "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateUsers",
        "PrivateNetwork", "PrivateMounts", "PrivateIPC", "ProtectHostname", "ProtectClock",
        "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
        "ProtectControlGroups", "ProtectProc", "ProcSubset", "RestrictAddressFamilies",
        "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID", "LockPersonality",
        "MemoryDenyWriteExecute", "RemoveIPC", "SystemCallArchitectures", "SystemCallFilter",
        "SystemCallErrorNumber", "ReadWritePaths", "ReadOnlyPaths", "InaccessiblePaths",
        "DevicePolicy", "DeviceAllow", "IPAddressAllow", "IPAddressDeny", "MemoryMax",
        "MemoryHigh", "CPUQuota", "TasksMax", "LoadCredential", "SetCredential",
        "StandardOutput", "StandardError", "SyslogIdentifier", "Nice", "OOMScoreAdjust",
        "WatchdogSec", "NotifyAccess",
    },
    "Install": {"WantedBy", "RequiredBy", "Alias", "Also"},
}


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    cur = None
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        need(not line.endswith("\\"), f"{rel(path)}:{n}: continued lines are not used here")
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            cur = m[1]
            sections.setdefault(cur, [])
            continue
        need(cur, f"{rel(path)}:{n}: setting outside a section")
        k, eq, v = line.partition("=")
        need(eq and re.fullmatch(r"[A-Za-z]\w*", k.strip()), f"{rel(path)}:{n}: not KEY=VALUE: {line}")
        sections[cur].append((k.strip(), v.strip()))
    return sections


def parse_env_file(path: Path) -> dict[str, str]:
    """systemd EnvironmentFile= syntax (the subset used: KEY=VALUE, optional
    double or single quotes, # comments)."""
    out = {}
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        m = re.fullmatch(r"([A-Za-z_]\w*)=(.*)", line)
        need(m, f"{rel(path)}:{n}: not KEY=VALUE: {line}")
        v = m[2]
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
            v = v[1:-1]
        else:
            need('"' not in v and "'" not in v, f"{rel(path)}:{n}: unbalanced quotes")
        need(m[1] not in out, f"{rel(path)}:{n}: {m[1]} set twice")
        out[m[1]] = v
    return out


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------


class Runner:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def run(self, name, fn, *args, needs=(), state=None):
        missing = [n for n in needs if state is None or n not in state]
        if missing:
            self.skipped += 1
            print(f"skip  {name}: not checked, it builds on a check that failed above", flush=True)
            return
        try:
            note = fn(*args)
        except Fail as e:
            self.failed += 1
            print(f"FAIL  {name}\n      {e}", flush=True)
            return
        except Exception:
            self.failed += 1
            print(f"FAIL  {name} (crashed)\n{traceback.format_exc()}", flush=True)
            return
        if isinstance(note, str) and note.startswith("skipped"):
            self.skipped += 1
            print(f"skip  {name}: {note}", flush=True)
        else:
            self.passed += 1
            print(f"ok    {name}" + (f": {note}" if note else ""), flush=True)


def main() -> int:
    r = Runner()
    try:
        facts = Facts()
    except Fail as e:
        print(f"FAIL  reading the program's facts from src/: {e}")
        print("deploy: 0 passed, 1 failed")
        return 1
    print(f"      {len(facts.env_names)} settings from src/config.rs; subcommands "
          f"{', '.join(sorted(facts.subcommands))}; binary {facts.binary}")

    state: dict = {}

    # ---- files and YAML --------------------------------------------------
    def expected_files():
        want = [
            "Dockerfile", "Dockerfile.dockerignore", "compose.yaml", "nginx.conf", "README.md",
            "check", "check.py", "check-requirements.txt", "systemd/buddymatch.service",
            "systemd/buddymatch.env", "k8s/kustomization.yaml", "k8s/deployment.yaml",
            "k8s/service.yaml", "k8s/configmap.yaml", "k8s/secret.example.yaml",
            "k8s/job-migrate.yaml", "k8s/hpa.yaml", "k8s/pdb.yaml",
        ]
        missing = [f for f in want if not (DEPLOY / f).is_file()]
        need(not missing, f"missing: {', '.join(missing)}")
        need(os.access(DEPLOY / "check", os.X_OK), "deploy/check is not executable")

    r.run("deploy/ has every file", expected_files)

    def all_yaml():
        files = sorted(p for p in DEPLOY.rglob("*") if p.suffix in (".yaml", ".yml"))
        need(files, "no YAML files under deploy/")
        state["yaml"] = {p: load_yaml_docs(p) for p in files}
        return f"{len(files)} files parse, no duplicate keys"

    r.run("YAML", all_yaml)
    if "yaml" not in state:
        print(f"deploy: {r.passed} passed, {r.failed} failed")
        return 1

    # ---- Dockerfile ------------------------------------------------------
    def dockerfile():
        df = Dockerfile(DEPLOY / "Dockerfile")
        state["df"] = df
        need(len(df.stages) >= 2, "not a multi-stage build")
        build, run = df.stages[0], df.stages[-1]
        m = re.fullmatch(r"rust:(\d+\.\d+)(?:\.\d+)?-slim-(\w+)", build["image"])
        need(m, f"builder image {build['image']!r} is not rust:X.Y-slim-RELEASE")
        have = tuple(int(x) for x in m[1].split("."))
        want = tuple(int(x) for x in facts.rust_version.split(".")[:2])
        need(have >= want, f"Rust {m[1]} is older than Cargo.toml's rust-version {facts.rust_version}")
        m2 = re.fullmatch(r"debian:(\w+)-slim", run["image"])
        need(m2, f"runtime image {run['image']!r} is not debian:RELEASE-slim")
        need(m[2] == m2[1], f"builder ({m[2]}) and runtime ({m2[1]}) Debian releases differ: libpq would not match")
        build_runs = " ".join(df.all("RUN", build))
        need("libpq-dev" in build_runs, "builder does not install libpq-dev (diesel links libpq)")
        run_runs = " ".join(df.all("RUN", run))
        for pkg in ("libpq5", "ca-certificates"):
            need(re.search(rf"\b{pkg}\b", run_runs), f"runtime does not install {pkg}")

        # What the build copies exists, survives the ignore file and covers
        # every input the crate needs.
        ignore = [l.strip() for l in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
                  if l.strip() and not l.lstrip().startswith("#")]
        copied = []
        for rest in df.all("COPY", build):
            need("--from" not in rest, "builder COPYs from another stage")
            args = [a for a in rest.split() if not a.startswith("--")]
            for src in args[:-1]:
                need((ROOT / src).exists(), f"COPY source {src} does not exist in the repository")
                need(not dockerignore_excludes(ignore, src),
                     f"COPY source {src} is excluded by deploy/Dockerfile.dockerignore")
                for f in ((ROOT / src).rglob("*") if (ROOT / src).is_dir() else [ROOT / src]):
                    if f.is_file():
                        rf = str(f.relative_to(ROOT))
                        need(not dockerignore_excludes(ignore, rf),
                             f"{rf} (under COPY {src}) is excluded by deploy/Dockerfile.dockerignore")
                copied.append(src.rstrip("/"))
        for inp in sorted(facts.build_inputs):
            need(any(inp == c or inp.startswith(c + "/") for c in copied),
                 f"the build needs {inp} (Cargo.toml/src) but the Dockerfile does not COPY it")
        need(dockerignore_excludes(ignore, "target/release/buddymatch")
             and dockerignore_excludes(ignore, ".git/config"),
             "Dockerfile.dockerignore lets target/ or .git/ into the build context")

        m = re.search(r"cargo build ([^&;]*)", build_runs)
        need(m, "builder has no `cargo build`")
        flags = m[1].split()
        need("--release" in flags and "--locked" in flags, "cargo build lacks --release or --locked")
        need(re.search(rf"--bin\s+{facts.binary}\b", m[1]), f"cargo build does not build --bin {facts.binary}")
        m = re.search(rf"target/release/{facts.binary}\s+(\S+)", build_runs)
        need(m, f"builder does not take target/release/{facts.binary} out of the cache mount")
        out_path = m[1]
        stage_name = build["name"]
        copies = [c for c in df.all("COPY", run) if f"--from={stage_name}" in c]
        need(len(copies) == 1, f"runtime should COPY --from={stage_name} exactly once")
        src, dst = copies[0].split()[-2:]
        need(src == out_path, f"runtime copies {src}, builder wrote {out_path}")

        entry = exec_form(df.all("ENTRYPOINT", run)[-1], "ENTRYPOINT")
        need(entry == [dst], f"ENTRYPOINT {entry} is not the copied binary {dst}")
        need(Path(dst).name == facts.binary, f"binary installed as {dst}, Cargo builds {facts.binary}")
        cmd = exec_form(df.all("CMD", run)[-1], "CMD")
        need(cmd and cmd[0] == "serve" and cmd[0] in facts.subcommands,
             f"CMD {cmd} does not start with the serve subcommand")

        env = df.env(run)
        for k, v in env.items():
            check_value(facts, k, v, "Dockerfile ENV")
        port = bind_port(env.get("BUDDYMATCH_BIND", ""))
        need(bind_host(env["BUDDYMATCH_BIND"]) in ("0.0.0.0", "[::]"),
             "BUDDYMATCH_BIND must listen on all interfaces inside a container")
        exposes = {int(p.split("/")[0]) for e in df.all("EXPOSE", run) for p in e.split()}
        need(exposes == {port}, f"EXPOSE {exposes} does not match BUDDYMATCH_BIND port {port}")

        users = df.all("USER", run)
        need(users, "runtime has no USER: it would run as root")
        uid_s, _, gid_s = users[-1].partition(":")
        need(uid_s.isdigit() and int(uid_s) > 0,
             f"USER {users[-1]} must be a numeric non-root uid (Kubernetes runAsNonRoot checks it)")
        need(re.search(rf"useradd\b[^&]*--uid {uid_s}\b", run_runs), f"no useradd --uid {uid_s}")
        state["uid"] = int(uid_s)
        state["port"] = port
        state["image_env"] = env
        data_dir = env.get("BUDDYMATCH_DATA_DIR")
        need(data_dir and re.search(rf"install -d -o {uid_s}\b[^&]*{re.escape(data_dir)}", run_runs),
             f"data dir {data_dir} is not created owned by uid {uid_s} (zero-config mode writes there)")

        hc = df.all("HEALTHCHECK", run)
        need(len(hc) == 1, "expected one HEALTHCHECK")
        m = re.search(r"CMD\s+(\[.*\])\s*$", hc[0])
        need(m, "HEALTHCHECK must use CMD [exec form]")
        argv = exec_form(m[1], "HEALTHCHECK")
        # Tools present in debian:*-slim without installing anything.
        need(argv[0] in ("bash", "sh", "/bin/sh", "/bin/bash") or re.search(rf"\b{argv[0]}\b", run_runs),
             f"HEALTHCHECK runs {argv[0]}, which the runtime image does not have")
        got = healthcheck_http(argv, "HEALTHCHECK")
        need(got, "cannot read the HEALTHCHECK's port and path")
        hc_port, hc_path = got
        need(hc_port in (str(port), "${BUDDYMATCH_BIND##*:}"), f"HEALTHCHECK port {hc_port} is not {port}")
        need(facts.route(hc_path), f"HEALTHCHECK path {hc_path} is not a route of the server")
        return f"{build['image']} -> {run['image']}, uid {uid_s}, port {port}"

    r.run("Dockerfile", dockerfile)

    def hadolint():
        out = subprocess.run([tool("hadolint"), "--no-color", str(DEPLOY / "Dockerfile")],
                             capture_output=True, text=True, timeout=60)
        need(out.returncode == 0, (out.stdout + out.stderr).strip())
        return "no findings (DL3008, unpinned apt versions, ignored inline with the reason)"

    r.run("Dockerfile: hadolint", hadolint)

    # ---- Kubernetes ------------------------------------------------------
    k8s_docs: dict[str, dict] = {}

    def k8s_files():
        kust_path = K8S / "kustomization.yaml"
        kust = state["yaml"][kust_path][0]
        need(kust.get("kind") == "Kustomization", "kustomization.yaml is not a Kustomization")
        need("namespace" not in kust, "kustomization.yaml sets a namespace: the base must be namespace-agnostic")
        listed = kust.get("resources") or []
        for f in listed:
            need((K8S / f).is_file(), f"kustomization.yaml lists {f}, which does not exist")
        files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
        need("secret.example.yaml" not in listed,
             "secret.example.yaml must not be in kustomization.yaml (applying it would replace real credentials)")
        unlisted = files - set(listed) - {"secret.example.yaml"}
        need(not unlisted, f"manifests not in kustomization.yaml: {sorted(unlisted)}")
        for f in sorted(files):
            for d in state["yaml"][K8S / f]:
                key = f"{d.get('kind')}/{d.get('metadata', {}).get('name')}"
                need(key not in k8s_docs, f"{key} defined twice")
                need("namespace" not in d.get("metadata", {}), f"{f}: {key} sets a namespace")
                k8s_docs[key] = d | {"__file": f}
        state["kust"] = kust
        return f"{len(listed)} resources listed, secret example kept out"

    r.run("k8s: kustomization and files", k8s_files)
    k8s_ok = ("kust",)

    def k8s_schema():
        n = 0
        for key, d in k8s_docs.items():
            doc = {k: v for k, v in d.items() if k != "__file"}
            for v in K8S_VERSIONS:
                try:
                    kubernetes_validate.validate(doc, v, strict=True)
                except kubernetes_validate.ValidationError as e:
                    raise Fail(f"{d['__file']}: {key} against Kubernetes {v}: {e.message} at "
                               f"{'/'.join(str(p) for p in e.path)}")
                except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as e:
                    raise Fail(f"{d['__file']}: {key}: no schema in Kubernetes {v}: {e}")
                n += 1
        state["k8s_valid"] = True
        return f"{len(k8s_docs)} objects, strict, against Kubernetes {' and '.join(K8S_VERSIONS)}"

    r.run("k8s: official JSON schemas (kubernetes-validate)", k8s_schema, needs=k8s_ok, state=state)
    k8s_ok = ("kust", "k8s_valid")

    def one(kind):
        objs = [d for k, d in k8s_docs.items() if k.startswith(kind + "/")]
        need(len(objs) == 1, f"expected one {kind}, found {len(objs)}")
        return objs[0]

    def env_sources(pod_spec, container):
        """Names the container will see, and where each comes from."""
        names = {}
        cms = {d["metadata"]["name"]: d for k, d in k8s_docs.items() if k.startswith("ConfigMap/")}
        secrets = {d["metadata"]["name"]: d for k, d in k8s_docs.items() if k.startswith("Secret/")}
        for src in container.get("envFrom", []):
            if "configMapRef" in src:
                name = src["configMapRef"]["name"]
                need(name in cms, f"envFrom ConfigMap {name} is not defined")
                for k, v in cms[name].get("data", {}).items():
                    names[k] = ("configmap", v)
            if "secretRef" in src:
                name = src["secretRef"]["name"]
                need(name in secrets, f"envFrom Secret {name} has no example")
                for k, v in secrets[name].get("stringData", {}).items():
                    names[k] = ("secret", v)
        for e in container.get("env", []):
            if "value" in e:
                names[e["name"]] = ("value", e["value"])
            else:
                ref = e["valueFrom"].get("secretKeyRef") or e["valueFrom"].get("configMapKeyRef")
                pool = secrets if "secretKeyRef" in e["valueFrom"] else cms
                need(ref["name"] in pool, f"{e['name']} refers to {ref['name']}, which is not defined here")
                data = pool[ref["name"]].get("stringData") or pool[ref["name"]].get("data") or {}
                need(ref["key"] in data, f"{e['name']} refers to key {ref['key']} missing from {ref['name']}")
                names[e["name"]] = ("secret" if pool is secrets else "configmap", data[ref["key"]])
        return names

    def check_pod(pod_spec, where, subcommand):
        sc = pod_spec.get("securityContext", {})
        need(sc.get("runAsNonRoot") is True, f"{where}: runAsNonRoot is not true")
        if "uid" in state:
            need(sc.get("runAsUser") == state["uid"],
                 f"{where}: runAsUser {sc.get('runAsUser')} is not the image's uid {state['uid']}")
        need(pod_spec.get("automountServiceAccountToken") is False,
             f"{where}: the API needs no Kubernetes token (automountServiceAccountToken: false)")
        (c,) = pod_spec["containers"]
        csc = c.get("securityContext", {})
        need(csc.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation is not false")
        need("ALL" in csc.get("capabilities", {}).get("drop", []), f"{where}: capabilities not dropped")
        args = c.get("args") or []
        need(not c.get("command"), f"{where}: overrides the image's ENTRYPOINT")
        need(args[:1] == [subcommand] and subcommand in facts.subcommands,
             f"{where}: args {args} should run `{facts.binary} {subcommand}`")
        need(c.get("resources", {}).get("requests"), f"{where}: no resource requests")
        need(c.get("resources", {}).get("limits", {}).get("memory"), f"{where}: no memory limit")
        names = env_sources(pod_spec, c)
        for k, (src, v) in names.items():
            check_value(facts, k, str(v), f"{where} env")
        # A read-only root works only if nothing makes buddymatch write: the
        # database is PostgreSQL, and for `serve` email goes to SMTP and the
        # key comes from the environment (no generated key file, no .eml folder).
        needs = ["DATABASE_URL"] + (["BUDDYMATCH_SMTP_URL", "BUDDYMATCH_SIGNING_KEY"]
                                    if subcommand == "serve" else [])
        if csc.get("readOnlyRootFilesystem"):
            for n in needs:
                need(n in names, f"{where}: readOnlyRootFilesystem but {n} is not set, so buddymatch "
                                 "would write to its data dir")
            need(not names["DATABASE_URL"][1].startswith("sqlite:"),
                 f"{where}: SQLite on a read-only root filesystem")
        return c, names

    def k8s_deployment():
        dep = one("Deployment")
        spec = dep["spec"]
        need(spec.get("replicas") == 2, "Deployment should run 2 replicas")
        tmpl = spec["template"]
        labels = tmpl["metadata"]["labels"]
        need(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
             "Deployment selector does not match its pod labels")
        c, names = check_pod(tmpl["spec"], "Deployment", "serve")
        need(c["securityContext"].get("readOnlyRootFilesystem") is True, "Deployment: root filesystem not read-only")
        bind = names.get("BUDDYMATCH_BIND", ("image", state.get("image_env", {}).get("BUDDYMATCH_BIND", "")))[1]
        port = bind_port(bind)
        need(bind_host(bind) in ("0.0.0.0", "[::]"), f"Deployment: BUDDYMATCH_BIND {bind} must listen on all interfaces")
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        need(port in ports.values(), f"containerPort {sorted(ports.values())} is not BUDDYMATCH_BIND's port {port}")

        def probe(kind, path):
            p = c.get(kind)
            need(p and "httpGet" in p, f"Deployment: no {kind} with httpGet")
            need(p["httpGet"]["path"] == path, f"{kind} checks {p['httpGet']['path']}, expected {path}")
            need(facts.route(path), f"{kind} path {path} is not a route of the server")
            pp = p["httpGet"]["port"]
            need(ports.get(pp, pp) == port, f"{kind} port {pp} is not the container port {port}")
            return p

        probe("readinessProbe", "/readyz")
        probe("livenessProbe", "/healthz")
        sp = c.get("startupProbe")
        if sp:
            need(facts.route(sp["httpGet"]["path"]), "startupProbe path is not a route")
        pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
        pre_s = int(pre[1]) if pre[:1] == ["sleep"] else 0
        grace = tmpl["spec"].get("terminationGracePeriodSeconds", 30)
        need(grace > pre_s + facts.shutdown_secs,
             f"terminationGracePeriodSeconds {grace} <= preStop {pre_s}s + drain {facts.shutdown_secs}s "
             "(src/startup.rs shutdown_timeout)")
        state["dep"] = dep
        state["pod_labels"] = labels
        state["ports"] = ports
        state["container_port"] = port
        return f"probes /readyz and /healthz on port {port}, grace {grace}s"

    r.run("k8s: Deployment against the code", k8s_deployment, needs=k8s_ok, state=state)
    dep_ok = k8s_ok + ("dep",)

    def k8s_service():
        svc = one("Service")
        labels = state["pod_labels"]
        sel = svc["spec"]["selector"]
        need(all(labels.get(k) == v for k, v in sel.items()), "Service selector does not select the Deployment's pods")
        job = one("Job")
        jl = job["spec"]["template"]["metadata"].get("labels", {})
        need(not all(jl.get(k) == v for k, v in sel.items()), "Service selector also selects the migration Job's pod")
        for p in svc["spec"]["ports"]:
            t = p["targetPort"]
            need(state["ports"].get(t, t) == state["container_port"],
                 f"Service targetPort {t} is not the container port {state['container_port']}")
        return f"port {svc['spec']['ports'][0]['port']} -> {state['container_port']}"

    r.run("k8s: Service", k8s_service, needs=dep_ok, state=state)

    def k8s_job():
        job = one("Job")
        spec = job["spec"]["template"]["spec"]
        need(spec.get("restartPolicy") in ("Never", "OnFailure"), "Job restartPolicy must be Never or OnFailure")
        need("backoffLimit" in job["spec"], "Job has no backoffLimit")
        check_pod(spec, "Job", "migrate")
        dep_img = state["dep"]["spec"]["template"]["spec"]["containers"][0]["image"]
        need(spec["containers"][0]["image"] == dep_img, "Job and Deployment use different images")
        kimgs = {i["name"] for i in state["kust"].get("images", [])}
        need(dep_img.split(":")[0] in kimgs, f"kustomization images: has no entry for {dep_img.split(':')[0]}")
        return "`buddymatch migrate`, same image as the Deployment"

    r.run("k8s: migration Job", k8s_job, needs=dep_ok, state=state)

    def k8s_config_and_secret():
        cm = one("ConfigMap")
        for k, v in cm.get("data", {}).items():
            check_value(facts, k, v, "ConfigMap")
        sec = one("Secret")
        data = sec.get("stringData", {})
        need(data, "Secret example has no stringData")
        for k, v in data.items():
            need(PLACEHOLDER in v, f"secret.example.yaml: {k} is not an obvious placeholder (no {PLACEHOLDER})")
        key = data.get("BUDDYMATCH_SIGNING_KEY", "")
        need(len(key.encode()) < 32,
             "secret.example.yaml: the placeholder signing key must stay under 32 bytes so an unedited copy fails to start")
        return f"{len(cm['data'])} settings; {len(data)} placeholder secrets"

    r.run("k8s: ConfigMap settings and Secret placeholders", k8s_config_and_secret, needs=k8s_ok, state=state)

    def k8s_hpa_pdb():
        hpa = one("HorizontalPodAutoscaler")
        need(hpa["apiVersion"] == "autoscaling/v2", "HPA is not autoscaling/v2")
        ref = hpa["spec"]["scaleTargetRef"]
        dep = state["dep"]
        need(ref["kind"] == "Deployment" and ref["name"] == dep["metadata"]["name"],
             "HPA does not target the Deployment")
        lo, hi = hpa["spec"].get("minReplicas", 1), hpa["spec"]["maxReplicas"]
        need(2 <= lo <= hi, f"HPA min {lo} / max {hi}")
        need(lo == dep["spec"]["replicas"], "HPA minReplicas differs from the Deployment's replicas")
        for m in hpa["spec"].get("metrics", []):
            if m["type"] == "Resource":
                res = m["resource"]["name"]
                for c in dep["spec"]["template"]["spec"]["containers"]:
                    need(res in c.get("resources", {}).get("requests", {}),
                         f"HPA scales on {res} utilisation but the container requests no {res}")
        pdb = one("PodDisruptionBudget")
        sel = pdb["spec"]["selector"]["matchLabels"]
        need(all(state["pod_labels"].get(k) == v for k, v in sel.items()), "PDB does not select the pods")
        need(pdb["spec"].get("minAvailable", 0) < lo, "PDB minAvailable would block every drain")
        # Connections: every replica's pool must fit in PostgreSQL's default 100.
        pool = int(one("ConfigMap")["data"].get("BUDDYMATCH_DB_POOL_SIZE", "8"))
        need(hi * pool + 1 <= 100,
             f"{hi} replicas x pool {pool} (+ the Job) exceed PostgreSQL's default max_connections 100")
        return f"{lo}-{hi} replicas on CPU, PDB minAvailable {pdb['spec']['minAvailable']}"

    r.run("k8s: HPA and PodDisruptionBudget", k8s_hpa_pdb, needs=dep_ok, state=state)

    def k8s_kubectl():
        kubectl = shutil.which("kubectl")
        if not kubectl:
            return "skipped (kubectl not installed; the checks above do not need it)"
        try:
            out = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return "skipped (kubectl kustomize did not answer within 60 s; the checks above do not need it)"
        need(out.returncode == 0, f"kubectl kustomize failed: {out.stderr.strip()}")
        docs = [d for d in yaml.safe_load_all(out.stdout) if d]
        got = {f"{d['kind']}/{d['metadata']['name']}" for d in docs}
        want = {k for k, d in k8s_docs.items() if d["__file"] in state["kust"]["resources"]}
        need(got == want, f"kustomize renders {sorted(got)}, expected {sorted(want)}")
        img = state["kust"]["images"][0]
        for d in docs:
            for c in d.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                need(c["image"] == f"{img['newName']}:{img['newTag']}",
                     f"{d['kind']}: image {c['image']} not rewritten by kustomize")
        return f"renders {len(docs)} objects with image {img['newName']}:{img['newTag']}"

    r.run("k8s: kubectl kustomize (when installed)", k8s_kubectl, needs=k8s_ok, state=state)

    # ---- compose -----------------------------------------------------------
    def compose_schema():
        raw = state["yaml"][DEPLOY / "compose.yaml"][0]
        doc = interpolate(copy.deepcopy(raw), {}, "compose")
        schema_text = (importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
                       .joinpath("compose-spec.json").read_text())
        schema = json.loads(schema_text)
        cls = jsonschema.validators.validator_for(schema)
        errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
        need(not errors, "; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]))
        state["compose"] = doc
        return f"{len(doc['services'])} services valid against the Compose Specification schema"

    r.run("compose: schema", compose_schema)

    def compose_structure():
        doc = state["compose"]
        svcs = doc["services"]
        builders = [n for n, s in svcs.items() if s.get("build")]
        need(len(builders) == 1, f"exactly one service should build the image, found {builders}")
        b = svcs[builders[0]]["build"]
        ctx = (DEPLOY / b["context"]).resolve()
        need(ctx == ROOT, f"build context {b['context']} is not the repository root")
        need((ctx / b["dockerfile"]).resolve() == DEPLOY / "Dockerfile", "build does not use deploy/Dockerfile")
        image = svcs[builders[0]]["image"]
        ours = {n: s for n, s in svcs.items() if s.get("image") == image}
        servers = {n: s for n, s in ours.items()
                   if "entrypoint" not in s and (cmd_list(s.get("command")) or ["serve"])[0] == "serve"}
        need(len(servers) == 2, f"expected two buddymatch instances, found {sorted(servers)}")
        migrates = [n for n, s in ours.items() if cmd_list(s.get("command")) == ["migrate"]]
        need(len(migrates) == 1, "expected one service running `buddymatch migrate`")
        mig = migrates[0]
        need(str(svcs[mig].get("restart", "no")) == "no", "the migration service must not restart")
        for n, s in ours.items():
            if "entrypoint" in s:
                continue
            cmd = cmd_list(s.get("command")) or ["serve"]
            need(cmd[0] in facts.subcommands, f"{n}: `{cmd[0]}` is not a buddymatch subcommand")
            for k, v in env_map(s).items():
                check_value(facts, k, v, f"compose {n}")

        # Every reference resolves.
        vols = set(doc.get("volumes") or {})
        for n, s in svcs.items():
            for dep, cond in deps_of(s).items():
                need(dep in svcs, f"{n} depends on unknown service {dep}")
                c = cond.get("condition", "service_started")
                if c == "service_healthy":
                    need(svcs[dep].get("healthcheck") and not svcs[dep]["healthcheck"].get("disable"),
                         f"{n} waits for {dep} to be healthy but {dep} has no healthcheck")
            for src, dst, ro in volume_mounts(s):
                if src.startswith((".", "/")):
                    need((DEPLOY / src).exists(), f"{n} mounts {src}, which does not exist")
                else:
                    need(src in vols, f"{n} mounts volume {src}, not declared under volumes:")
            restart = str(s.get("restart", "no"))
            need(re.fullmatch(r"no|always|unless-stopped|on-failure(:\d+)?", restart),
                 f"{n}: restart: {restart} is not a restart policy")
            if restart != "no":
                need(s.get("healthcheck"), f"{n} runs continuously but has no healthcheck")

        # Database: one PostgreSQL 15 service, the URL matches its account.
        pg = [n for n, s in svcs.items() if str(s.get("image", "")).startswith("postgres:")]
        need(len(pg) == 1 and svcs[pg[0]]["image"].startswith("postgres:15"), f"expected one postgres:15 service, found {pg}")
        pgenv = env_map(svcs[pg[0]])
        urls = {n: env_map(s).get("DATABASE_URL") for n, s in list(servers.items()) + [(mig, svcs[mig])]}
        need(len(set(urls.values())) == 1, f"instances and migration use different databases: {urls}")
        u = urlsplit(next(iter(urls.values())))
        need(u.scheme in ("postgres", "postgresql") and u.hostname == pg[0] and (u.port or 5432) == 5432,
             f"DATABASE_URL does not point at the {pg[0]} service")
        need(u.username == pgenv.get("POSTGRES_USER") and u.password == pgenv.get("POSTGRES_PASSWORD")
             and u.path.lstrip("/") == pgenv.get("POSTGRES_DB"),
             "DATABASE_URL user/password/database differ from the postgres service's POSTGRES_*")
        need(deps_of(svcs[mig]).get(pg[0], {}).get("condition") == "service_healthy",
             "the migration does not wait for a healthy database")

        # Instances: same settings where tokens and links depend on them.
        first = None
        for n, s in servers.items():
            e = env_map(s)
            deps = deps_of(s)
            need(deps.get(mig, {}).get("condition") == "service_completed_successfully",
                 f"{n} does not wait for {mig} (service_completed_successfully)")
            bind = e.get("BUDDYMATCH_BIND", state.get("image_env", {}).get("BUDDYMATCH_BIND", ""))
            port = bind_port(bind)
            need(bind_host(bind) in ("0.0.0.0", "[::]"), f"{n}: must listen on all interfaces, not {bind}")
            hc = s.get("healthcheck", {}).get("test")
            got = healthcheck_http(hc, n) if hc else None
            need(got, f"{n}: health check missing or unreadable")
            need(got[0] == str(port), f"{n}: health check port {got[0]} is not {port}")
            need(facts.route(got[1]), f"{n}: health check path {got[1]} is not a route")
            grace = s.get("stop_grace_period", "10s")
            need(int(re.sub(r"s$", "", grace)) > facts.shutdown_secs,
                 f"{n}: stop_grace_period {grace} is shorter than the {facts.shutdown_secs}s drain")
            smtp = urlsplit(e.get("BUDDYMATCH_SMTP_URL", ""))
            need(smtp.hostname in svcs, f"{n}: BUDDYMATCH_SMTP_URL host is not a compose service")
            if "mailpit" in svcs[smtp.hostname]["image"]:
                need(smtp.scheme == "smtp" and smtp.port == 1025, f"{n}: Mailpit listens for plain SMTP on 1025")
            key = {k: e.get(k) for k in ("BUDDYMATCH_SIGNING_KEY", "BUDDYMATCH_SIGNING_KEY_FILE")}
            need(sum(v is not None for v in key.values()) == 1, f"{n}: set exactly one of {sorted(key)}")
            mine = (key, e.get("BUDDYMATCH_PUBLIC_BASE_URL"), port)
            if first is None:
                first = mine
            need(mine == first, f"{n}: signing key, public base URL (token issuer) or port differ between instances")
            kf = key["BUDDYMATCH_SIGNING_KEY_FILE"]
            if kf:
                m = [(src, dst, ro) for src, dst, ro in volume_mounts(s) if kf.startswith(dst.rstrip("/") + "/")]
                need(m and m[0][0] in vols, f"{n}: {kf} is not on a named volume")
                vol, rel_key = m[0][0], kf[len(m[0][1].rstrip("/")) + 1:]
                need(m[0][2], f"{n}: mount the key volume read-only")
                writers = [w for w, ws in svcs.items() for src, dst, ro in volume_mounts(ws)
                           if src == vol and not ro]
                need(len(writers) == 1, f"one service should write the key volume {vol}, found {writers}")
                w = writers[0]
                need(deps.get(w, {}).get("condition") == "service_completed_successfully",
                     f"{n} does not wait for {w} to write the key")
                wdst = [dst for src, dst, ro in volume_mounts(svcs[w]) if src == vol][0]
                script = " ".join(cmd_list(svcs[w].get("command")) or [])
                need(f"{wdst.rstrip('/')}/{rel_key}" in script, f"{w} does not write {rel_key} into {vol}")
                need(re.search(r"chmod 0?600", script), f"{w}: buddymatch refuses a key file others can read (chmod 600)")
                if "uid" in state:
                    need(re.search(rf"chown {state['uid']}(:\d+)?\b", script),
                         f"{w}: key not owned by the image's uid {state['uid']}")
                need("/dev/urandom" in script, f"{w}: key not drawn from /dev/urandom")

        # Load balancer: nginx config names exactly the instances.
        lbs = [n for n, s in svcs.items() if str(s.get("image", "")).startswith("nginx")]
        need(len(lbs) == 1, "expected one nginx load balancer")
        lb = svcs[lbs[0]]
        conf_src = [src for src, dst, ro in volume_mounts(lb) if dst.startswith("/etc/nginx/")]
        need(conf_src, "nginx config is not mounted")
        conf = (DEPLOY / conf_src[0]).read_text()
        conf_nc = re.sub(r"#[^\n]*", "", conf)
        need(conf_nc.count("{") == conf_nc.count("}"), f"{conf_src[0]}: unbalanced braces")
        ups = set(re.findall(r"^\s*server\s+([\w.-]+:\d+)", conf_nc, re.M))
        want = {f"{n}:{first[2]}" for n in servers}
        need(ups == want, f"nginx upstream {sorted(ups)} is not the instances {sorted(want)}")
        listen = re.findall(r"^\s*listen\s+(\d+)\s*;", conf_nc, re.M)
        published = [str(p).split(":")[-1] for p in lb.get("ports", [])]
        need(listen and all(l in published for l in listen), f"nginx listens on {listen}, compose publishes {published}")
        for n in servers:
            need(deps_of(lb).get(n), f"the load balancer does not wait for {n}")
        lb_ips = {str(net.get("ipv4_address")) for net in (lb.get("networks") or {}).values()
                  if isinstance(net, dict) and net.get("ipv4_address")}
        for n, s in servers.items():
            trusted = env_map(s).get("BUDDYMATCH_TRUSTED_PROXIES")
            if trusted is not None:
                need(set(t.strip() for t in trusted.split(",")) == lb_ips,
                     f"{n}: BUDDYMATCH_TRUSTED_PROXIES {trusted} is not the load balancer's fixed address {lb_ips}")
                for ip in lb_ips:
                    subnets = [c.get("subnet") for net in (doc.get("networks") or {}).values()
                               for c in ((net or {}).get("ipam") or {}).get("config", [])]
                    ranges = [c.get("ip_range") for net in (doc.get("networks") or {}).values()
                              for c in ((net or {}).get("ipam") or {}).get("config", []) if c.get("ip_range")]
                    need(any(ipaddress.ip_address(ip) in ipaddress.ip_network(sn) for sn in subnets if sn),
                         f"the load balancer's address {ip} is in no declared subnet")
                    need(not any(ipaddress.ip_address(ip) in ipaddress.ip_network(rg) for rg in ranges),
                         f"the load balancer's address {ip} lies in the dynamic ip_range: another container may get it")
        smtp_svcs = [n for n, s in svcs.items() if "mailpit" in str(s.get("image", ""))]
        need(smtp_svcs, "no SMTP catcher (Mailpit) service")
        return (f"instances {', '.join(sorted(servers))} behind {lbs[0]}; {mig} and one shared key first; "
                f"{pg[0]} ({svcs[pg[0]]['image']}), {smtp_svcs[0]}")

    r.run("compose: services, dependencies, shared key, load balancer", compose_structure,
          needs=("compose",), state=state)

    def compose_cli():
        docker = shutil.which("docker")
        if not docker:
            return "skipped (no docker CLI; the schema check above stands in for `docker compose config`)"
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True)
        if probe.returncode != 0:
            return "skipped (docker CLI has no compose plugin; schema check above stands in)"
        try:
            out = subprocess.run([docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
                                 capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return "skipped (docker compose config did not answer within 60 s)"
        need(out.returncode == 0, f"docker compose config: {out.stderr.strip()}")
        return "docker compose config -q"

    r.run("compose: docker compose config (when installed)", compose_cli)

    def shell_snippets():
        """shellcheck over deploy/check and every shell script embedded in the
        Dockerfile and compose file."""
        scripts = [("deploy/check", "bash", (DEPLOY / "check").read_text())]
        df = state.get("df")
        if df:
            for hc in df.all("HEALTHCHECK"):
                argv = exec_form(re.search(r"CMD\s+(\[.*\])", hc)[1], "HEALTHCHECK")
                if argv[:2] == ["bash", "-c"]:
                    scripts.append(("Dockerfile HEALTHCHECK", "bash", argv[2]))
        for n, s in (state.get("compose") or {}).get("services", {}).items():
            ep = cmd_list(s.get("entrypoint")) or []
            if ep[:1] in (["/bin/sh"], ["sh"]) and "-ec" in ep + ["-c"]:
                scripts.append((f"compose {n} script", "sh", " ".join(cmd_list(s.get("command")))))
            test = (s.get("healthcheck") or {}).get("test") or []
            if test[:3] == ["CMD", "bash", "-c"]:
                scripts.append((f"compose {n} healthcheck", "bash", test[3]))
        for name, shell, text in scripts:
            out = subprocess.run([tool("shellcheck"), "-s", shell, "-"], input=text,
                                 capture_output=True, text=True, timeout=60)
            need(out.returncode == 0, f"{name}:\n{out.stdout.strip()}")
        return f"{len(scripts)} scripts clean"

    r.run("shellcheck: deploy/check and embedded scripts", shell_snippets)

    # ---- systemd -----------------------------------------------------------
    def systemd_unit():
        path = DEPLOY / "systemd/buddymatch.service"
        unit = parse_unit(path)
        need(set(unit) == {"Unit", "Service", "Install"}, f"sections {sorted(unit)}")
        for sec, items in unit.items():
            for k, _ in items:
                need(k in SYSTEMD_KNOWN[sec], f"{rel(path)}: [{sec}] {k} is not a directive this check knows")
        svc = {}
        for k, v in unit["Service"]:
            svc.setdefault(k, []).append(v)
        one_ = lambda k: svc.get(k, [None])[-1]
        exec_ = one_("ExecStart").split()
        need(Path(exec_[0]).is_absolute() and Path(exec_[0]).name == facts.binary,
             f"ExecStart runs {exec_[0]}, not {facts.binary}")
        need(exec_[1:2] == ["serve"], f"ExecStart should run `{facts.binary} serve`")
        required = {
            "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
            "PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "",
            "RestrictSUIDSGID": "yes", "StateDirectory": "buddymatch",
        }
        for k, v in required.items():
            need(one_(k) == v, f"{k}={one_(k)}: expected {k}={v}")
        need(one_("DynamicUser") == "yes" or one_("User"), "runs as root: set DynamicUser= or User=")
        env = {}
        for e in svc.get("Environment", []):
            for m in re.finditer(r'"?(\w+)=([^"\s]*)"?', e):
                env[m[1]] = m[2]
        state_dir = f"/var/lib/{one_('StateDirectory')}"
        need(env.get("BUDDYMATCH_DATA_DIR") == state_dir and one_("WorkingDirectory") == state_dir,
             f"data dir and working directory should be the StateDirectory {state_dir} (the only writable place)")
        for k, v in env.items():
            check_value(facts, k, v, "buddymatch.service Environment=")
        envfile = one_("EnvironmentFile")
        need(envfile == "/etc/buddymatch/buddymatch.env", f"EnvironmentFile={envfile}")
        stop = int(re.sub(r"s$", "", one_("TimeoutStopSec") or "90"))
        need(stop > facts.shutdown_secs, f"TimeoutStopSec {stop}s is shorter than the {facts.shutdown_secs}s drain")
        state["unit_env"] = env
        return f"ExecStart {' '.join(exec_)}, hardening directives present"

    r.run("systemd: unit against the code", systemd_unit)

    def systemd_env():
        path = DEPLOY / "systemd/buddymatch.env"
        env = parse_env_file(path)
        for k, v in env.items():
            check_value(facts, k, v, rel(path))
        port = bind_port(env.get("BUDDYMATCH_BIND", "127.0.0.1:8080"))
        need(port >= 1024, "the unit has no capabilities, so it cannot bind a port below 1024")
        for k in ("DATABASE_URL", "BUDDYMATCH_SMTP_URL"):
            if k in env:
                need(PLACEHOLDER in env[k], f"{k} in the example is not an obvious placeholder")
        text = path.read_text()
        need(re.search(r"^#\s*BUDDYMATCH_SIGNING_KEY=", text, re.M) and "BUDDYMATCH_SIGNING_KEY" not in env,
             "the example must leave BUDDYMATCH_SIGNING_KEY commented out (no shared example key)")
        for name in re.findall(r"\b(BUDDYMATCH_[A-Z0-9_]+|DATABASE_URL)\b", text):
            need(name in facts.env_names, f"{rel(path)} mentions {name}, which is not a setting")
        return f"{len(env)} settings"

    r.run("systemd: environment file", systemd_env)

    def systemd_analyze():
        sa = shutil.which("systemd-analyze")
        if not sa:
            return "skipped (systemd-analyze not installed; the directive check above stands in)"
        with tempfile.TemporaryDirectory() as tmp:
            # The binary is not installed here: point ExecStart at a stub so
            # verify checks everything else in the unit.
            stub = Path(tmp) / facts.binary
            stub.write_text("#!/bin/sh\n")
            stub.chmod(0o755)
            text = (DEPLOY / "systemd/buddymatch.service").read_text()
            text = re.sub(r"^ExecStart=\S+", f"ExecStart={stub}", text, flags=re.M)
            unit = Path(tmp) / "buddymatch.service"
            unit.write_text(text)
            out = subprocess.run([sa, "verify", str(unit)], capture_output=True, text=True, timeout=60)
            msg = (out.stdout + out.stderr).strip()
            need(out.returncode == 0 and not msg, f"systemd-analyze verify: {msg}")
            sec = subprocess.run([sa, "security", "--offline=yes", "--threshold=20", str(unit)],
                                 capture_output=True, text=True, timeout=60)
            level = re.search(r"Overall exposure level for \S+: ([\d.]+)", sec.stdout)
            if sec.returncode != 0 and not level:
                return f"verify clean; `security --offline` unsupported here ({sec.stderr.strip()[:80]})"
            need(sec.returncode == 0, f"systemd-analyze security: exposure {level[1] if level else '?'} above 2.0")
            return f"verify clean; security exposure {level[1] if level else '?'} (limit 2.0)"

    r.run("systemd: systemd-analyze verify + security (when installed)", systemd_analyze)

    # ---- README ------------------------------------------------------------
    def readme():
        text = (DEPLOY / "README.md").read_text()
        for name in set(re.findall(r"\b(BUDDYMATCH_[A-Z0-9_]+|DATABASE_URL)\b", text)):
            need(name in facts.env_names, f"deploy/README.md mentions {name}, which is not a setting")
        # Commands are checked where they are commands: in code blocks and spans.
        code = "\n".join(re.findall(r"```[^\n]*\n(.*?)```", text, re.S) + re.findall(r"`([^`\n]+)`", text))
        for sub in re.findall(rf"(?:^|[\s/]){facts.binary} ([a-z][a-z-]+)", code, re.M):
            need(sub in facts.subcommands, f"deploy/README.md runs `{facts.binary} {sub}`: no such subcommand")
        for sub in re.findall(rf"\b{facts.binary} admin ([a-z-]+)", code):
            need(sub in facts.admin_subcommands, f"deploy/README.md: `admin {sub}` is not a subcommand")
        # (`kubectl exec deploy/NAME` names a Deployment, not a file)
        for p in set(re.findall(r"(?<!exec )(?<![\w/])deploy/[\w./-]*\w", text)):
            need((ROOT / p).exists(), f"deploy/README.md refers to {p}, which does not exist")
        for route in set(re.findall(r"(?<![\w/])(/(?:healthz|readyz|api/v1/[\w/{}-]+))", text)):
            need(route in facts.spec_paths, f"deploy/README.md mentions {route}, not a route in api-spec/openapi.yaml")
        # Claims about the code that the guide makes.
        db = (ROOT / "src/store/db.rs").read_text()
        if "pg_advisory_lock" in text:
            body = re.search(r"fn run_migrations\b.*?\n\}", db, re.S)
            need(body and "pg_advisory_lock(" in body[0] and "pg_advisory_unlock(" in body[0],
                 "deploy/README.md says migrations hold pg_advisory_lock, but run_migrations in "
                 "src/store/db.rs no longer takes it")
        drains = set(re.findall(r"up to (\d+) s\b", text))
        need(drains <= {str(facts.shutdown_secs)},
             f"deploy/README.md says requests drain for up to {drains} s; src/startup.rs says {facts.shutdown_secs}")
        return "settings, subcommands, paths and routes it names exist; its claims about the code hold"

    r.run("README", readme)

    summary = f"deploy: {r.passed} passed, {r.failed} failed" + (f", {r.skipped} skipped" if r.skipped else "")
    print(summary)
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
