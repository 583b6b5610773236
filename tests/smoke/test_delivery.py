"""The delivery files of every backend's project, checked offline by the validators of their formats.

No Docker engine or cluster runs here, so what can be proven without one is: hadolint on the Dockerfile,
the GitHub workflow and both compose files against their JSON schemas (shipped inside check-jsonschema),
the Kubernetes manifests against the schemas kubernetes-validate ships (strict: no unknown fields), and
pre-commit's own check of its config. A few facts no schema knows are asserted on the parsed files.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from dbgen import writer
from dbgen.backends import BACKENDS
from dbgen.commands.new import plan_new
from tests.smoke.servers import missing

pytestmark = pytest.mark.smoke

BIN = Path(sys.executable).parent  # the validators are console scripts of dbgen's dev extra


def run(tool: str, *args: str, cwd: Path) -> str:
    result = subprocess.run([str(BIN / tool), *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`{tool} {' '.join(args)}` failed ({result.returncode}):\n{output}"
    return output


@dataclass
class Project:
    root: Path
    db: str

    @property
    def sql(self) -> bool:
        return BACKENDS[self.db].is_sql

    def load(self, path: str) -> Any:
        return yaml.safe_load((self.root / path).read_text())


@pytest.fixture(scope="module", params=list(BACKENDS))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp(request.param) / "shop"
    writer.apply(plan_new("shop", request.param, root))
    return Project(root, request.param)


def test_hadolint_finds_nothing_in_the_dockerfile(project: Project) -> None:
    assert run("hadolint", "Dockerfile", cwd=project.root).strip() == ""
    dockerfile = (project.root / "Dockerfile").read_text()
    runtime = dockerfile.split("\nFROM ")[-1]  # the final stage: what the image runs
    assert "USER 10001" in runtime and "HEALTHCHECK" in runtime and "/health/ready" in runtime
    command = runtime.rstrip().splitlines()[-1]
    assert "uv" not in runtime.split() and command.startswith("CMD ")
    assert "alembic" not in command and "--reload" not in command  # serves only, migrations run apart


def test_workflow_matches_the_github_schema(project: Project) -> None:
    run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", ".github/workflows/ci.yml", cwd=project.root)
    workflow = project.load(".github/workflows/ci.yml")
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["test"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    commands = " ".join(str(step.get("run", "")) for step in job["steps"])
    assert "--cov-fail-under=90" in commands
    assert ("alembic check" in commands) == BACKENDS[project.name if False else project.db].is_sql
    # Redis for the job tests on every backend; a database server beside it on all but SQLite.
    assert "redis" in job["services"] and job["env"]["TEST_JOBS_BROKER_URL"].startswith("redis://")
    assert (len(job["services"]) > 1) == (project.db != "sqlite")


def _db(project: Project) -> str:
    return project.parent.name.rstrip("0123456789")


def test_compose_files_match_the_compose_specification(project: Project) -> None:
    run(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.compose-spec",
        "compose.yaml",
        "compose.override.yaml",
        cwd=project.root,
    )
    services = project.load("compose.yaml")["services"]
    app = services["app"]
    assert "healthcheck" in app
    if project.sql:
        assert app["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    else:
        assert "migrate" not in services
    if project.db != "sqlite":
        assert "healthcheck" in services["db"]
        assert app["depends_on"]["db"] == {"condition": "service_healthy"}
    override = project.load("compose.override.yaml")["services"]["app"]
    assert "--reload" in override["command"] and "./app:/srv/app:ro" in override["volumes"]
    # Jobs: Redis, and a worker with the app's image and a heartbeat check, on the same broker as the app.
    worker = services["worker"]
    assert worker["command"] == ["python", "-m", "app.worker"] and "healthcheck" in worker
    assert worker["environment"]["JOBS_BROKER_URL"] == app["environment"]["JOBS_BROKER_URL"] == "redis://redis:6379/0"
    assert app["depends_on"]["redis"] == {"condition": "service_healthy"} and "healthcheck" in services["redis"]


def test_kubernetes_manifests_match_the_kubernetes_schemas(project: Project) -> None:
    folder = project.root / "deploy/kubernetes"
    manifests = sorted(str(path.relative_to(project.root)) for path in folder.glob("*.yaml"))
    output = run("kubernetes-validate", "--strict", *manifests, cwd=project.root)
    assert output.count("passed for resource") == len(manifests), output
    kinds = {project.load(path)["kind"] for path in manifests}
    expected = {"ConfigMap", "Deployment", "Service"}
    # SQLite is one file on one volume: one pod, migrated by an init container, never scaled out.
    expected |= {"PersistentVolumeClaim"} if project.db == "sqlite" else {"HorizontalPodAutoscaler"}
    expected |= {"Job"} if project.sql and project.db != "sqlite" else set()
    assert kinds == expected
    pod = project.load("deploy/kubernetes/deployment.yaml")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    container = pod["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["resources"]["requests"]
    sources = [next(iter(source)) for source in container["envFrom"]]
    assert sources == ["configMapRef", "secretRef"]
    if project.db != "sqlite":  # SQLite's single pod runs its jobs in its own process
        worker = project.load("deploy/kubernetes/worker.yaml")["spec"]["template"]["spec"]["containers"][0]
        assert worker["command"] == ["python", "-m", "app.worker"]
        assert worker["livenessProbe"]["exec"]["command"] == ["saq", "app.worker.settings", "--check"]


def test_pre_commit_config_is_valid(project: Project) -> None:
    run("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=project.root)
    repos = project.load(".pre-commit-config.yaml")["repos"]
    assert [hook["id"] for repo in repos for hook in repo["hooks"]] == ["ruff", "ruff-format", "mypy"]


def test_makefile_targets_parse(project: Project) -> None:
    make = shutil.which("make")
    if make is None:
        missing("make is not installed")  # in CI a failure: the Makefile is part of what is delivered
    targets = ["install", "hooks", "lint", "format", "test", "coverage", "run", "docker-build", "up", "down"]
    targets += ["migrate"] if project.sql else []
    result = subprocess.run([make, "-n", *targets], cwd=project.root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--cov-fail-under=90" in result.stdout


# Where a shipped file could tell uvicorn (or a host check) to trust every peer.
TRUST_ALL = re.compile(r"(FORWARDED_ALLOW_IPS|forwarded[-_]allow[-_]ips|ALLOWED_HOSTS)\W{0,4}\*")


def shipped_files(project: Project) -> list[Path]:
    names = ["Dockerfile", "Makefile", "compose.yaml", "compose.override.yaml", ".env.example"]
    return [project.root / name for name in names] + sorted((project.root / "deploy/kubernetes").glob("*.yaml"))


def test_no_shipped_file_trusts_every_proxy_or_host(project: Project) -> None:
    for path in shipped_files(project):
        assert not TRUST_ALL.search(path.read_text()), path.name
    settings = project.load("deploy/kubernetes/configmap.yaml")["data"]
    # uvicorn trusts X-Forwarded-* from these networks only: each one parses as an address or a network.
    for network in settings["FORWARDED_ALLOW_IPS"].split(","):
        ipaddress.ip_network(network.strip())
    assert settings["ENVIRONMENT"] == "production" and settings["ALLOWED_HOSTS"]  # production refuses no hosts
    assert settings["METRICS_ENABLED"] == "false"  # /metrics off unless asked for (then it needs METRICS_TOKEN)
    dockerfile = (project.root / "Dockerfile").read_text()
    assert "FORWARDED_ALLOW_IPS=127.0.0.1" in dockerfile and "--forwarded-allow-ips" not in dockerfile
    app = project.load("compose.yaml")["services"]["app"]["environment"]
    assert app["ENVIRONMENT"] == "production" and app["ALLOWED_HOSTS"]


def test_migrations_get_the_database_url_and_no_other_secret(project: Project) -> None:
    if not project.sql:
        return
    assert set(project.load("compose.yaml")["services"]["migrate"]["environment"]) == {"DATABASE_URL"}
    if project.db == "sqlite":
        migrate = project.load("deploy/kubernetes/deployment.yaml")["spec"]["template"]["spec"]["initContainers"][0]
    else:
        migrate = project.load("deploy/kubernetes/migrate-job.yaml")["spec"]["template"]["spec"]["containers"][0]
    assert [next(iter(source)) for source in migrate["envFrom"]] == ["configMapRef"]
    assert [(var["name"], var["valueFrom"]["secretKeyRef"]["key"]) for var in migrate["env"]] == [
        ("DATABASE_URL", "DATABASE_URL")
    ]
