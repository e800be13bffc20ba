"""A Python package index stand-in: PEP 503 simple HTML and PEP 658 metadata files, over wheels (and one
sdist) built at start from the small pure-Python packages in `devnet/packages/`.

Each directory `devnet/packages/<project>-<version>/` holds a `pyproject.toml` (its `[project]` table:
name, version, description, requires-python, dependencies) and the package's files. The devnet builds a
`py3-none-any` wheel of it (dist-info METADATA, WHEEL and RECORD with sha256 hashes; fixed timestamps and
permissions, files in sorted order, so the bytes are the same at every start), or, with
`[tool.devnet] sdist-only = true`, only an sdist (a deterministic `.tar.gz`) whose `setup.py` gets the
path of a marker file written in: anything that runs it leaves the marker, so tests can prove nothing did.

Routes (GET): `/simple/` (every project), `/simple/<project>/` (its files, each link with a `#sha256=`
fragment, `data-requires-python` when the release has one and, for wheels, `data-dist-info-metadata` and
`data-core-metadata` naming the sha256 of `<file>.metadata`), `/files/<file>` and `/files/<file>.metadata`.
A project name that is not normalized (PEP 503) is redirected to its normalized page. Every file served
is counted (`downloads`, in `GET /status` of the control API under `index`).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import io
import re
import tarfile
import tomllib
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from aiohttp import web

PACKAGES_DIR = Path(__file__).resolve().parent / "packages"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
TAR_MTIME = 1577836800  # 2020-01-01T00:00:00Z
MARKER_PLACEHOLDER = "@MARKER@"


def normalize(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def record_hash(data: bytes) -> str:
    """A RECORD hash: `sha256=` and the urlsafe base64 digest without padding."""
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@dataclass
class DistributionFile:
    """One file of the index: a wheel (with its core metadata) or an sdist."""

    project: str
    version: str
    filename: str
    data: bytes
    requires_python: Optional[str] = None
    metadata: Optional[bytes] = None  # a wheel's METADATA, served as `<filename>.metadata` (PEP 658)

    @property
    def sha256(self) -> str:
        """Hex sha256 of the file."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def metadata_sha256(self) -> Optional[str]:
        """Hex sha256 of the metadata file, for wheels."""
        return hashlib.sha256(self.metadata).hexdigest() if self.metadata is not None else None


def _source_files(directory: Path) -> dict[str, bytes]:
    """The package's files (archive path -> bytes), sorted, without pyproject.toml and bytecode."""
    files = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).as_posix()
        if not path.is_file() or relative == "pyproject.toml" or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        files[relative] = path.read_bytes()
    return files


def core_metadata(project: dict) -> bytes:
    """Core metadata 2.1 (METADATA / PKG-INFO) from a `[project]` table."""
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if project.get("description"):
        lines.append(f"Summary: {project['description']}")
    if project.get("requires-python"):
        lines.append(f"Requires-Python: {project['requires-python']}")
    lines += [f"Requires-Dist: {requirement}" for requirement in project.get("dependencies", [])]
    return ("\n".join(lines) + "\n").encode()


def build_wheel(project: dict, files: dict[str, bytes]) -> DistributionFile:
    """A deterministic `py3-none-any` wheel of `files` with its dist-info."""
    name, version = project["name"], project["version"]
    dist = normalize(name).replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = core_metadata(project)
    contents = dict(files)
    contents[f"{info}/METADATA"] = metadata
    contents[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: cloudmesh-devnet\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = [f"{path},{record_hash(data)},{len(data)}" for path, data in contents.items()] + [f"{info}/RECORD,,"]
    contents[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in contents.items():
            entry = zipfile.ZipInfo(path, ZIP_DATE)
            entry.create_system = 3  # Unix, so the permissions below are read
            entry.external_attr = 0o100644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data, compresslevel=9)
    return DistributionFile(name, version, f"{dist}-{version}-py3-none-any.whl", buffer.getvalue(),
                            project.get("requires-python"), metadata)


def build_sdist(project: dict, files: dict[str, bytes], pyproject: bytes, marker: Path) -> DistributionFile:
    """A deterministic sdist (`.tar.gz`, PEP 625 name) with PKG-INFO and pyproject.toml; `@MARKER@` in its
    files becomes the marker's path."""
    name, version = project["name"], project["version"]
    dist = normalize(name).replace("-", "_")
    top = f"{dist}-{version}"
    contents = {path: data.replace(MARKER_PLACEHOLDER.encode(), str(marker).encode()) for path, data in files.items()}
    contents["pyproject.toml"] = pyproject
    contents["PKG-INFO"] = core_metadata(project)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(contents):
            entry = tarfile.TarInfo(f"{top}/{path}")
            entry.size, entry.mtime, entry.mode = len(contents[path]), TAR_MTIME, 0o644
            archive.addfile(entry, io.BytesIO(contents[path]))
    data = gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)
    return DistributionFile(name, version, f"{top}.tar.gz", data, project.get("requires-python"))


def build_all(source: Path, marker: Path) -> list[DistributionFile]:
    """Every distribution of the packages under `source`, in directory order."""
    built = []
    for directory in sorted(p for p in source.iterdir() if (p / "pyproject.toml").is_file()):
        pyproject = (directory / "pyproject.toml").read_bytes()
        config = tomllib.loads(pyproject.decode())
        project = config["project"]
        files = _source_files(directory)
        if config.get("tool", {}).get("devnet", {}).get("sdist-only"):
            built.append(build_sdist(project, files, pyproject, marker))
        else:
            built.append(build_wheel(project, files))
    return built


def _page(title: str, links: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"1.0\">\n"
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
            + "".join(f"{link}<br/>\n" for link in links) + "</body>\n</html>\n")


class PackageIndex:
    """The index: its files, their pages, and download counters."""

    def __init__(self, marker: Path, source: Path = PACKAGES_DIR) -> None:
        self.marker = marker
        marker.parent.mkdir(parents=True, exist_ok=True)  # so that a setup.py that runs can write it
        marker.unlink(missing_ok=True)  # a marker from an earlier start says nothing about this one
        self.files = build_all(source, marker)
        self.by_name = {f.filename: f for f in self.files}
        self.projects: dict[str, list[DistributionFile]] = {}
        for f in self.files:
            self.projects.setdefault(normalize(f.project), []).append(f)
        self.downloads: Counter[str] = Counter()

    def root_page(self) -> str:
        """`/simple/`: every project."""
        return _page("Simple index", [f'<a href="{p}/">{p}</a>' for p in sorted(self.projects)])

    def project_page(self, project: str) -> str:
        """`/simple/<project>/`: its files, hashes and metadata attributes."""
        links = []
        for f in self.projects[project]:
            attributes = ""
            if f.requires_python:
                attributes += f' data-requires-python="{html.escape(f.requires_python)}"'
            if f.metadata is not None:
                attributes += f' data-dist-info-metadata="sha256={f.metadata_sha256}" data-core-metadata="sha256={f.metadata_sha256}"'
            links.append(f'<a href="../../files/{f.filename}#sha256={f.sha256}"{attributes}>{f.filename}</a>')
        return _page(f"Links for {project}", links)

    def status(self) -> dict:
        """What `GET /status` shows under `index`."""
        return {"files": [f.filename for f in self.files], "downloads": dict(sorted(self.downloads.items())),
                "sdist_marker": str(self.marker)}

    # ------------------------------------------------------------ HTTP

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_get("/simple", self._to_root)
        app.router.add_get("/simple/", self._root)
        app.router.add_get("/simple/{project}", self._project)
        app.router.add_get("/simple/{project}/", self._project)
        app.router.add_get("/files/{filename}", self._file)
        return app

    async def _to_root(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/simple/")

    async def _root(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text=self.root_page(), content_type="text/html")

    async def _project(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["project"]
        project = normalize(name)
        if project not in self.projects:
            return web.Response(status=404, text="404 Not Found")
        if name != project or not request.path.endswith("/"):
            raise web.HTTPMovedPermanently(f"/simple/{project}/")
        return web.Response(text=self.project_page(project), content_type="text/html")

    async def _file(self, request: web.Request) -> web.StreamResponse:
        filename = request.match_info["filename"]
        wanted = self.by_name.get(filename.removesuffix(".metadata"))
        if wanted is None or (filename.endswith(".metadata") and wanted.metadata is None):
            return web.Response(status=404, text="404 Not Found")
        self.downloads[filename] += 1
        data = wanted.metadata if filename.endswith(".metadata") else wanted.data
        assert data is not None
        return web.Response(body=data, content_type="application/octet-stream")
