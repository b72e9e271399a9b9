"""What went wrong in a model call, in Chinese, and whether trying again can help.

Only failures of the model service are handled here (HTTP statuses, timeouts, broken connections, our own
call bounds); anything else is a bug in our code and propagates.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from functools import cache

import httpx
import httpx2
from langchain_core.exceptions import ModelError

from .endpoint import CallAborted


@cache
def model_failures() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "the model service failed": everything the chain catches.

    A function, so the openai package loads only when a model is really called (offline drafting never
    imports it); ``except model_failures():`` evaluates it only when something was raised.
    """
    import openai

    return (openai.APIError, ModelError, httpx.HTTPError, httpx2.HTTPError, CallAborted, TimeoutError)


@dataclass(frozen=True)
class Failure:
    """A classified model failure. ``retry_after``: seconds the server asked us to wait (Retry-After)."""

    reason: str
    retryable: bool
    kind: str  # auth | rate | server | timeout | connection | request | deadline | stopped | too_long
    retry_after: float | None = None
    before_first_token: bool = True


def _aborted(exc: BaseException) -> CallAborted | None:
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        if isinstance(node, CallAborted):
            return node
        seen.add(id(node))
        node = node.__cause__ or node.__context__
    return None


def retry_after(exc: BaseException) -> float | None:
    """The server's Retry-After (seconds or an HTTP date; also retry-after-ms), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed is not None else None


def classify(exc: BaseException, key_withheld: bool = False) -> Failure:
    """The Chinese reason and retry policy of a model failure (``exc`` is one of ``model_failures()``)."""
    import openai

    aborted = _aborted(exc)
    if aborted is not None:
        return Failure(str(aborted), False, aborted.kind)
    status = getattr(exc, "status_code", None)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError) or status in (401, 403):
        hint = "（该地址不是管理员配置的模型服务，未发送服务器的密钥；请为它填写密钥）" if key_withheld else "，请检查 API 密钥"
        return Failure(f"模型服务拒绝了密钥（HTTP {status or 401}）{hint}", False, "auth")
    if isinstance(exc, openai.RateLimitError) or status == 429:
        return Failure("模型服务限流（HTTP 429）", True, "rate", retry_after(exc))
    if isinstance(exc, openai.NotFoundError) or status == 404:
        return Failure("模型服务找不到所选模型或接口（HTTP 404），请核对模型名称和服务地址", False, "request")
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | httpx2.TimeoutException | TimeoutError):
        return Failure("模型服务响应超时", True, "timeout")
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | httpx2.TransportError):
        return Failure("与模型服务的连接中断", True, "connection")
    if isinstance(exc, openai.BadRequestError) or status in (400, 413, 422):
        text = str(getattr(exc, "message", "") or exc)
        if "context" in text.lower() or "too long" in text.lower() or "exceed" in text.lower():
            return Failure(
                "请求超过了模型的上下文长度（HTTP 400），请缩短要点、调低最大输出长度"
                "或换用上下文更长的模型", False, "request",
            )
        return Failure(f"模型服务拒绝了请求（HTTP {status or 400}）", False, "request")
    if status is not None:
        retryable = status >= 500 or status == 408
        return Failure(f"模型服务返回错误（HTTP {status}）", retryable, "server", retry_after(exc))
    return Failure(f"模型调用失败（{type(exc).__name__}）", False, "server")
