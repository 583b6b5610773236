"""What a deployed app adds around its routes: security headers, allowed hosts, metrics and traces.

Each is decided by the settings (README "Production settings" and "Observability"); create_app calls install().
"""

from fastapi import FastAPI
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
HSTS = "max-age=31536000; includeSubDomains"  # a year of HTTPS only, once a browser has seen it
# The health checks (the Dockerfile's HEALTHCHECK, the Kubernetes probes) call with these Host names.
LOOPBACK_HOSTS = ["localhost", "127.0.0.1"]


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
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=[*settings.trusted_hosts, *LOOPBACK_HOSTS])
    docs_paths = frozenset(path for path in (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url) if path)
    app.add_middleware(SecurityHeaders, docs_paths=docs_paths, hsts=settings.environment == "production")
    if settings.metrics_enabled:
        from prometheus_fastapi_instrumentator import Instrumentator

        # Counts and times every request by route template; the metrics and health endpoints are left out.
        instrumentator = Instrumentator(excluded_handlers=["/metrics", "/health.*"])
        instrumentator.instrument(app).expose(app, include_in_schema=False)
    if settings.otel_exporter_otlp_endpoint:
        from app.core import telemetry  # needs the otel extra: pip install -e '.[otel]'

        telemetry.install(app, settings)
