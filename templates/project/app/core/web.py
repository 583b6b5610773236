"""What a deployed app adds around its routes: security headers, allowed hosts, metrics and traces.

Each is decided by the settings (README "Production settings" and "Observability"); create_app calls install().
"""

import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings

# JSON answers load nothing: no scripts, no frames.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc, as FastAPI serves them, load their scripts, styles and fonts from these hosts.
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
        "font-src 'self' https://fonts.gstatic.com",
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
    ]
)
# The admin's pages (starlette-admin) load their scripts, styles and fonts from /admin itself, run inline
# scripts, and take the Inter font's stylesheet from its own host.
ADMIN_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline' https://rsms.me",
        "font-src 'self' data: https://rsms.me",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
ADMIN_PATH = "/admin"
METRICS_PATH = "/metrics"
HSTS = "max-age=31536000; includeSubDomains"  # a year of HTTPS only, once a browser has seen it
# The health checks (the Dockerfile's HEALTHCHECK, the Kubernetes probes) call with these Host names.
LOOPBACK_HOSTS = ["localhost", "127.0.0.1"]


class MetricsToken:
    """A dependency of /metrics: the request must carry `Authorization: Bearer <METRICS_TOKEN>`, else 401."""

    def __init__(self, token: str) -> None:
        self.token = token.encode()

    async def __call__(
        self, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))]
    ) -> None:
        given = credentials.credentials.encode() if credentials else b""
        if not secrets.compare_digest(given, self.token):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "metrics need the METRICS_TOKEN", headers={"WWW-Authenticate": "Bearer"}
            )


class AllowedHosts(TrustedHostMiddleware):
    """Starlette's host check (any Host not in ALLOWED_HOSTS gets 400), except on /metrics: Prometheus scrapes each
    pod at its own address, and the metrics build no link from the Host (METRICS_TOKEN guards them)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == METRICS_PATH:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class SecurityHeaders:
    """ASGI middleware: adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, *, docs_paths: frozenset[str], hsts: bool) -> None:
        self.app = app
        self.docs_paths = docs_paths
        common = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"strict-origin-when-cross-origin")]
        if hsts:
            common.append((b"strict-transport-security", HSTS.encode()))
        self.api_headers = [*common, (b"content-security-policy", API_POLICY.encode())]
        self.docs_headers = [*common, (b"content-security-policy", DOCS_POLICY.encode())]
        self.admin_headers = [*common, (b"content-security-policy", ADMIN_POLICY.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in self.docs_paths:
            headers = self.docs_headers
        elif path == ADMIN_PATH or path.startswith(ADMIN_PATH + "/"):
            headers = self.admin_headers
        else:
            headers = self.api_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    # The middleware added last runs first: the security headers go on the host check's 400s too.
    if settings.trusted_hosts:
        app.add_middleware(AllowedHosts, allowed_hosts=[*settings.trusted_hosts, *LOOPBACK_HOSTS])
    docs_paths = frozenset(path for path in (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url) if path)
    app.add_middleware(SecurityHeaders, docs_paths=docs_paths, hsts=settings.environment == "production")
    if settings.metrics_enabled:
        from prometheus_fastapi_instrumentator import Instrumentator

        # Counts and times every request by route template; the metrics and health endpoints are left out.
        instrumentator = Instrumentator(excluded_handlers=[METRICS_PATH, "/health.*"])
        token = settings.metrics_token.get_secret_value()
        # With METRICS_TOKEN set (production refuses to start without it) only Prometheus reads the metrics.
        guard = [Depends(MetricsToken(token))] if token else []
        instrumentator.instrument(app).expose(app, endpoint=METRICS_PATH, include_in_schema=False, dependencies=guard)
    if settings.otel_exporter_otlp_endpoint:
        from app.core import telemetry  # needs the otel extra: pip install -e '.[otel]'

        telemetry.install(app, settings)
