"""Les récepteurs de signaux et les vérifications sont découverts par `core` (`<app>/receivers.py`,
`<app>/checks.py`) : aucune application ne se branche dans `AppConfig.ready()`, aucun `@receiver` ailleurs."""

import ast
import sys

from django.apps import apps

from tests.architecture.test_state_changes import ROOT, application_files


def test_only_core_has_a_ready_method():
    with_ready = []
    for path in ROOT.glob("*/apps.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == "ready":
                with_ready.append(path.parent.name)
    assert with_ready == ["core"]


def test_signal_receivers_live_in_receivers_modules():
    elsewhere = []
    for path in application_files():
        if path.name == "receivers.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            decorators = getattr(node, "decorator_list", [])
            if any(isinstance(d, ast.Call) and getattr(d.func, "id", "") == "receiver" for d in decorators):
                elsewhere.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert elsewhere == []


def test_every_receivers_module_is_loaded():
    for config in apps.get_app_configs():
        if (ROOT / config.label / "receivers.py").exists():
            assert f"{config.name}.receivers" in sys.modules, config.name
