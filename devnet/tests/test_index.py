"""The package index stand-in: deterministic wheels and sdist, PEP 503 pages, PEP 658 metadata, download
counters, and uv (the worker's resolver) resolving and installing from it, wheels only."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import tarfile
import zipfile
from html.parser import HTMLParser
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from ..index import MARKER_PLACEHOLDER, PackageIndex, normalize
from . import requests_shim as http

REPO_ROOT = Path(__file__).resolve().parents[2]
UV = REPO_ROOT / ".venv" / "bin" / "uv"
needs_uv = pytest.mark.skipif(not os.access(UV, os.X_OK), reason="no .venv/bin/uv (scripts/setup.sh installs it)")


class Links(HTMLParser):
    """The anchors of a simple page: (href, attributes, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict, str]] = []
        self._open: tuple[str, dict] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            attributes = dict(attrs)
            self._open = (attributes.pop("href"), attributes)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.links.append((*self._open, data))
            self._open = None


def links(url: str) -> list[tuple[str, dict, str]]:
    status, body = http.request("GET", url)
    assert status == 200, (url, status, body)
    parser = Links()
    parser.feed(body.decode())
    return parser.links


def get(url: str) -> bytes:
    status, body = http.request("GET", url)
    assert status == 200, (url, status)
    return body


def downloads(devnet) -> dict[str, int]:
    return devnet.control("/status", method="GET")["index"]["downloads"]


def uv(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """uv in a clean environment with its own cache, as the worker runs it."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"}
    return subprocess.run([str(UV), *args, "--python", "/usr/bin/python3", "--cache-dir", str(cwd / "uv-cache"), "--no-progress"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# ---------------------------------------------------------------- the files, without a server


def test_builds_are_deterministic_and_wheels_are_complete(tmp_path: Path) -> None:
    first, second = PackageIndex(tmp_path / "marker"), PackageIndex(tmp_path / "marker")
    assert [(f.filename, f.data) for f in first.files] == [(f.filename, f.data) for f in second.files]
    names = {f.filename for f in first.files}
    assert {"cm_greeting-1.0-py3-none-any.whl", "cm_greeting-2.0-py3-none-any.whl", "cm_greeter-1.0-py3-none-any.whl",
            "cm_future-1.0-py3-none-any.whl", "cm_future-2.0-py3-none-any.whl", "cm_sdist_only-1.0.tar.gz"} <= names
    for f in first.files:
        if not f.filename.endswith(".whl"):
            continue
        with zipfile.ZipFile(io.BytesIO(f.data)) as archive:
            contents = {i.filename: archive.read(i) for i in archive.infolist()}
            assert all(i.date_time == (2020, 1, 1, 0, 0, 0) for i in archive.infolist())
        info = f"{normalize(f.project).replace('-', '_')}-{f.version}.dist-info"
        assert contents[f"{info}/METADATA"] == f.metadata
        assert b"Tag: py3-none-any\n" in contents[f"{info}/WHEEL"]
        record = [line.split(",") for line in contents[f"{info}/RECORD"].decode().splitlines()]
        assert sorted(path for path, _, _ in record) == sorted(contents)
        for path, digest, size in record:
            if path != f"{info}/RECORD":
                assert (digest, size) == (record_hash(contents[path]), str(len(contents[path]))), path
    metadata = first.by_name["cm_greeter-1.0-py3-none-any.whl"].metadata.decode()
    assert "Name: cm-greeter\nVersion: 1.0\n" in metadata and "Requires-Dist: cm-greeting>=2\n" in metadata
    assert "Requires-Python: >=4\n" in first.by_name["cm_future-2.0-py3-none-any.whl"].metadata.decode()


def test_the_sdist_carries_the_marker_path_and_no_wheel(tmp_path: Path) -> None:
    index = PackageIndex(tmp_path / "state" / "index" / "sdist-setup-ran")
    assert [f.filename for f in index.projects["cm-sdist-only"]] == ["cm_sdist_only-1.0.tar.gz"]
    sdist = index.by_name["cm_sdist_only-1.0.tar.gz"]
    assert sdist.metadata is None
    with tarfile.open(fileobj=io.BytesIO(sdist.data)) as archive:
        names = archive.getnames()
        setup = archive.extractfile("cm_sdist_only-1.0/setup.py").read().decode()
    assert {"cm_sdist_only-1.0/PKG-INFO", "cm_sdist_only-1.0/pyproject.toml", "cm_sdist_only-1.0/setup.py"} <= set(names)
    assert repr(str(index.marker)) in setup.replace('"', "'") and MARKER_PLACEHOLDER not in setup
    assert index.marker.parent.is_dir() and not index.marker.exists()


# ---------------------------------------------------------------- over HTTP


def test_pages_hashes_and_metadata_files(devnet) -> None:
    root = devnet.index_url + "/"
    projects = [text for _, _, text in links(root)]
    assert projects == ["cm-future", "cm-greeter", "cm-greeting", "cm-sdist-only"]
    before = downloads(devnet)
    seen = 0
    for project in projects:
        for href, attributes, text in links(urljoin(root, f"{project}/")):
            url, fragment = urldefrag(urljoin(urljoin(root, f"{project}/"), href))
            assert url.endswith("/" + text) and fragment.startswith("sha256=")
            data = get(url)
            assert hashlib.sha256(data).hexdigest() == fragment.removeprefix("sha256=")
            seen += 1
            if text.endswith(".tar.gz"):
                assert "data-core-metadata" not in attributes and "data-dist-info-metadata" not in attributes
                continue
            metadata = get(url + ".metadata")
            assert attributes["data-core-metadata"] == attributes["data-dist-info-metadata"] == "sha256=" + hashlib.sha256(metadata).hexdigest()
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                inside = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
                assert archive.read(inside) == metadata
            requires_python = next((line.split(": ", 1)[1] for line in metadata.decode().splitlines() if line.startswith("Requires-Python: ")), None)
            assert attributes.get("data-requires-python") == requires_python
    assert seen == 6
    after = downloads(devnet)
    for name in ("cm_greeting-2.0-py3-none-any.whl", "cm_greeting-2.0-py3-none-any.whl.metadata", "cm_sdist_only-1.0.tar.gz"):
        assert after.get(name, 0) == before.get(name, 0) + 1, name


def test_names_are_normalized_and_unknown_ones_are_not_found(devnet) -> None:
    base = urlsplit(devnet.index_url)
    connection = HTTPConnection(base.hostname, base.port, timeout=10)
    try:
        for path, location in (("/simple", "/simple/"), ("/simple/CM_Greeting/", "/simple/cm-greeting/"),
                               ("/simple/cm.greeting", "/simple/cm-greeting/"), ("/simple/cm-greeting", "/simple/cm-greeting/")):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert (response.status, response.getheader("Location")) == (301, location), path
        for path in ("/simple/cm-no-such-package/", "/files/cm_no_such-1.0-py3-none-any.whl", "/files/cm_sdist_only-1.0.tar.gz.metadata"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 404, path
    finally:
        connection.close()
    assert "text/html" in http.request_full("GET", devnet.index_url + "/cm-greeting/")[1]["Content-Type"]


# ---------------------------------------------------------------- uv, as the worker runs it


@needs_uv
def test_uv_resolves_from_metadata_alone_and_installs_wheels_only(devnet, tmp_path: Path) -> None:
    before = downloads(devnet)
    locks = {}
    for requirement in ("cm-greeter", "cm-greeting<2", "cm-future"):
        (tmp_path / "requirements.in").write_text(requirement + "\n")
        done = uv("pip", "compile", "requirements.in", "--generate-hashes", "--no-build", "--no-header", "--no-annotate",
                  "--default-index", devnet.index_url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        locks[requirement] = done.stdout
    pins = {r: [line.split(" ")[0] for line in lock.splitlines() if "==" in line] for r, lock in locks.items()}
    assert pins == {"cm-greeter": ["cm-greeter==1.0", "cm-greeting==2.0"], "cm-greeting<2": ["cm-greeting==1.0"], "cm-future": ["cm-future==1.0"]}
    greeting = next(link for link in links(devnet.index_url + "/cm-greeting/") if link[2] == "cm_greeting-2.0-py3-none-any.whl")
    assert "--hash=" + greeting[0].split("#", 1)[1].replace("=", ":") in locks["cm-greeter"]
    middle = downloads(devnet)
    assert {k: v - before.get(k, 0) for k, v in middle.items() if v != before.get(k, 0)} == {
        "cm_greeter-1.0-py3-none-any.whl.metadata": 1, "cm_greeting-2.0-py3-none-any.whl.metadata": 1,
        "cm_greeting-1.0-py3-none-any.whl.metadata": 1, "cm_future-1.0-py3-none-any.whl.metadata": 1}, "resolving reads metadata files only"

    (tmp_path / "lock.txt").write_text(locks["cm-greeter"])
    done = uv("pip", "install", "--target", str(tmp_path / "site"), "--no-deps", "--require-hashes", "--no-build", "-r", "lock.txt",
              "--default-index", devnet.index_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ran = subprocess.run(["/usr/bin/python3", "-s", "-c", "import cm_greeter; print(cm_greeter.greet('pytest'))"],
                         env={"PYTHONPATH": str(tmp_path / "site")}, capture_output=True, text=True, timeout=30)
    assert ran.stdout == "Hello from cm-greeting 2.0 to pytest (cm-greeter 1.0, cm-greeting 2.0)\n", ran.stderr
    after = downloads(devnet)
    assert after["cm_greeter-1.0-py3-none-any.whl"] == middle.get("cm_greeter-1.0-py3-none-any.whl", 0) + 1

    (tmp_path / "requirements.in").write_text("cm-sdist-only\n")
    refused = uv("pip", "compile", "requirements.in", "--generate-hashes", "--no-build", "--default-index", devnet.index_url, cwd=tmp_path)
    assert refused.returncode != 0 and "cm-sdist-only" in refused.stderr and "no usable wheels" in refused.stderr, refused.stderr
    status = devnet.control("/status", method="GET")["index"]
    assert status["downloads"].get("cm_sdist_only-1.0.tar.gz", 0) == before.get("cm_sdist_only-1.0.tar.gz", 0)
    assert not Path(status["sdist_marker"]).exists()


@needs_uv
def test_building_the_sdist_would_leave_the_marker(tmp_path: Path) -> None:
    """What the marker's absence means: any build of the sdist (here uv's, allowed to build) runs setup.py."""
    index = PackageIndex(tmp_path / "marker")
    sdist = index.by_name["cm_sdist_only-1.0.tar.gz"]
    (tmp_path / sdist.filename).write_bytes(sdist.data)
    done = uv("pip", "install", "--target", str(tmp_path / "site"), "--no-index", "./" + sdist.filename, cwd=tmp_path)
    assert done.returncode != 0 and "never meant to be built" in done.stderr, done.stderr
    assert index.marker.read_text() == "cm-sdist-only's setup.py ran\n"


def test_status_reports_the_index(devnet) -> None:
    status = devnet.control("/status", method="GET")
    assert status["index_url"] == devnet.index_url and devnet.index_url.endswith("/simple")
    assert "cm_sdist_only-1.0.tar.gz" in status["index"]["files"]
    assert status["index"]["sdist_marker"].endswith("index/sdist-setup-ran")
    assert json.loads(json.dumps(status["index"]["downloads"])) == status["index"]["downloads"]
