"""HTTP faces of the block store: a Kubo RPC subset, a path gateway with trustless responses, and a
Pinata API stand-in. All three share one BlockStore."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any, Optional

from aiohttp import web

from ..faults import Faults
from .blockstore import BlockStore
from .car import write_car
from .cid import CID
from .unixfs import NotFound, dag_blocks, parse_chunker

KUBO_VERSION = "0.32.1"


def _bool(value: Optional[str], default: bool = False) -> bool:
    if value is None:
        return default
    return value.lower() in ("", "1", "true", "yes")


def _kubo_error(message: str, status: int = 500, code: int = 0) -> web.Response:
    return web.json_response({"Message": message, "Code": code, "Type": "error"}, status=status)


def _now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def canonical_json_bytes(content: Any) -> bytes:
    """The bytes pinJSONToIPFS stores: compact JSON (no spaces), keys in received order, UTF-8 kept
    unescaped (only `"`, `\\` and control characters are escaped, as JSON.stringify does)."""
    return json.dumps(content, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


# ---------------------------------------------------------------- Kubo RPC


class KuboApi:
    """`/api/v0/add`, `/api/v0/cat`, `/api/v0/block/get`, `/api/v0/pin/add`, `/api/v0/version`."""

    def __init__(self, store: BlockStore, faults: Faults) -> None:
        self.store, self.faults = store, faults

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_route("*", "/api/v0/{command:.*}", self.dispatch)
        return app

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """Kubo only answers POST on its RPC API."""
        if request.method != "POST":
            return web.Response(status=405, text="405 - Method Not Allowed")
        if self.faults.ipfs_api_failures > 0:
            self.faults.ipfs_api_failures -= 1
            return _kubo_error("injected failure (devnet fault)")
        command = request.match_info["command"].rstrip("/")
        handler = {"add": self.add, "cat": self.cat, "block/get": self.block_get, "pin/add": self.pin_add, "version": self.version, "id": self.id}.get(command)
        if handler is None:
            return web.Response(status=404, text="404 page not found")
        return await handler(request)

    def _cid_arg(self, request: web.Request) -> CID:
        arg = request.query.get("arg")
        if not arg:
            raise web.HTTPBadRequest(text=json.dumps({"Message": "argument \"ipfs-path\" is required", "Code": 1, "Type": "error"}), content_type="application/json")
        text = arg.removeprefix("/ipfs/").split("/")[0]
        try:
            return CID.parse(text)
        except ValueError as exc:
            raise web.HTTPBadRequest(text=json.dumps({"Message": f"invalid path {arg!r}: {exc}", "Code": 1, "Type": "error"}), content_type="application/json") from None

    async def add(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        try:
            version = int(q.get("cid-version", "0"))
            if version not in (0, 1):
                raise ValueError("cid-version must be 0 or 1")
            chunk = parse_chunker(q.get("chunker"))
            if q.get("hash", "sha2-256") != "sha2-256":
                raise ValueError("only sha2-256 is supported by this devnet")
            if _bool(q.get("wrap-with-directory")):
                raise ValueError("wrap-with-directory is not supported by this devnet")
        except ValueError as exc:
            return _kubo_error(str(exc), 400, 1)
        raw_leaves = _bool(q["raw-leaves"]) if "raw-leaves" in q else None
        if not request.content_type.startswith("multipart/"):
            return _kubo_error("file argument 'path' is required", 400, 1)
        lines = []
        reader = await request.multipart()
        async for part in reader:
            if part.filename is None and part.name not in ("file", "path"):
                continue
            data = await part.read(decode=False)
            root, size = self.store.add_file(bytes(data), version, raw_leaves, chunk)
            if _bool(q.get("pin"), True) and not _bool(q.get("only-hash")):
                self.store.pins[str(root)] = {"name": part.filename or ""}
            lines.append(json.dumps({"Name": part.filename or str(root), "Hash": str(root), "Size": str(size)}))
        if not lines:
            return _kubo_error("file argument 'path' is required", 400, 1)
        return web.Response(text="\n".join(lines) + "\n", content_type="application/json", headers={"X-Chunked-Output": "1"})

    async def cat(self, request: web.Request) -> web.StreamResponse:
        cid = self._cid_arg(request)
        try:
            data = self.store.cat(cid)
        except NotFound as exc:
            return _kubo_error(f"block was not found locally (offline): ipld: could not find {exc}")
        except ValueError as exc:
            return _kubo_error(str(exc))
        offset = int(request.query.get("offset", "0") or 0)
        length = request.query.get("length")
        data = data[offset:] if length is None else data[offset : offset + int(length)]
        return web.Response(body=data, content_type="text/plain", headers={"X-Stream-Output": "1"})

    async def block_get(self, request: web.Request) -> web.StreamResponse:
        cid = self._cid_arg(request)
        try:
            return web.Response(body=self.store.get(cid), content_type="text/plain")
        except NotFound as exc:
            return _kubo_error(f"block was not found locally (offline): ipld: could not find {exc}")

    async def pin_add(self, request: web.Request) -> web.StreamResponse:
        cid = self._cid_arg(request)
        if not self.store.has(cid):
            return _kubo_error(f"block was not found locally (offline): ipld: could not find {cid}")
        self.store.pins[str(cid)] = {}
        return web.json_response({"Pins": [str(cid)]})

    async def version(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"Version": KUBO_VERSION, "Commit": "devnet", "Repo": "16", "System": "amd64/linux", "Golang": "go1.23"})

    async def id(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"ID": "12D3KooWDevnetDevnetDevnet", "Addresses": [], "AgentVersion": f"kubo/{KUBO_VERSION}/devnet"})


# ---------------------------------------------------------------- gateway


class Gateway:
    """Path gateway: `/ipfs/<cid>` (file bytes), `?format=raw` (the block), `?format=car` (CARv1)."""

    def __init__(self, store: BlockStore, faults: Faults) -> None:
        self.store, self.faults = store, faults

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_get("/ipfs/{cid}", self.serve)
        app.router.add_get("/ipfs/{cid}/{rest:.*}", self.serve)
        return app

    async def serve(self, request: web.Request) -> web.StreamResponse:
        text = request.match_info["cid"]
        fault = self.faults.take_gateway(text)
        if fault is not None:
            if fault.mode == "hold" or fault.delay_ms:
                # Held (counted in GET /status) until released, reset, shutdown or delay_ms; never blocks others.
                outcome = await self.faults.holds.hold(text, fault.delay_ms / 1000 if fault.delay_ms else None,
                                                       lambda: request.transport is None or request.transport.is_closing())
                if outcome == "client_gone":
                    return web.Response(status=499, text="client closed the request while it was held\n")
            if fault.mode == "404":
                return web.Response(status=404, text=f"ipfs resolve -r /ipfs/{text}: no link named \"\" under {text}\n")
            if fault.mode == "504":
                return web.Response(status=504, text="504 Gateway Timeout: context deadline exceeded\n")
        if request.match_info.get("rest"):
            return web.Response(status=404, text="paths inside a CID are not supported by this devnet (files only)\n")
        try:
            cid = CID.parse(text)
        except ValueError as exc:
            return web.Response(status=400, text=f"invalid path \"/ipfs/{text}\": {exc}\n")
        fmt = request.query.get("format")
        accept = request.headers.get("Accept", "")
        headers = {"Etag": f'"{cid}"', "X-Ipfs-Path": f"/ipfs/{text}", "X-Ipfs-Roots": str(cid), "Cache-Control": "public, max-age=29030400, immutable"}
        corrupt = fault is not None and fault.mode == "corrupt"
        try:
            if fmt == "raw" or (fmt is None and "application/vnd.ipld.raw" in accept):
                body = self.store.get(cid)
                ctype = "application/vnd.ipld.raw"
                headers["Etag"] = f'"{cid}.raw"'
            elif fmt == "car" or (fmt is None and "application/vnd.ipld.car" in accept):
                dups = request.query.get("dups") == "y" or "dups=y" in accept
                body = write_car(cid, dag_blocks(cid, self.store.get, dups))
                ctype = f"application/vnd.ipld.car; version=1; order=dfs; dups={'y' if dups else 'n'}"
                headers["Etag"] = f'"{cid}.car"'
            elif fmt not in (None, ""):
                return web.Response(status=400, text=f"unsupported format {fmt!r}\n")
            else:
                body = self.store.cat(cid)
                ctype = "text/plain; charset=utf-8" if _looks_text(body) else "application/octet-stream"
        except NotFound:
            return web.Response(status=404, text=f"ipfs resolve -r /ipfs/{text}: block not found\n")
        except ValueError as exc:
            return web.Response(status=501, text=f"{exc}\n")
        if corrupt:
            body = bytes(body[:-1]) + bytes([body[-1] ^ 0x01]) if body else b"\x00"
        headers["Content-Type"] = ctype
        return web.Response(body=body, headers=headers)


def _looks_text(data: bytes) -> bool:
    try:
        data[:1024].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\0" not in data[:1024]


# ---------------------------------------------------------------- Pinata


class Pinata:
    """pinJSONToIPFS, pinFileToIPFS, v3 `POST /v3/files`, `GET /data/testAuthentication`; Bearer JWT."""

    def __init__(self, store: BlockStore, faults: Faults, jwt: str) -> None:
        self.store, self.faults, self.jwt = store, faults, jwt

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application(client_max_size=256 * 1024 * 1024, middlewares=[self._auth])
        app.router.add_get("/data/testAuthentication", self.test_auth)
        app.router.add_post("/pinning/pinJSONToIPFS", self.pin_json)
        app.router.add_post("/pinning/pinFileToIPFS", self.pin_file)
        app.router.add_post("/v3/files", self.v3_files)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:].strip() != self.jwt:
            return web.json_response({"error": {"reason": "INVALID_CREDENTIALS", "details": "Invalid/expired credentials"}}, status=401)
        if request.method == "POST" and self.faults.pinata_failures > 0:
            self.faults.pinata_failures -= 1
            status = self.faults.pinata_status
            return web.json_response({"error": {"reason": "INTERNAL_SERVER_ERROR" if status >= 500 else "RATE_LIMITED", "details": "injected failure (devnet fault)"}}, status=status)
        return await handler(request)

    async def test_auth(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"message": "Congratulations! You are communicating with the Pinata API!"})

    def _pin(self, data: bytes, version: int, name: str) -> tuple[CID, int, bool]:
        root, size = self.store.add_file(data, version)
        duplicate = str(root) in self.store.pins
        self.store.pins[str(root)] = {"name": name}
        return root, size, duplicate

    @staticmethod
    def _bad(details: str) -> web.Response:
        return web.json_response({"error": {"reason": "INVALID_ARGUMENT", "details": details}}, status=400)

    async def pin_json(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            return self._bad("request body is not valid JSON")
        if not isinstance(body, dict) or "pinataContent" not in body:
            return self._bad("pinataContent is required")
        try:
            data = canonical_json_bytes(body["pinataContent"])
        except (ValueError, UnicodeEncodeError) as exc:
            return self._bad(f"pinataContent cannot be stored: {exc}")
        options = body.get("pinataOptions") or {}
        version = int(options.get("cidVersion", 0)) if isinstance(options, dict) else 0
        meta = body.get("pinataMetadata") or {}
        root, size, dup = self._pin(data, 1 if version == 1 else 0, meta.get("name", "") if isinstance(meta, dict) else "")
        return web.json_response({"IpfsHash": str(root), "PinSize": size, "Timestamp": _now_iso(), "isDuplicate": dup})

    async def _form(self, request: web.Request) -> tuple[Optional[bytes], Optional[str], dict[str, str]]:
        if not request.content_type.startswith("multipart/"):
            return None, None, {}
        data, filename, fields = None, None, {}
        reader = await request.multipart()
        async for part in reader:
            if part.name == "file" and data is None:
                data, filename = bytes(await part.read(decode=False)), part.filename
            else:
                fields[part.name or ""] = (await part.read(decode=False)).decode("utf-8", "replace")
        return data, filename, fields

    async def pin_file(self, request: web.Request) -> web.StreamResponse:
        data, filename, fields = await self._form(request)
        if data is None:
            return self._bad("file is required (multipart field \"file\")")
        try:
            options = json.loads(fields.get("pinataOptions") or "{}")
            meta = json.loads(fields.get("pinataMetadata") or "{}")
        except ValueError:
            return self._bad("pinataOptions/pinataMetadata must be JSON")
        version = 1 if isinstance(options, dict) and int(options.get("cidVersion", 0)) == 1 else 0
        name = meta.get("name") if isinstance(meta, dict) and meta.get("name") else (filename or "")
        root, size, dup = self._pin(data, version, name)
        return web.json_response({"IpfsHash": str(root), "PinSize": size, "Timestamp": _now_iso(), "isDuplicate": dup})

    async def v3_files(self, request: web.Request) -> web.StreamResponse:
        data, filename, fields = await self._form(request)
        if data is None:
            return self._bad("file is required (multipart field \"file\")")
        name = fields.get("name") or filename or "file"
        root, size, dup = self._pin(data, 1, name)
        try:
            keyvalues = json.loads(fields.get("keyvalues") or "{}")
        except ValueError:
            keyvalues = {}
        return web.json_response({"data": {
            "id": str(uuid.uuid4()), "name": name, "cid": str(root), "size": len(data), "number_of_files": 1,
            "mime_type": "application/json" if (filename or "").endswith(".json") else "application/octet-stream",
            "user_id": "devnet", "group_id": fields.get("group_id") or None, "keyvalues": keyvalues,
            "created_at": _now_iso(), "is_duplicate": dup, "vectorized": False, "network": fields.get("network") or "public",
        }})
