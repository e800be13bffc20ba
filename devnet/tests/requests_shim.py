"""A tiny stdlib HTTP client for the tests (no extra dependency)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Optional


def request(method: str, url: str, json_body: Any = None, data: Optional[bytes] = None, headers: Optional[dict] = None,
            timeout: float = 10) -> tuple[int, bytes]:
    """Returns (status, body) without raising on HTTP errors."""
    hdrs = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def request_full(method: str, url: str, data: Optional[bytes] = None, headers: Optional[dict] = None, timeout: float = 10):
    """Returns (status, headers, body)."""
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def multipart(fields: list[tuple[str, Optional[str], bytes]]) -> tuple[bytes, str]:
    """Encode (name, filename, content) parts; returns (body, content type)."""
    boundary = "----devnettestboundary7MA4YWxkTrZu0gW"
    out = b""
    for name, filename, content in fields:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\nContent-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"
