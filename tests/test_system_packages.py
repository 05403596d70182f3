"""`make test`'s first step: what it asks for when Java 17 or Chromium is missing and it may not
install them (not root), before any test starts."""
from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "scripts" / "system-packages.sh"


def fake_tools(folder: Path, java_version: str | None, user_id: int) -> Path:
    """A PATH folder with `id` (this user id), `apt-get`, and `java` of `java_version` if given,
    plus the basic tools the script calls."""
    folder.mkdir()
    scripts = {"id": f"echo {user_id}", "apt-get": "echo apt-get was run >&2; exit 3"}
    if java_version:
        scripts["java"] = f"echo '    java.specification.version = {java_version}' >&2"
    for name, body in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{body}\n")
        (folder / name).chmod(0o755)
    for tool in ("sed", "sh", "cat"):
        (folder / tool).symlink_to(subprocess.check_output(["sh", "-c", f"command -v {tool}"], text=True).strip())
    return folder


def run(tmp_path: Path, java_version: str | None, chromium: Path, user_id: int = 1000) -> subprocess.CompletedProcess:
    tools = fake_tools(tmp_path / "bin", java_version, user_id)
    return subprocess.run(["/bin/sh", str(SCRIPT)], capture_output=True, text=True, timeout=30,
                          env={"PATH": str(tools), "ENGAGEKIT_CHROMIUM": str(chromium)})


def executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_nothing_to_do_when_java_17_and_chromium_are_there(tmp_path: Path) -> None:
    done = run(tmp_path, "17", executable(tmp_path / "chromium"))
    assert (done.returncode, done.stderr) == (0, "")


def test_an_old_java_without_root_names_the_command_and_fails(tmp_path: Path) -> None:
    done = run(tmp_path, "11", executable(tmp_path / "chromium"))
    assert done.returncode == 1
    assert "sudo apt-get install -y openjdk-17-jre-headless" in done.stderr
    assert "apt-get was run" not in done.stderr


def test_a_missing_chromium_is_named(tmp_path: Path) -> None:
    done = run(tmp_path, "17", tmp_path / "no-chromium")
    assert done.returncode == 1 and "no-chromium is not an executable file" in done.stderr


def test_as_root_it_installs_with_apt(tmp_path: Path) -> None:
    done = run(tmp_path, None, executable(tmp_path / "chromium"), user_id=0)
    assert done.returncode == 3 and "apt-get was run" in done.stderr  # the fake apt-get's exit code
