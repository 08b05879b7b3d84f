"""deploy/k8s/: the Zero to JupyterHub values are ones the chart accepts, and they describe the same site as the
single-machine configuration (deploy/jupyterhub_config.py, loaded as JupyterHub loads it)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ground.settings import PROJECT_ROOT
from service.site import GROUPS
from tests.deploy.hubconfig import load_hub_config

K8S = PROJECT_ROOT / "deploy" / "k8s"
CHART = Path("/work/shared/z2jh")
# on Kubernetes the chart runs jupyterhub-idle-culler itself (values: cull), as a service with its own role
CHART_RUNS = {"idle-culler"}
K8S_ONLY = frozenset({"volumes", "volume_mounts"})  # the exam course volume (one machine: a folder)


def deep_merge(defaults: dict, values: dict) -> dict:
    """Helm's merge of a values file over the chart's defaults: maps are merged, everything else replaced, null
    removes a default key."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((K8S / "values.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema() -> dict:
    if not (CHART / "values.schema.yaml").is_file():
        pytest.fail(f"没有找到 Zero to JupyterHub 的 values.schema.yaml：{CHART}")
    return yaml.safe_load((CHART / "values.schema.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def hub_config(monkeypatch):
    monkeypatch.delenv("ACADEMY_HUB_AUTH", raising=False)
    return load_hub_config()


def test_values_validate_against_the_charts_schema(values, schema):
    defaults = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    merged = deep_merge(defaults, values)
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(merged), key=lambda e: list(e.path))
    assert [f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors] == []


def test_the_schema_check_is_not_blind(values, schema):
    defaults = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    wrong = deep_merge(defaults, values)
    wrong["hub"]["db"]["type"] = "postgresql"  # the chart says postgres
    wrong["singleuser"]["storage"]["extraVolumeMount"] = []  # a misspelt key
    messages = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(wrong)]
    assert any("postgresql" in m for m in messages) and any("extraVolumeMount" in m for m in messages)


def test_same_authenticator_and_settings_as_one_machine(values, hub_config):
    config = values["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == hub_config.JupyterHub.authenticator_class
    for name, value in config["NativeAuthenticator"].items():
        assert hub_config.NativeAuthenticator[name] == value, name
    assert config["Authenticator"]["allow_existing_users"] is hub_config.Authenticator.allow_existing_users
    assert values["hub"]["templateVars"] == hub_config.JupyterHub.template_vars
    assert Path(values["hub"]["templatePaths"][0]).parts[-2:] == ("deploy", "templates")
    assert config["KubeSpawner"]["server_token_scopes"] == hub_config.Spawner.server_token_scopes
    assert config["KubeSpawner"]["args"] == [a.replace(str(PROJECT_ROOT), "/srv/academy") for a in hub_config.Spawner.args]
    assert in_image(config["KubeSpawner"]["group_overrides"], drop=K8S_ONLY) == in_image(hub_config.Spawner.group_overrides)
    assert config["KubeSpawner"]["notebook_dir"] == in_image(hub_config.Spawner.notebook_dir)
    assert values["singleuser"]["defaultUrl"] == hub_config.Spawner.default_url
    environment = in_image(hub_config.Spawner.environment)
    for name in ("ACADEMY_EXCHANGE", "JUPYTER_CONFIG_PATH", "JUPYTER_PATH", "LANG"):
        assert values["singleuser"]["extraEnv"][name] == environment[name], name


def in_image(value, drop: frozenset = frozenset()):
    """One machine's paths as they are in the images (the project at /srv/academy); ``drop``: override keys only
    Kubernetes has."""
    text = json.dumps(value, ensure_ascii=False).replace(str(PROJECT_ROOT), "/srv/academy")
    loaded = json.loads(text)
    if isinstance(loaded, dict):
        for override in loaded.values():
            if isinstance(override, dict) and "spawner_override" in override:
                for key in drop:
                    override["spawner_override"].pop(key, None)
    return loaded


def test_exam_administrators_pods_mount_the_exam_course(values):
    override = values["hub"]["config"]["KubeSpawner"]["group_overrides"]["1-exam-administrators"]["spawner_override"]
    mounts = {m["name"]: m["mountPath"] for m in override["volume_mounts"]}
    assert mounts["exam-course"] == override["environment"]["ACADEMY_EXAM_COURSE"]
    assert mounts["nbgrader-exchange"] == values["singleuser"]["extraEnv"]["ACADEMY_EXCHANGE"]
    assert {v["name"] for v in override["volumes"]} == set(mounts)
    manifests = list(yaml.safe_load_all((K8S / "academy-service.yaml").read_text(encoding="utf-8")))
    claims = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "PersistentVolumeClaim"}
    assert claims["exam-course"]["spec"]["accessModes"] == ["ReadWriteMany"]
    # the 学堂服务's pod (keys, grading) mounts it at the same place
    pod = next(m for m in manifests if m["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert {"name": "exam-course", "mountPath": "/srv/academy/grading/course"} in pod["containers"][0]["volumeMounts"]


def test_same_groups_and_roles(values, hub_config):
    assert list(values["hub"]["config"]["JupyterHub"]["load_groups"]) == list(GROUPS)
    assert hub_config.JupyterHub.load_groups == values["hub"]["config"]["JupyterHub"]["load_groups"]
    one_machine = {role["name"]: role for role in hub_config.JupyterHub.load_roles
                   if not set(role.get("services", [])) & CHART_RUNS}
    on_k8s = {name: {"name": name, **role} for name, role in values["hub"]["loadRoles"].items()}
    assert on_k8s == one_machine


def test_same_services(values, hub_config):
    names = {service["name"] for service in hub_config.JupyterHub.services}
    assert "academy" in names
    assert set(values["hub"]["services"]) == names - CHART_RUNS
    assert values["cull"]["enabled"] is True
    academy = next(s for s in hub_config.JupyterHub.services if s["name"] == "academy")
    assert values["hub"]["services"]["academy"]["oauth_no_confirm"] is academy["oauth_no_confirm"]
    assert values["hub"]["services"]["academy"]["url"] == "http://academy:8080"


def test_hub_on_postgres_with_password_from_a_secret(values):
    db = values["hub"]["db"]
    assert db["type"] == "postgres" and db["url"].startswith("postgresql")
    assert "password" not in db and "@" in db["url"] and ":" not in db["url"].split("//")[1].split("@")[0]
    assert values["hub"]["extraEnv"]["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "academy-hub-db"


def test_exchange_is_a_shared_volume_in_every_officers_server(values):
    manifests = list(yaml.safe_load_all((K8S / "academy-service.yaml").read_text(encoding="utf-8")))
    claims = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "PersistentVolumeClaim"}
    storage = values["singleuser"]["storage"]
    volume = next(v for v in storage["extraVolumes"] if v["name"] == "nbgrader-exchange")
    claim = claims[volume["persistentVolumeClaim"]["claimName"]]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert {"name": "nbgrader-exchange", "mountPath": "/srv/nbgrader/exchange"} in storage["extraVolumeMounts"]


def test_academy_service_manifest(values):
    manifests = list(yaml.safe_load_all((K8S / "academy-service.yaml").read_text(encoding="utf-8")))
    kinds = {(m["kind"], m["metadata"]["name"]) for m in manifests}
    assert {("Deployment", "academy"), ("Service", "academy")} <= kinds
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", "service"]
    env = {e["name"]: e for e in container["env"]}
    assert env["ACADEMY_DB_URL"]["valueFrom"]["secretKeyRef"] == {"name": "academy-db", "key": "url"}
    assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "hub", "key": "hub.services.academy.apiToken"}
    # the Service answers where hub.services.academy.url and the officers' ACADEMY_SERVICE_URL point
    service = next(m for m in manifests if m["kind"] == "Service")
    port = service["spec"]["ports"][0]["port"]
    assert values["hub"]["services"]["academy"]["url"] == f"http://{service['metadata']['name']}:{port}"
    assert values["singleuser"]["extraEnv"]["ACADEMY_SERVICE_URL"].startswith(f"http://academy:{port}/services/academy/")
    assert env["JUPYTERHUB_SERVICE_URL"]["value"].endswith(f":{container['ports'][0]['containerPort']}")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    # officers' servers may reach it through their network policy
    egress = values["singleuser"]["networkPolicy"]["egress"][0]
    assert egress["to"][0]["podSelector"]["matchLabels"].items() <= labels.items()
    # only this pod gets the tracker's database: no ACADEMY_DB_URL for the hub or the officers
    assert "ACADEMY_DB_URL" not in values["hub"]["extraEnv"] and "ACADEMY_DB_URL" not in values["singleuser"]["extraEnv"]
