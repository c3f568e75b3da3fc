#!/usr/bin/env python3
"""Offline validation of deploy/: standard tools for each file's own format,
then the cross-checks between the files and the program.

Run through deploy/check, which installs the pinned tools
(deploy/check-requirements.txt) and builds the binary. Each format is left to
its own tool: YAML to ruamel (duplicate keys refused), the Kubernetes
manifests to their official schemas (kubernetes-validate), compose.yaml to
the Compose Specification schema, the Dockerfile to hadolint, shell to
shellcheck, the systemd unit to systemd-analyze. The settings every file
gives buddymatch are checked by the binary itself (`buddymatch config check`,
the clap parser and start-up checks of `serve`); what is left here is what
only the files together can tell: ports, health routes, subcommands, the
image's user, grace periods against the drain time.
"""

from __future__ import annotations

import configparser
import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import jsonschema
import kubernetes_validate
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
BINARY = os.environ.get("BUDDYMATCH_BIN", str(ROOT / "target/debug/buddymatch"))
# Kubernetes releases whose schemas the manifests must satisfy: an older
# supported one and the newest kubernetes-validate ships.
K8S_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]


class Fail(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Fail(msg)


def tool(name: str) -> str:
    """A binary installed by deploy/check-requirements.txt into this venv."""
    path = Path(sys.prefix) / "bin" / name
    need(path.exists(), f"{name} is not installed in {sys.prefix} (deploy/check installs it)")
    return str(path)


def buddymatch(*args: str, env_files: list = ()) -> subprocess.CompletedProcess:
    """Runs the binary with --env-file for each of env_files, in order (later
    ones win): a file of deploy/ as it is, or (name, settings) written to a
    temporary file of that name, so that problems name where they come from."""
    with tempfile.TemporaryDirectory() as tmp:
        flags = []
        for env in env_files:
            if isinstance(env, Path):
                f = env
            else:
                f = Path(tmp) / (re.sub(r"[^\w.-]+", "-", env[0]) + ".env")
                f.write_text("".join(f"{k}={v}\n" for k, v in env[1].items()))
            flags += ["--env-file", os.path.relpath(f, ROOT) if isinstance(env, Path) else str(f)]
        out = subprocess.run([BINARY, *args, *flags], capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, RUST_BACKTRACE="0"))
        out.stderr = out.stderr.replace(tmp + "/", "")
        return out


def config_check(where: str, *envs) -> dict[str, str]:
    """`buddymatch config check` on these layered environments; the resulting
    settings, defaults included."""
    out = buddymatch("config", "check", "--print", env_files=list(envs))
    need(out.returncode == 0, f"{where}: buddymatch config check:\n{out.stderr.strip()}")
    return dict(line.split("=", 1) for line in out.stdout.splitlines()[1:])


def port_of(bind: str) -> int:
    return int(bind.rsplit(":", 1)[1])


def all_interfaces(bind: str) -> bool:
    return bind.rsplit(":", 1)[0] in ("0.0.0.0", "[::]")


class Facts:
    """What the program says about itself."""

    def __init__(self):
        need(Path(BINARY).is_file(), f"{BINARY} is missing (deploy/check builds it)")
        defaults = config_check("the defaults", ("defaults", {}))
        self.drain = int(defaults["BUDDYMATCH_SHUTDOWN_TIMEOUT_SECS"])
        help_ = buddymatch("--help").stdout
        self.settings = set(re.findall(r"\[env: (\w+)", help_))
        spec = YAML(typ="safe", pure=True).load((ROOT / "api-spec/openapi.yaml").read_text())
        self.routes = set(spec["paths"])

    def subcommand(self, *words: str) -> bool:
        return buddymatch(*words, "--help").returncode == 0


# --------------------------------------------------------------------------
# Small readers: just enough of each format to find the values cross-checked
# (the formats themselves are the tools' business).
# --------------------------------------------------------------------------


def dockerfile_stages(path: Path) -> list[list[tuple[str, str]]]:
    """(INSTRUCTION, rest) per stage, continuation lines joined."""
    text = re.sub(r"\\\n(\s*#[^\n]*\n)*", " ", path.read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        instr, _, rest = line.strip().partition(" ")
        if instr.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((instr.upper(), rest.strip()))
    return stages


def compose_defaults(value: str) -> str:
    """${VAR:-default} as it reads when the operator sets nothing."""
    return re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", value)


def healthcheck_target(script: str) -> tuple[str, str]:
    """Port and path of the bash /dev/tcp health checks used here."""
    m = re.search(r"/dev/tcp/[\w.]+/(\S+?)\s.*?GET (/\S*) HTTP", script, re.S)
    need(m, f"cannot read the port and path of {script!r}")
    return m[1].strip('"'), m[2]


# --------------------------------------------------------------------------


def main() -> int:
    passed = failed = 0
    state: dict = {}

    def check(name, fn, needs=()):
        nonlocal passed, failed
        if any(n not in state for n in needs):
            print(f"skip  {name}: it builds on a check that failed above", flush=True)
            return
        try:
            note = fn()
        except Fail as e:
            failed += 1
            print(f"FAIL  {name}\n      {e}", flush=True)
            return
        except Exception:
            failed += 1
            print(f"FAIL  {name} (crashed)\n{traceback.format_exc()}", flush=True)
            return
        passed += 1
        print(f"ok    {name}" + (f": {note}" if note else ""), flush=True)

    try:
        facts = Facts()
    except Fail as e:
        print(f"FAIL  asking the binary about itself: {e}")
        return 1
    print(f"      {len(facts.settings)} settings, {len(facts.routes)} routes, drain {facts.drain} s "
          f"(from {os.path.relpath(BINARY, ROOT)} and api-spec/openapi.yaml)")

    def yaml_files():
        yaml = YAML(typ="safe", pure=True)  # refuses duplicate keys
        docs = {}
        for p in sorted(DEPLOY.rglob("*.yaml")):
            try:
                docs[p] = [d for d in yaml.load_all(p.read_text()) if d is not None]
            except Exception as e:
                raise Fail(f"{p.relative_to(ROOT)}: {e}")
        state["yaml"] = docs
        return f"{len(state['yaml'])} files parse, no duplicate keys"

    check("YAML", yaml_files)
    if "yaml" not in state:
        print(f"deploy: {passed} passed, {failed} failed")
        return 1
    k8s = {f"{d['kind']}/{d['metadata']['name']}": d
           for p, docs in state["yaml"].items() if p.parent == K8S for d in docs
           if d.get("kind") != "Kustomization"}

    def one(kind):
        (doc,) = [d for k, d in k8s.items() if k.startswith(kind + "/")]
        return doc

    # ---- Dockerfile --------------------------------------------------------
    def hadolint():
        out = subprocess.run([tool("hadolint"), "--no-color", str(DEPLOY / "Dockerfile")],
                             capture_output=True, text=True, timeout=60)
        need(out.returncode == 0, (out.stdout + out.stderr).strip())

    check("Dockerfile: hadolint", hadolint)

    def dockerfile():
        run = dockerfile_stages(DEPLOY / "Dockerfile")[-1]
        get = lambda i: [rest for instr, rest in run if instr == i]
        env = dict(re.findall(r'(\w+)=("[^"]*"|\S+)', " ".join(get("ENV"))))
        settings = config_check("Dockerfile ENV", ("Dockerfile-ENV", env))
        bind = settings["BUDDYMATCH_BIND"]
        need(all_interfaces(bind), f"BUDDYMATCH_BIND {bind} must listen on all interfaces in a container")
        exposed = {int(p.split("/")[0]) for e in get("EXPOSE") for p in e.split()}
        need(exposed == {port_of(bind)}, f"EXPOSE {exposed} is not BUDDYMATCH_BIND's port {port_of(bind)}")
        (hc,) = get("HEALTHCHECK")
        argv = json.loads(re.search(r"CMD\s+(\[.*\])", hc)[1])
        port, path = healthcheck_target(argv[-1])
        need(port == "${BUDDYMATCH_BIND##*:}", f"HEALTHCHECK port {port} does not follow BUDDYMATCH_BIND")
        need(path in facts.routes, f"HEALTHCHECK {path} is not a route")
        cmd = json.loads(get("CMD")[-1])
        need(facts.subcommand(*cmd[:1]), f"CMD {cmd}: no such subcommand")
        uid = get("USER")[-1].split(":")[0]
        need(uid.isdigit() and int(uid) > 0, f"USER {uid} must be a numeric non-root uid")
        state.update(image_env=env, uid=int(uid), healthcheck=argv[-1])
        return f"settings pass config check; port {port_of(bind)}; HEALTHCHECK {path}; uid {uid}"

    check("Dockerfile: settings, port, health check, user", dockerfile)

    # ---- Kubernetes --------------------------------------------------------
    def k8s_schema():
        for key, doc in k8s.items():
            for v in K8S_VERSIONS:
                try:
                    kubernetes_validate.validate(doc, v, strict=True)
                except kubernetes_validate.ValidationError as e:
                    raise Fail(f"{key} against Kubernetes {v}: {e.message} at {'/'.join(map(str, e.path))}")
        kust = state["yaml"][K8S / "kustomization.yaml"][0]
        listed = set(kust.get("resources", []))
        files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
        need(listed == files, f"kustomization.yaml lists {sorted(listed)}, the folder has {sorted(files)} "
                              "(secret.example.yaml must stay out: applying it would replace real credentials)")
        return f"{len(k8s)} objects, strict, against Kubernetes {' and '.join(K8S_VERSIONS)}"

    check("k8s: official JSON schemas (kubernetes-validate)", k8s_schema)

    def pod_env(container) -> list[dict]:
        """The container's environment as layers: the image's ENV, its
        envFrom ConfigMaps, then its own env (secrets from the example)."""
        layers = [("Dockerfile-ENV", state.get("image_env", {}))]
        for src in container.get("envFrom", []):
            name = src["configMapRef"]["name"]
            layers.append((f"ConfigMap-{name}", dict(k8s[f"ConfigMap/{name}"]["data"])))
        own = {}
        for e in container.get("env", []):
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            own[e["name"]] = (k8s[f"Secret/{ref['name']}"]["stringData"][ref["key"]] if ref else e["value"])
        return layers + [(f"container-{container['name']}-env", own)]

    def k8s_settings():
        # The example Secret's signing key is a placeholder kept under 32
        # bytes so an unedited copy refuses to start: exactly that, nothing else.
        dep = one("Deployment")["spec"]["template"]["spec"]["containers"][0]
        out = buddymatch("config", "check", env_files=pod_env(dep))
        problems = out.stderr.strip().splitlines()[:-1]
        need(out.returncode != 0 and len(problems) == 1 and ": BUDDYMATCH_SIGNING_KEY: " in problems[0],
             "the Deployment with the example Secret should fail on the placeholder signing key alone:\n"
             + out.stderr.strip())
        real = pod_env(dep)
        real[-1] = (real[-1][0], dict(real[-1][1], BUDDYMATCH_SIGNING_KEY="k" * 32))
        state["pod"] = config_check("Deployment (ConfigMap + Secret with a real key)", *real)
        job = one("Job")["spec"]["template"]["spec"]["containers"][0]
        config_check("migration Job", *pod_env(job))
        return "Deployment and Job settings pass; the example key is refused as meant"

    check("k8s: settings (buddymatch config check)", k8s_settings)

    def k8s_wiring():
        tmpl = one("Deployment")["spec"]["template"]
        (c,) = tmpl["spec"]["containers"]
        bind = state["pod"]["BUDDYMATCH_BIND"]
        port = port_of(bind)
        need(all_interfaces(bind), f"Deployment: BUDDYMATCH_BIND {bind} must listen on all interfaces")
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        need(port in ports.values(), f"containerPort {sorted(ports.values())} is not BUDDYMATCH_BIND's port {port}")
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            get = c[kind]["httpGet"]
            need(get["path"] in facts.routes, f"{kind} {get['path']} is not a route")
            need(ports.get(get["port"], get["port"]) == port, f"{kind} port {get['port']} is not {port}")
        for p in one("Service")["spec"]["ports"]:
            need(ports.get(p["targetPort"], p["targetPort"]) == port, f"Service targetPort {p['targetPort']} is not {port}")
        for kind in ("Deployment", "Job"):
            spec = one(kind)["spec"]["template"]["spec"]
            args = spec["containers"][0]["args"]
            need(facts.subcommand(*args[:1]), f"{kind} runs `buddymatch {' '.join(args)}`: no such subcommand")
            if "uid" in state:
                need(spec["securityContext"]["runAsUser"] == state["uid"],
                     f"{kind} runAsUser is not the image's uid {state['uid']}")
        pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
        pre_s = int(pre[1]) if pre[:1] == ["sleep"] else 0
        grace = tmpl["spec"].get("terminationGracePeriodSeconds", 30)
        need(grace > pre_s + facts.drain,
             f"terminationGracePeriodSeconds {grace} <= preStop {pre_s} s + drain {facts.drain} s")
        hpa_max = one("HorizontalPodAutoscaler")["spec"]["maxReplicas"]
        pool = int(state["pod"]["BUDDYMATCH_DB_POOL_SIZE"])
        need(hpa_max * pool + 1 <= 100,
             f"{hpa_max} replicas x pool {pool} (+ the Job) exceed PostgreSQL's default max_connections 100")
        return f"port {port} in probes and Service; grace {grace} s > {pre_s} + {facts.drain} s"

    check("k8s: ports, probes, subcommands, user, grace", k8s_wiring, needs=("pod",))

    def kubectl():
        exe = shutil.which("kubectl")
        if not exe:
            return "not installed, skipped"
        out = subprocess.run([exe, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
        need(out.returncode == 0, f"kubectl kustomize: {out.stderr.strip()}")
        return "kubectl kustomize renders"

    check("k8s: kubectl kustomize (when installed)", kubectl)

    # ---- compose -----------------------------------------------------------
    def compose_schema():
        doc = state["yaml"][DEPLOY / "compose.yaml"][0]
        schema = json.loads(importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
                            .joinpath("compose-spec.json").read_text())
        errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(doc))
        need(not errors, "; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]))
        return f"{len(doc['services'])} services valid against the Compose Specification schema"

    check("compose: schema", compose_schema)

    def compose_wiring():
        svcs = state["yaml"][DEPLOY / "compose.yaml"][0]["services"]
        ours = {n: s for n, s in svcs.items() if "buddymatch" in str(s.get("image")) and "entrypoint" not in s}
        servers = []
        for n, s in ours.items():
            cmd = s.get("command") or ["serve"]
            need(facts.subcommand(cmd[0]), f"{n}: `buddymatch {cmd[0]}` is no subcommand")
            env = {k: compose_defaults(str(v)) for k, v in (s.get("environment") or {}).items()}
            settings = config_check(f"compose {n}", ("Dockerfile-ENV", state.get("image_env", {})),
                                    (f"compose-{n}-environment", env))
            if cmd[0] != "serve":
                continue
            servers.append(n)
            port = port_of(settings["BUDDYMATCH_BIND"])
            hc_port, hc_path = healthcheck_target(s["healthcheck"]["test"][-1])
            need(hc_port == str(port), f"{n}: health check port {hc_port} is not {port}")
            need(hc_path in facts.routes, f"{n}: health check {hc_path} is not a route")
            grace = int(s.get("stop_grace_period", "10s").rstrip("s"))
            need(grace > facts.drain, f"{n}: stop_grace_period {grace} s is not above the {facts.drain} s drain")
        conf = (DEPLOY / "nginx.conf").read_text()
        upstream = set(re.findall(r"^\s*server\s+([\w.-]+:\d+)", conf, re.M))
        want = {f"{n}:{port}" for n in servers}
        need(upstream == want, f"nginx upstream {sorted(upstream)} is not the instances {sorted(want)}")
        lb_ip = svcs["lb"]["networks"]["default"]["ipv4_address"]
        for n in servers:
            trusted = svcs[n]["environment"].get("BUDDYMATCH_TRUSTED_PROXIES")
            need(trusted == lb_ip, f"{n}: BUDDYMATCH_TRUSTED_PROXIES {trusted} is not nginx's address {lb_ip}")
        return f"{', '.join(sorted(ours))} pass config check; {', '.join(servers)} on port {port} behind nginx"

    check("compose: settings, subcommands, ports, health, nginx", compose_wiring)

    def shellcheck():
        scripts = [("deploy/check", "bash", (DEPLOY / "check").read_text())]
        if "healthcheck" in state:
            scripts.append(("Dockerfile HEALTHCHECK", "bash", state["healthcheck"]))
        for n, s in state["yaml"][DEPLOY / "compose.yaml"][0]["services"].items():
            if (s.get("entrypoint") or [])[:1] == ["/bin/sh"]:
                scripts.append((f"compose {n}", "sh", "\n".join(s["command"])))
            test = (s.get("healthcheck") or {}).get("test") or []
            if test[:3] == ["CMD", "bash", "-c"]:
                scripts.append((f"compose {n} healthcheck", "bash", test[3]))
        for name, shell, text in scripts:
            out = subprocess.run([tool("shellcheck"), "-s", shell, "-"], input=text,
                                 capture_output=True, text=True, timeout=60)
            need(out.returncode == 0, f"{name}:\n{out.stdout.strip()}")
        return f"{len(scripts)} scripts clean"

    check("shellcheck: deploy/check and embedded scripts", shellcheck)

    # ---- systemd -----------------------------------------------------------
    def systemd():
        unit = configparser.RawConfigParser(strict=False, interpolation=None)
        unit.optionxform = str
        unit.read(DEPLOY / "systemd/buddymatch.service")
        svc = unit["Service"]
        exec_start = svc["ExecStart"].split()
        need(Path(exec_start[0]).name == "buddymatch" and facts.subcommand(*exec_start[1:2]),
             f"ExecStart {svc['ExecStart']} does not run a buddymatch subcommand")
        unit_env = dict(kv.split("=", 1) for kv in svc["Environment"].split())
        settings = config_check("buddymatch.service + buddymatch.env", ("buddymatch.service-Environment", unit_env),
                                DEPLOY / "systemd/buddymatch.env")
        need(port_of(settings["BUDDYMATCH_BIND"]) >= 1024, "the unit has no capabilities: bind a port from 1024")
        need(settings["BUDDYMATCH_DATA_DIR"] == f"/var/lib/{svc['StateDirectory']}",
             "BUDDYMATCH_DATA_DIR is not the StateDirectory, the only writable place")
        stop = int(svc.get("TimeoutStopSec", "90").rstrip("s"))
        need(stop > facts.drain, f"TimeoutStopSec {stop} s is not above the {facts.drain} s drain")
        exe = shutil.which("systemd-analyze")
        if not exe:
            return "settings pass; systemd-analyze not installed, skipped"
        with tempfile.TemporaryDirectory() as tmp:
            # The binary is not installed here: a stub lets verify check the rest.
            stub = Path(tmp) / "buddymatch"
            stub.write_text("#!/bin/sh\n")
            stub.chmod(0o755)
            text = (DEPLOY / "systemd/buddymatch.service").read_text()
            path = Path(tmp) / "buddymatch.service"
            path.write_text(re.sub(r"^ExecStart=\S+", f"ExecStart={stub}", text, flags=re.M))
            out = subprocess.run([exe, "verify", str(path)], capture_output=True, text=True, timeout=60)
            need(out.returncode == 0 and not (out.stdout + out.stderr).strip(),
                 f"systemd-analyze verify: {(out.stdout + out.stderr).strip()}")
            sec = subprocess.run([exe, "security", "--offline=yes", "--threshold=20", str(path)],
                                 capture_output=True, text=True, timeout=60)
            level = re.search(r"Overall exposure level for \S+: ([\d.]+)", sec.stdout)
            need(sec.returncode == 0, f"systemd-analyze security: exposure {level[1] if level else '?'} above 2.0")
        return f"settings pass; verify clean; exposure {level[1] if level else '?'} (limit 2.0)"

    check("systemd: settings, drain, systemd-analyze verify + security", systemd)

    # ---- README ------------------------------------------------------------
    def readme():
        text = (DEPLOY / "README.md").read_text()
        for name in set(re.findall(r"\b(BUDDYMATCH_[A-Z0-9_]+|DATABASE_URL)\b", text)):
            need(name in facts.settings, f"it mentions {name}, which is not a setting")
        code = "\n".join(re.findall(r"```[^\n]*\n(.*?)```", text, re.S) + re.findall(r"`([^`\n]+)`", text))
        for words in set(re.findall(r"(?:^|[\s/])buddymatch ((?:[a-z][a-z-]+ ?){1,2})", code, re.M)):
            first = words.split()[:1]
            need(facts.subcommand(*first), f"it runs `buddymatch {words.strip()}`: no such subcommand")
        for p in set(re.findall(r"(?<!exec )(?<![\w/])deploy/[\w./-]*\w", text)):
            need((ROOT / p).exists(), f"it refers to {p}, which does not exist")
        for route in set(re.findall(r"(?<![\w/])(/(?:healthz|readyz|api/v1/[\w/{}-]+))", text)):
            need(route in facts.routes, f"it mentions {route}, not a route in api-spec/openapi.yaml")
        drains = set(re.findall(r"up to (\d+) s\b", text))
        need(drains <= {str(facts.drain)}, f"it says requests drain for up to {drains} s; the binary says {facts.drain}")
        return "settings, subcommands, files and routes it names exist"

    check("deploy/README.md", readme)

    print(f"deploy: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
